import assert from "node:assert/strict";
import { DeviceError, InputError } from "../errors.ts";
import { DFUSE_PARTS, type DfusePartName } from "../sim/dfuse/parts.ts";
import { DfuseSimulator } from "../sim/dfuse/dfuse_simulator.ts";
import { UsbLoopback } from "../sim/dfuse/loopback.ts";
import { rejectsWith, simulatedDfuse } from "../../tests/helpers/dfuse.ts";
import { DfuTarget, type DfuTargetOptions, nonBlankRuns } from "./dfu_target.ts";

const FLASH = 0x0800_0000;
const KIB = 1024;
const noWait = () => Promise.resolve();

async function open(part: DfusePartName, options: DfuTargetOptions = {}, flash?: Uint8Array) {
  const { sim, loop, replug } = simulatedDfuse(part, { flash });
  const reconnect = () => Promise.resolve(replug());
  const target = await DfuTarget.open(loop, { sleep: noWait, reconnect, ...options });
  return { sim, target };
}

Deno.test("identity of an STM32F405 bootloader is recognised from its layouts", async () => {
  const { target } = await open("stm32f405rg");
  assert.equal(target.identity.transport, "dfu");
  assert.equal(target.identity.chip.pid, 0x413);
  assert.equal(target.identity.flashSize, 1024 * KIB);
  assert.equal(target.identity.bootloaderVersion, "2.2");
  assert.deepEqual(target.identity.commands, ["Get Commands", "Set Address Pointer", "Erase", "Read Unprotect"]);
  assert.equal(target.identity.pid, undefined); // DfuSe reports none
  await target.close();
});

Deno.test("identity of an STM32L433 bootloader, and a named part", async () => {
  const { target } = await open("stm32l433rc");
  assert.equal(target.identity.chip.pid, 0x435);
  assert.equal(target.identity.flashSize, 256 * KIB);
  const named = await open("stm32l433rc", { part: "STM32L433RC" });
  assert.equal(named.target.identity.chip.family, "L4");
  await rejectsWith(open("stm32l433rc", { part: "stm32x999" }), InputError);
});

Deno.test("writeMemory / readMemory round trip; writeMemory needs erased flash like the USART target", async () => {
  const { sim, target } = await open("stm32f405rg");
  await target.erase({ kind: "pages", pages: [0, 1] });
  const data = new Uint8Array(20 * KIB).map((_, i) => (i * 7) & 0xff);
  await target.writeMemory(FLASH + 8 * KIB, data);
  assert.deepEqual(await target.readMemory(FLASH + 8 * KIB, data.length), data);
  assert.deepEqual(sim.flash.read(FLASH + 8 * KIB, 16), data.subarray(0, 16));
  const error = await rejectsWith(target.writeMemory(FLASH + 8 * KIB, data.subarray(0, 8)), DeviceError);
  assert.equal(error.code, "E_DFU_ERRPROG");
});

Deno.test("erase pages maps page numbers to the layout; erase all is a mass erase", async () => {
  const flash = new Uint8Array(256 * KIB).fill(0x11);
  const { sim, target } = await open("stm32l433rc", {}, flash);
  const seen: number[] = [];
  await target.erase({ kind: "pages", pages: [3, 127] }, (done) => seen.push(done));
  assert.deepEqual(seen, [0, 1, 2]);
  assert.ok(sim.flash.read(FLASH + 3 * 2048, 2048).every((b) => b === 0xff));
  assert.ok(sim.flash.read(FLASH + 127 * 2048, 2048).every((b) => b === 0xff));
  assert.equal(sim.flash.read(FLASH + 4 * 2048, 1)[0], 0x11);
  await rejectsWith(target.erase({ kind: "pages", pages: [128] }), InputError);
  await target.erase({ kind: "all" });
  assert.ok(sim.flash.bytes.every((b) => b === 0xff));
});

Deno.test("option bytes are read through their own alternate setting", async () => {
  const { target, sim } = await open("stm32f405rg");
  assert.deepEqual(await target.readMemory(0x1fff_c000, 16), sim.optionBytes);
  await rejectsWith(target.readMemory(0x3000_0000, 4), InputError);
});

Deno.test("readout-protect then readout-unprotect, reconnecting after each reset", async () => {
  const flash = new Uint8Array(1024).fill(0x42);
  const { sim, target } = await open("stm32f405rg", {}, flash);
  await target.protect({ kind: "readout-protect" });
  assert.equal(sim.readProtection, 1);
  assert.equal(sim.resets, 1);
  assert.equal(target.identity.readProtected, true);
  // AN3156: the locked device answers errVENDOR; the target says what that means and how to unlock it.
  const blocked = await rejectsWith(target.readMemory(FLASH, 4), DeviceError);
  assert.equal(blocked.code, "E_READ_PROTECTED");
  assert.match(blocked.hint ?? "", /unlock it with `flashrecipe unprotect read --usb VID:PID`.*MASS ERASE/);
  assert.match(String((blocked.cause as Error).message), /errVENDOR/);
  await target.protect({ kind: "readout-unprotect" });
  assert.equal(sim.readProtection, 0);
  assert.equal(target.identity.readProtected, false);
  assert.equal(sim.resets, 2);
  assert.deepEqual(await target.readMemory(FLASH, 4), new Uint8Array([0xff, 0xff, 0xff, 0xff]));
  await rejectsWith(target.protect({ kind: "write-unprotect" }), InputError);
});

Deno.test("go leaves DFU; the target is unusable afterwards", async () => {
  const { sim, target } = await open("stm32f405rg");
  await target.go(FLASH);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(sim.resets, 1);
  const error = await rejectsWith(target.readMemory(FLASH, 4), DeviceError);
  assert.equal(error.code, "E_DFU_GONE");
});

Deno.test("readOptionBytes / writeOptionBytes mirror the USART target", async () => {
  const { sim, target } = await open("stm32l433rc");
  const options = await target.readOptionBytes();
  assert.equal(options.length, 40);
  assert.deepEqual(options, sim.optionBytes);
  options[1] = (options[1] & ~0x07) | 0x02; // BOR_LEV 2
  await target.writeOptionBytes(options);
  assert.equal(sim.resets, 1);
  assert.equal(sim.optionBytes[1] & 0x07, 0x02);
  assert.equal(sim.optionBytes[5], ~options[1] & 0xff);
  assert.deepEqual(await target.readOptionBytes(), sim.optionBytes);
  await assert.rejects(target.writeOptionBytes(new Uint8Array(16)), RangeError);
});

Deno.test("nonBlankRuns: only blocks that carry data are downloaded, neighbours merged", () => {
  const data = new Uint8Array(10).fill(0xff);
  data[1] = 0;
  data[5] = 0;
  data[9] = 0;
  assert.deepEqual(nonBlankRuns(data, 2), [{ start: 0, end: 2 }, { start: 4, end: 6 }, { start: 8, end: 10 }]);
  assert.deepEqual(nonBlankRuns(data, 4), [{ start: 0, end: 10 }]);
  assert.deepEqual(nonBlankRuns(new Uint8Array(8).fill(0xff), 4), []);
});

Deno.test("read-unprotect: a device that mass-erases while holding off requests past the timeout is unprotected", async () => {
  // Issue 14 #7: the chip reports a short bwPollTimeout, then NAKs every request for its whole mass erase (here
  // 300 ms against a 50 ms transfer timeout). That is the command's outcome; the proof is RDP level 0 afterwards.
  const optionBytes = simulatedDfuse("stm32l433rc").sim.optionBytes.slice();
  optionBytes[0] = 0x55; // RDP level 1 (FLASH_OPTR byte 0)
  const { sim, loop, replug, resets } = simulatedDfuse("stm32l433rc", {
    optionBytes,
    flash: new Uint8Array(4096).fill(0x12),
    faults: [{ kind: "slow-erase", at: "read-unprotect", factor: 1, ms: 300 }],
  });
  const target = await DfuTarget.open(loop, {
    sleep: noWait,
    timeoutMs: 50,
    reconnect: () => Promise.resolve(replug()),
  });
  assert.equal(sim.readProtection, 1);
  const started = Date.now();
  await target.protect({ kind: "readout-unprotect" });
  assert.ok(Date.now() - started < 5000);
  assert.deepEqual(resets, ["read-unprotect"]);
  assert.equal(sim.readProtection, 0);
  assert.deepEqual(await target.readMemory(FLASH, 16), new Uint8Array(16).fill(0xff));
  await target.close();
});

Deno.test("read-unprotect that reports an error status still fails", async () => {
  const optionBytes = simulatedDfuse("stm32l433rc").sim.optionBytes.slice();
  optionBytes[0] = 0x55;
  const refused = simulatedDfuse("stm32l433rc", {
    optionBytes,
    faults: [{ kind: "error-status", at: "read-unprotect", status: 0x0b }],
  });
  const target = await DfuTarget.open(refused.loop, {
    sleep: noWait,
    reconnect: () => Promise.resolve(refused.replug()),
  });
  const error = await rejectsWith(target.protect({ kind: "readout-unprotect" }), DeviceError);
  assert.equal(error.code, "E_DFU_ERRVENDOR");
  assert.equal(refused.sim.readProtection, 1);
  await target.close();
});

Deno.test("writeMemory on a double-word chip: a segment at 4 mod 8 never splits a double-word between blocks", async () => {
  // Issue 14 #8: the L433 programs 64 bits at a time, once per erase (RM0394 §3.3.7); its simulated flash refuses a
  // second program of a double-word as the silicon does (PROGERR). A 3000-byte write at 0x08000004 crosses the
  // 2048-byte block boundary at 0x08000804, inside the double-word 0x08000800-0x08000807.
  const { sim, target } = await open("stm32l433rc");
  assert.equal(target.identity.chip.flash.programUnit, 8);
  await target.erase({ kind: "pages", pages: [0, 1] });
  const data = new Uint8Array(3000).map((_, i) => (i * 7 + 1) & 0xff);
  await target.writeMemory(FLASH + 4, data);
  assert.deepEqual(sim.flash.read(FLASH + 4, data.length), data);
  assert.deepEqual(sim.flash.read(FLASH, 4), new Uint8Array(4).fill(0xff));
  await target.close();
});

Deno.test("read-unprotect acknowledged and reset but not done (still protected) is E_DFU_UNPROTECT, not success", async () => {
  const optionBytes = simulatedDfuse("stm32l433rc").sim.optionBytes.slice();
  optionBytes[0] = 0x55;
  const { sim, loop, replug } = simulatedDfuse("stm32l433rc", {
    optionBytes,
    faults: [{ kind: "skip-erase", at: "read-unprotect" }],
  });
  const target = await DfuTarget.open(loop, { sleep: noWait, reconnect: () => Promise.resolve(replug()) });
  const error = await rejectsWith(target.protect({ kind: "readout-unprotect" }), DeviceError);
  assert.equal(error.code, "E_DFU_UNPROTECT");
  assert.equal(sim.readProtection, 1);
  await target.close();
});

Deno.test("readout-protect whose option-byte write is acknowledged but not applied is E_DFU_PROTECT, not success", async () => {
  const { sim, loop, replug } = simulatedDfuse("stm32f405rg", {
    faults: [{ kind: "skip-write", at: "write" }],
  });
  const target = await DfuTarget.open(loop, { sleep: noWait, reconnect: () => Promise.resolve(replug()) });
  const error = await rejectsWith(target.protect({ kind: "readout-protect" }), DeviceError);
  assert.equal(error.code, "E_DFU_PROTECT");
  assert.equal(sim.readProtection, 0);
  // Without the fault the same request protects the chip, and the check proves it.
  sim.injectFaults([]);
  const again = await DfuTarget.open(replug(), { sleep: noWait, reconnect: () => Promise.resolve(replug()) });
  await again.protect({ kind: "readout-protect" });
  assert.equal(sim.readProtection, 1);
  await again.close();
  await target.close();
});

Deno.test("a wTransferSize that is no multiple of the program unit is E_DFU_PROTOCOL before any block is sent", async () => {
  // An L433 programs double-words (8 bytes): 1020-byte blocks would end inside one and split it between two
  // downloads, the second refused by the flash (PROGERR). No ST bootloader reports such a size; a clone might.
  const base = DFUSE_PARTS.stm32l433rc;
  const sim = new DfuseSimulator({ ...base, functional: { ...base.functional, wTransferSize: 1020 } });
  const target = await DfuTarget.open(new UsbLoopback(sim), { sleep: noWait });
  try {
    await target.erase({ kind: "pages", pages: [0, 1] });
    const data = new Uint8Array(4 * KIB).map((_, i) => (i * 11 + 3) & 0xff);
    const error = await rejectsWith(target.writeMemory(FLASH, data), DeviceError);
    assert.equal(error.code, "E_DFU_PROTOCOL");
    assert.match(error.message, /wTransferSize 1020 is not a multiple of the 8-byte flash program unit/);
    assert.ok(sim.flash.read(FLASH, data.length).every((b) => b === 0xff), "a block was sent anyway");
    // The part's own 2048-byte blocks write the same data.
    const { target: good, sim: ok } = await open("stm32l433rc");
    await good.erase({ kind: "pages", pages: [0, 1] });
    await good.writeMemory(FLASH, data);
    assert.deepEqual(ok.flash.read(FLASH, data.length), data);
    await good.close();
  } finally {
    await target.close();
  }
});
