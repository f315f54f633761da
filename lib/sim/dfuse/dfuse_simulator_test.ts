import assert from "node:assert/strict";
import { STALL } from "../../transport/usb/control.ts";
import type { UsbSetup } from "../../transport/usb/control.ts";
import { DfuState } from "../../protocol/dfu/state.ts";
import { DfuStatus } from "../../protocol/dfu/status.ts";
import type { SimClock } from "../timing.ts";
import { createDfuseSimulator } from "./dfuse_simulator.ts";
import { loadFlashFile, saveFlashFile } from "./flash_file.ts";
import { UsbLoopback } from "./loopback.ts";
import { bootloaderSerial } from "./serial.ts";

const out = (bRequest: number, wValue: number, wLength: number): UsbSetup => ({
  bmRequestType: 0x21,
  bRequest,
  wValue,
  wIndex: 0,
  wLength,
});
const inp = (bRequest: number, wValue: number, wLength: number): UsbSetup => ({
  ...out(bRequest, wValue, wLength),
  bmRequestType: 0xa1,
});
const GETSTATUS = inp(3, 0, 6);

function recordingClock(): SimClock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, sleep: (ms) => (slept.push(ms), Promise.resolve()) };
}

Deno.test("device descriptor and strings are those of the ST bootloader", async () => {
  const sim = createDfuseSimulator("stm32f405rg");
  const loop = new UsbLoopback(sim);
  const device = await loop.controlIn(
    { bmRequestType: 0x80, bRequest: 6, wValue: 0x0100, wIndex: 0, wLength: 18 },
    100,
  );
  const view = new DataView(device.buffer);
  assert.deepEqual([view.getUint16(8, true), view.getUint16(10, true), view.getUint16(12, true)], [
    0x0483,
    0xdf11,
    0x2200,
  ]);
  const config = await loop.controlIn(
    { bmRequestType: 0x80, bRequest: 6, wValue: 0x0200, wIndex: 0, wLength: 255 },
    100,
  );
  assert.equal(config[2] | (config[3] << 8), 0x36); // lsusb -v: wTotalLength 0x0036
  assert.equal(config.length, 0x36);
  assert.equal(await loop.getStringDescriptor(1), "STMicroelectronics");
  assert.equal(await loop.getStringDescriptor(2), "STM32  BOOTLOADER");
  assert.equal(await loop.getStringDescriptor(3), sim.serial);
  assert.equal(await loop.getStringDescriptor(5), "@Option Bytes  /0x1FFFC000/01*016 e");
  assert.equal(await loop.getStringDescriptor(7), "@Device Feature/0xFFFF0000/01*004 e");
});

Deno.test("the serial string derives from the unique ID as ST's USB stack does", () => {
  // UID bytes 41 00 33 00 11 47 33 33 35 35 38 30: 30, 38+33, 35, 35+41, 33, 33.
  const uid = new Uint8Array([0x41, 0x00, 0x33, 0x00, 0x11, 0x47, 0x33, 0x33, 0x35, 0x35, 0x38, 0x30]);
  assert.equal(bootloaderSerial(uid), "306B35763333");
  assert.equal(createDfuseSimulator("stm32f405rg", { uid }).serial, "306B35763333");
  // Byte sums wrap at 8 bits: UID[10] + UID[2] = 0xF0 + 0x20 -> 0x10.
  const wrapping = new Uint8Array([1, 0, 0x20, 0, 0, 0, 0xab, 0xcd, 2, 3, 0xf0, 4]);
  assert.equal(bootloaderSerial(wrapping), "041003" + "03" + "CDAB");
  assert.match(createDfuseSimulator("stm32l433rc").serial, /^[0-9A-F]{12}$/);
});

Deno.test("an erase answers dfuDNBUSY with bwPollTimeout 100, then takes the sector's erase time", async () => {
  const clock = recordingClock();
  const sim = createDfuseSimulator("stm32f405rg", { clock });
  const erase = new Uint8Array([0x41, 0x00, 0x00, 0x02, 0x08]); // sector 5, 128 KiB
  assert.equal(await sim.handleControl(out(1, 0, 5), erase), undefined);
  assert.equal(sim.state, DfuState.dfuDNLOAD_SYNC);
  assert.deepEqual(await sim.handleControl(GETSTATUS, new Uint8Array(0)), new Uint8Array([0, 100, 0, 0, 4, 0]));
  assert.deepEqual(await sim.handleControl(GETSTATUS, new Uint8Array(0)), new Uint8Array([0, 0, 0, 0, 5, 0]));
  assert.deepEqual(clock.slept, [2000]); // DS8626: 128 KiB sector erase 2 s (FLASH_TIMING.F4)
});

Deno.test("requests the state does not allow are stalled and enter dfuERROR", async () => {
  const sim = createDfuseSimulator("stm32l433rc");
  assert.equal(await sim.handleControl(out(4, 0, 0), new Uint8Array(0)), STALL); // CLRSTATUS in dfuIDLE
  assert.equal(sim.state, DfuState.dfuERROR);
  assert.equal(sim.status, DfuStatus.errSTALLEDPKT);
  assert.equal(await sim.handleControl(out(1, 2, 4), new Uint8Array(4)), STALL); // DNLOAD in dfuERROR
  assert.equal(await sim.handleControl(out(4, 0, 0), new Uint8Array(0)), undefined);
  assert.equal(sim.state, DfuState.dfuIDLE);
  assert.equal(await sim.handleControl(out(1, 0, 0), new Uint8Array(0)), STALL); // zero-length DNLOAD in dfuIDLE
  assert.equal(sim.state, DfuState.dfuERROR);
});

Deno.test("an upload outside the selected memory stalls with errTARGET", async () => {
  const sim = createDfuseSimulator("stm32l433rc");
  // Pointer defaults to 0x08000000; block 2 + 127 * 2048 = the last page; block 2 + 128 is past the end.
  assert.equal((await sim.handleControl(inp(2, 2 + 127, 2048), new Uint8Array(0)) as Uint8Array).length, 2048);
  assert.equal(await sim.handleControl(inp(2, 2 + 128, 2048), new Uint8Array(0)), STALL);
  assert.equal(sim.status, DfuStatus.errTARGET);
});

Deno.test("the flash file round-trips through load and save", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/flash.bin`;
  try {
    assert.equal(await loadFlashFile(path, 256 * 1024), undefined);
    const sim = createDfuseSimulator("stm32l433rc");
    sim.flash.program(0x0800_0000, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    await saveFlashFile(path, sim.flash);
    const loaded = await loadFlashFile(path, sim.flash.size);
    const again = createDfuseSimulator("stm32l433rc", { flash: loaded });
    assert.deepEqual(again.flash.read(0x0800_0000, 8), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    await assert.rejects(loadFlashFile(path, 4), /has 262144 bytes/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the simulator also answers standard GET_DESCRIPTOR and SET_INTERFACE itself", async () => {
  const sim = createDfuseSimulator("stm32l433rc");
  const product = await sim.handleControl(
    { bmRequestType: 0x80, bRequest: 6, wValue: 0x0302, wIndex: 0x0409, wLength: 255 },
    new Uint8Array(0),
  ) as Uint8Array;
  assert.equal(new TextDecoder("utf-16le").decode(product.subarray(2)), "STM32  BOOTLOADER");
  const missing = await sim.handleControl(
    { bmRequestType: 0x80, bRequest: 6, wValue: 0x0309, wIndex: 0x0409, wLength: 255 },
    new Uint8Array(0),
  );
  assert.equal(missing, STALL);
  await sim.handleControl({ bmRequestType: 0x01, bRequest: 11, wValue: 2, wIndex: 0, wLength: 0 }, new Uint8Array(0));
  assert.equal(sim.alternateSetting, 2);
});

Deno.test("each simulated part programs in the unit its chip data gives (the host aligns writes to that)", async () => {
  const { chipByPid } = await import("../../chips/database.ts");
  const { DFUSE_PARTS } = await import("./parts.ts");
  for (const profile of Object.values(DFUSE_PARTS)) {
    assert.equal(chipByPid(profile.pid)?.flash.programUnit, profile.programUnit, profile.part);
  }
});
