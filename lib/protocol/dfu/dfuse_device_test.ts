import assert from "node:assert/strict";
import { InputError } from "../../errors.ts";
import { createDfuseSimulator, type DfuseSimulatorOptions } from "../../sim/dfuse/dfuse_simulator.ts";
import type { DfusePartName } from "../../sim/dfuse/parts.ts";
import { UsbLoopback } from "../../sim/dfuse/loopback.ts";
import { rejectsWith, simulatedDfuse } from "../../../tests/helpers/dfuse.ts";
import { DfuseDevice } from "./dfuse_device.ts";
import { DfuDisconnectedError, DfuStatusError } from "./errors.ts";
import { DfuState } from "./state.ts";
import { DfuStatus } from "./status.ts";

const FLASH = 0x0800_0000;
const KIB = 1024;

/** A simulator on a loopback cable that is unplugged when the device resets, and a host that records its waits. */
async function connect(part: DfusePartName = "stm32f405rg", options: DfuseSimulatorOptions = {}) {
  const { sim, loop, resets, replug } = simulatedDfuse(part, options);
  const sleeps: number[] = [];
  const sleep = (ms: number) => {
    sleeps.push(ms);
    return Promise.resolve();
  };
  const dev = await DfuseDevice.open(loop, { sleep });
  /** Plugs the (reset) device in again and opens it, as the lab re-adds it. */
  const reconnect = () => DfuseDevice.open(replug(), { sleep });
  return { sim, loop, dev, sleeps, resets, reconnect };
}

function pattern(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

Deno.test("open reads the alternate settings, the transfer size and the DfuSe commands", async () => {
  const { dev } = await connect();
  assert.deepEqual(dev.alternates.map((a) => a.layout.name), [
    "Internal Flash",
    "Option Bytes",
    "OTP Memory",
    "Device Feature",
  ]);
  assert.equal(dev.alternates[0].text, "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg");
  assert.equal(dev.transferSize, 2048);
  assert.equal(dev.interfaceNumber, 0);
  assert.deepEqual(await dev.getCommands(), [0x00, 0x21, 0x41, 0x92]);
  assert.equal(await dev.getState(), DfuState.dfuIDLE);
});

Deno.test("erasePage erases only the sector holding the address and honours bwPollTimeout", async () => {
  const { sim, dev, sleeps } = await connect();
  sim.flash.program(0x0800_4000, new Uint8Array([1, 2, 3, 4]));
  sim.flash.program(0x0800_8000, new Uint8Array([5, 6, 7, 8]));
  await dev.erasePage(0x0800_4010);
  assert.deepEqual(sim.flash.read(0x0800_4000, 4), new Uint8Array([0xff, 0xff, 0xff, 0xff]));
  assert.deepEqual(sim.flash.read(0x0800_8000, 4), new Uint8Array([5, 6, 7, 8]));
  // The F405 reports 100 ms for an erase (dfu-util -v -v capture); the host waited that long.
  assert.ok(sleeps.includes(100), `waits: ${sleeps}`);
});

Deno.test("massErase erases the whole flash; the F405's 100 ms report is stretched to 35 s", async () => {
  const { sim, dev, sleeps } = await connect();
  sim.flash.program(FLASH, new Uint8Array([1, 2, 3, 4]));
  sim.flash.program(0x080f_fffc, new Uint8Array([1, 2, 3, 4]));
  await dev.massErase();
  assert.ok(sim.flash.bytes.every((b) => b === 0xff));
  assert.ok(sleeps.includes(35_000), `waits: ${sleeps}`);
});

Deno.test("download then upload round-trips across F405 sector boundaries (16 KiB -> 64 KiB)", async () => {
  const { sim, dev } = await connect();
  const start = 0x0800_f000;
  const data = pattern(40 * KIB + 3);
  await dev.erasePage(0x0800_c000);
  await dev.erasePage(0x0801_0000);
  const progress: number[] = [];
  await dev.download(start, data, (done) => progress.push(done));
  assert.deepEqual(sim.flash.read(start, data.length), data);
  assert.equal(progress.at(-1), data.length);
  assert.equal(progress.length, Math.ceil(data.length / 2048) + 1);
  const back = await dev.upload(start - 5, data.length + 10);
  assert.deepEqual(back.subarray(5, 5 + data.length), data);
  assert.deepEqual(back.subarray(0, 5), new Uint8Array(5).fill(0xff));
  assert.equal(await dev.getState(), DfuState.dfuIDLE);
});

Deno.test("download then upload round-trips across L433 pages with an odd length (double-word padding)", async () => {
  const { sim, dev } = await connect("stm32l433rc");
  const data = pattern(5001, 7);
  for (const page of [0x0800_0800, 0x0800_1000, 0x0800_1800, 0x0800_2000]) await dev.erasePage(page);
  await dev.download(0x0800_0800, data);
  assert.deepEqual(await dev.upload(0x0800_0800, data.length), data);
  assert.deepEqual(sim.flash.read(0x0800_0800 + data.length, 3), new Uint8Array([0xff, 0xff, 0xff]));
});

Deno.test("leave: dfuMANIFEST, then the device leaves the bus", async () => {
  const { sim, loop, dev, resets } = await connect();
  await dev.leave(0x0800_4000);
  // Give the simulated jump its turn.
  await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(resets, ["leave"]);
  assert.equal(loop.connected, false);
  assert.equal(sim.resets, 1);
  assert.equal(sim.jumpAddress, 0x0800_4000);
});

Deno.test("option-byte write: the device applies the bytes, resets, and comes back read-protected", async () => {
  const { sim, dev, resets, reconnect } = await connect();
  await dev.selectAlternate("Option Bytes");
  const options = await dev.upload(0x1fff_c000, 16);
  assert.deepEqual(options, sim.optionBytes);
  assert.equal(options[1], 0xaa);
  const changed = options.slice();
  changed[1] = 0xbb; // RDP level 1
  assert.equal(await dev.writeOptionBytes(changed), "device reset");
  assert.deepEqual(resets, ["option-bytes"]);
  assert.equal(sim.readProtection, 1);
  assert.equal(sim.optionBytes[3], 0x44); // the complement of RDP, stored by the flash interface
  const again = await reconnect();
  const error = await rejectsWith(again.upload(FLASH, 16), DfuStatusError);
  assert.equal(error.code, "E_DFU_ERRVENDOR");
  assert.match(error.message, /dfuERROR/);
  assert.match(error.message, /errVENDOR/);
});

Deno.test("readUnprotect mass-erases, clears RDP and resets", async () => {
  const flash = pattern(4096);
  const optionBytes = createDfuseSimulator("stm32l433rc").optionBytes.slice();
  optionBytes[0] = 0x55; // RDP level 1 on L4 (byte 0 of FLASH_OPTR)
  const { sim, dev, resets, reconnect } = await connect("stm32l433rc", { flash, optionBytes });
  assert.equal(sim.readProtection, 1);
  const blocked = await rejectsWith(dev.erasePage(FLASH), DfuStatusError);
  assert.equal(blocked.code, "E_DFU_ERRVENDOR");
  assert.equal(await dev.readUnprotect(), "device reset");
  assert.deepEqual(resets, ["read-unprotect"]);
  assert.equal(sim.readProtection, 0);
  const again = await reconnect();
  assert.deepEqual(await again.upload(FLASH, 64), new Uint8Array(64).fill(0xff));
});

Deno.test("programming flash that is not erased surfaces errPROG with state and address", async () => {
  const { sim, dev } = await connect();
  sim.flash.program(0x0800_0800, new Uint8Array([0, 0, 0, 0]));
  const error = await rejectsWith(dev.download(FLASH, pattern(4096)), DfuStatusError);
  assert.equal(error.code, "E_DFU_ERRPROG");
  assert.equal(error.status, DfuStatus.errPROG);
  assert.equal(error.state, DfuState.dfuERROR);
  assert.match(error.message, /write at 0x08000800.*dfuERROR.*errPROG/);
  assert.ok(error.hint?.includes("erase"));
});

Deno.test("an address outside every segment surfaces errTARGET", async () => {
  const { dev } = await connect();
  const error = await rejectsWith(dev.setAddressPointer(0x0900_0000), DfuStatusError);
  assert.equal(error.code, "E_DFU_ERRTARGET");
  assert.match(error.message, /0x09000000/);
  // The host refuses what the layout already forbids, before touching the device.
  const input = await rejectsWith(dev.download(0x0810_0000, new Uint8Array(4)), InputError);
  assert.equal(input.code, "E_DFU_ADDRESS");
});

Deno.test("an unknown DfuSe command surfaces errSTALLEDPKT; CLRSTATUS recovers from dfuERROR", async () => {
  const { sim, dev } = await connect();
  const error = await rejectsWith(dev.sendCommand(new Uint8Array([0x55]), "command 0x55"), DfuStatusError);
  assert.equal(error.code, "E_DFU_ERRSTALLEDPKT");
  assert.equal(await dev.getState(), DfuState.dfuERROR);
  await dev.ensureIdle();
  assert.equal(sim.state, DfuState.dfuIDLE);
  assert.equal(sim.status, DfuStatus.OK);
  // And the device works again.
  await dev.erasePage(FLASH);
});

Deno.test("ensureIdle aborts dfuUPLOAD-IDLE", async () => {
  const { sim, loop, dev } = await connect();
  await loop.controlIn({ bmRequestType: 0xa1, bRequest: 2, wValue: 2, wIndex: 0, wLength: 16 }, 1000);
  assert.equal(await dev.getState(), DfuState.dfuUPLOAD_IDLE);
  await dev.ensureIdle();
  assert.equal(sim.state, DfuState.dfuIDLE);
});

Deno.test("a wrong alternate-setting name is an InputError listing the device's names", async () => {
  const { dev } = await connect("stm32l433rc");
  const error = await rejectsWith(dev.selectAlternate("External Flash"), InputError);
  assert.equal(error.code, "E_DFU_ALT");
  assert.match(error.hint ?? "", /0 "Internal Flash", 1 "Option Bytes", 2 "OTP Memory", 3 "Device Feature"/);
  assert.equal((await dev.selectAlternate("otp  memory")).alternateSetting, 2);
});

Deno.test("a device that vanishes mid-download names the last address completed", async () => {
  const { sim, loop, dev } = await connect();
  await dev.erasePage(FLASH);
  // Set Address Pointer (3 transfers), two blocks (3 each), then the third block's DNLOAD; its GETSTATUS fails.
  loop.unplugAfter(10);
  const error = await rejectsWith(dev.download(FLASH, pattern(8192)), DfuDisconnectedError);
  assert.equal(error.code, "E_DFU_DISCONNECTED");
  assert.equal(error.completedUpTo, FLASH + 4096);
  assert.match(error.message, /last block completed ended at 0x08000fff/);
  assert.deepEqual(sim.flash.read(FLASH, 4096), pattern(8192).subarray(0, 4096));
});

Deno.test("open clears a device left in dfuERROR (as dfu-util finds some bootloaders)", async () => {
  const sim = createDfuseSimulator("stm32f405rg");
  await sim.handleControl({ bmRequestType: 0x21, bRequest: 4, wValue: 0, wIndex: 0, wLength: 0 }, new Uint8Array(0));
  assert.equal(sim.state, DfuState.dfuERROR);
  const dev = await DfuseDevice.open(new UsbLoopback(sim), { sleep: () => Promise.resolve() });
  assert.equal(sim.state, DfuState.dfuIDLE);
  assert.equal(dev.alternate.alternateSetting, 0);
});

Deno.test("a read of a read-protected device names the address and errVENDOR", async () => {
  const optionBytes = createDfuseSimulator("stm32f405rg").optionBytes.slice();
  optionBytes[1] = 0x00; // RDP level 1
  const { dev } = await connect("stm32f405rg", { optionBytes });
  const error = await rejectsWith(dev.upload(0x0800_4000, 32), DfuStatusError);
  assert.equal(error.code, "E_DFU_ERRVENDOR");
  assert.equal(error.address, 0x0800_4000);
  assert.match(error.message, /read at 0x08004000/);
  assert.match(error.hint ?? "", /read-unprotect/);
});

Deno.test("OTP memory: written once, never erased", async () => {
  const { dev } = await connect();
  await dev.selectAlternate("OTP Memory");
  const data = pattern(32, 3);
  await dev.download(0x1fff_7800, data);
  assert.deepEqual(await dev.upload(0x1fff_7800, 32), data);
  assert.equal((await rejectsWith(dev.download(0x1fff_7800, data), DfuStatusError)).code, "E_DFU_ERRPROG");
  assert.equal((await rejectsWith(dev.massErase(), DfuStatusError)).code, "E_DFU_ERRTARGET");
  // The host refuses a page erase the layout forbids (OTP is not erasable).
  assert.equal((await rejectsWith(dev.erasePage(0x1fff_7800), InputError)).code, "E_DFU_ADDRESS");
});

Deno.test("hints follow what the host knows: no 'erase first' right after its own erase, no 'outside' for a checked address", async () => {
  // Issue 14 #9.
  const { sim, dev } = await connect("stm32l433rc");
  sim.injectFaults([{ kind: "error-status", at: "write", status: DfuStatus.errPROG }]);
  await dev.erasePage(FLASH);
  const afterErase = await rejectsWith(dev.download(FLASH, pattern(64)), DfuStatusError);
  assert.equal(afterErase.code, "E_DFU_ERRPROG");
  assert.doesNotMatch(afterErase.hint ?? "", /erase the page first/);
  assert.match(afterErase.hint ?? "", /erased that page moments before/);
  // A page the host did not erase: erasing it is the advice.
  sim.injectFaults([{ kind: "nack-once", at: "write" }]);
  const notErased = await rejectsWith(dev.download(FLASH + 0x800, pattern(64)), DfuStatusError);
  assert.match(notErased.hint ?? "", /erase the page first/);
  // errTARGET for an address inside the layout the device described.
  sim.injectFaults([{ kind: "error-status", at: "set-address", status: DfuStatus.errTARGET }]);
  const inside = await rejectsWith(dev.setAddressPointer(FLASH + 0x1000), DfuStatusError);
  assert.equal(inside.code, "E_DFU_ERRTARGET");
  assert.doesNotMatch(inside.hint ?? "", /outside every memory segment/);
  assert.match(inside.hint ?? "", /inside "Internal Flash" as the device itself describes it/);
  // And for one outside it, the old advice stands.
  const outside = await rejectsWith(dev.setAddressPointer(0x0900_0000), DfuStatusError);
  assert.match(outside.hint ?? "", /outside every memory segment/);
});
