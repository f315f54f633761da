/**
 * DFU bench rows: the DfuSe simulator (lib/sim/dfuse) with the datasheet erase/program times and the full-speed
 * USB time of every control transfer, plugged into the virtual USB lab (scripts/usb_lab), where flashrecipe and
 * dfu-util run unmodified through libusb.
 *
 * The limit of a DfuSe write+verify (AN3156; DFU 1.1 §6.1.2: the host waits bwPollTimeout before the next
 * GETSTATUS):
 *
 *   limit = Σ usbFullSpeedControlMs(transfer)                  every control transfer on the bus (lib/sim/timing.ts)
 *         + Σ over Set Address Pointer, erase and data blocks: the wait GETSTATUS imposes, i.e. the device's busy
 *           time rounded up to whole bwPollTimeouts (a poll before it is over costs another bwPollTimeout)
 *
 * counting, with the fewest requests the protocol allows: per sector touched, an Erase command (DNLOAD 5 bytes,
 * GETSTATUS busy, GETSTATUS idle); Set Address Pointer once (5 bytes, two GETSTATUS); per wTransferSize block, a
 * DNLOAD and two GETSTATUS; then the verify: Set Address Pointer, ABORT, and one UPLOAD per block.
 *
 * A re-flash (the flash already holds the image) needs none of the erase and write: its limit is the one read that
 * proves the flash holds the image, i.e. the verify's part alone.
 *
 * @module
 */

import type { ControlReply, SimulatedUsbDevice, UsbSetup } from "../../lib/transport/usb/control.ts";
import { createDfuseSimulator, type DfuseSimulator } from "../../lib/sim/dfuse/dfuse_simulator.ts";
import { DFUSE_PARTS, type DfusePartName } from "../../lib/sim/dfuse/parts.ts";
import { layoutSize, parseMemoryLayout } from "../../lib/protocol/dfu/memory_layout.ts";
import { realTimeClock, usbFullSpeedControlMs } from "../../lib/sim/timing.ts";
import { startUsbLab } from "../usb_lab/lab.ts";
import { nonBlankChunks } from "./images.ts";

/** A DfuSe simulator whose control transfers also take their full-speed bus time. */
export class TimedDfuseDevice implements SimulatedUsbDevice {
  /** The simulated bootloader (erase/program durations on a real-time clock). */
  readonly simulator: DfuseSimulator;
  /** The bus, paced separately: transfers go on while the flash is busy (GETSTATUS polls during an erase). */
  readonly #bus = realTimeClock(1);

  constructor(part: DfusePartName, flash?: Uint8Array) {
    this.simulator = createDfuseSimulator(part, { clock: realTimeClock(1), flash });
  }

  descriptors(): Uint8Array {
    return this.simulator.descriptors();
  }

  strings(): ReadonlyMap<number, string> {
    return this.simulator.strings();
  }

  setAlternateSetting(interfaceNumber: number, alternateSetting: number): void {
    this.simulator.setAlternateSetting(interfaceNumber, alternateSetting);
  }

  async handleControl(setup: UsbSetup, data: Uint8Array): Promise<ControlReply> {
    const reply = await this.simulator.handleControl(setup, data);
    const inBytes = reply instanceof Uint8Array ? reply.length : 0;
    await this.#bus.sleep(usbFullSpeedControlMs(Math.max(data.length, inBytes)));
    return reply;
  }
}

/** Flash size of a DfuSe part (its first alternate setting's layout). */
export function dfuseFlashSize(part: DfusePartName): number {
  return layoutSize(parseMemoryLayout(DFUSE_PARTS[part].alternates[0]));
}

/**
 * The limit of a write+verify of `image` at the start of flash, in ms (formula above); with `reflash`, of proving that
 * the flash already holds it.
 */
export function dfuseLimit(
  part: DfusePartName,
  image: Uint8Array,
  reflash = false,
): { totalMs: number; usbMs: number; waitMs: number } {
  const profile = DFUSE_PARTS[part];
  const block = profile.functional.wTransferSize;
  const polls = profile.pollTimeouts;
  const timing = profile.timing;
  const layout = parseMemoryLayout(profile.alternates[0]);
  const status = usbFullSpeedControlMs(6);
  const command = usbFullSpeedControlMs(5);
  let usbMs = 0, waitMs = 0;
  const waitFor = (busyMs: number, poll: number) => poll * Math.max(1, Math.ceil(busyMs / poll));
  if (reflash) {
    const read = readLimit(image.length, block, polls.setAddress);
    return { totalMs: read.usbMs + read.waitMs, ...read };
  }
  // Erase every sector the image touches.
  let address = 0;
  for (const segment of layout.segments) {
    for (let i = 0; i < segment.count && address < image.length; i++, address += segment.pageSize) {
      usbMs += command + 2 * status;
      waitMs += waitFor(timing.eraseMs(segment.pageSize), polls.erase);
    }
  }
  // Set Address Pointer, then the blocks that hold data (an all-0xFF block need not be sent to erased flash).
  usbMs += command + 2 * status;
  waitMs += polls.setAddress;
  for (const size of nonBlankChunks(image, block)) {
    usbMs += usbFullSpeedControlMs(size) + 2 * status;
    waitMs += waitFor((Math.ceil(size / profile.programUnit) * timing.programUnitUs) / 1000, polls.write);
  }
  const read = readLimit(image.length, block, polls.setAddress);
  usbMs += read.usbMs;
  waitMs += read.waitMs;
  return { totalMs: usbMs + waitMs, usbMs, waitMs };
}

/** Reading `length` bytes back: Set Address Pointer (two GETSTATUS), back to idle, one UPLOAD per block. */
function readLimit(length: number, block: number, setAddressPoll: number): { usbMs: number; waitMs: number } {
  let usbMs = usbFullSpeedControlMs(5) + 2 * usbFullSpeedControlMs(6) + usbFullSpeedControlMs(0);
  for (let at = 0; at < length; at += block) usbMs += usbFullSpeedControlMs(Math.min(block, length - at));
  return { usbMs, waitMs: setAddressPoll };
}

/** One timed tool run inside a fresh lab holding one simulated chip. */
export async function runInLab(
  part: DfusePartName,
  initialFlash: Uint8Array | undefined,
  commands: [string, string[]][],
): Promise<{ ms: number; flash: Uint8Array; outputs: string[] }> {
  const device = new TimedDfuseDevice(part, initialFlash);
  const lab = await startUsbLab({ devices: [device] });
  const outputs: string[] = [];
  let ms = 0;
  try {
    for (const [command, args] of commands) {
      const start = performance.now();
      const result = await lab.output(command, args);
      ms += performance.now() - start;
      outputs.push(result.stdout + result.stderr);
      if (result.code !== 0) {
        throw new Error(`${command} ${args.join(" ")} failed (exit ${result.code}):\n${outputs.at(-1)}`);
      }
    }
  } finally {
    await lab.close();
  }
  return { ms, flash: device.simulator.flash.read(0x0800_0000, dfuseFlashSize(part)), outputs };
}
