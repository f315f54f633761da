/**
 * `DfuTarget`: the {@linkcode Target} of a chip in its USB DfuSe bootloader (AN3156), with the same meaning as
 * the USART target so recipe steps run unchanged on both: `writeMemory` needs erased flash, `erase` takes page
 * numbers (the layout's sectors/pages, numbered from 0 as the USART bootloader numbers them) or everything,
 * `protect` resolves once the device is back, `go` leaves the bootloader.
 *
 * Identity: the DfuSe bootloader reports no AN2606 product ID (AN3156 has no Get ID command, and DBGMCU_IDCODE
 * lies outside every alternate setting it lets the host read). The chip is therefore the part the user names,
 * or else the known product whose option-byte and OTP addresses and flash size match the alternate settings
 * (`lib/protocol/dfu/known_chips.ts`), or else a generic profile built from the layout. Chip-database entries
 * (`lib/chips`) win over this layer's own table when both know a product.
 *
 * @module
 */

import { chipByPid, partByName, PARTS } from "../chips/database.ts";
import type { ChipInfo } from "../chips/types.ts";
import { DeviceError, InputError } from "../errors.ts";
import { DfuseDevice, type DfuseDeviceOptions } from "../protocol/dfu/dfuse_device.ts";
import { DFU_SIGNATURES } from "../protocol/dfu/known_chips.ts";
import { layoutPages, layoutSize, type MemoryLayout, segmentAt } from "../protocol/dfu/memory_layout.ts";
import { ReadAhead } from "./read_ahead.ts";
import { DfuseCommand } from "../protocol/dfu/requests.ts";
import { DfuStatusError } from "../protocol/dfu/errors.ts";
import { DfuStatus } from "../protocol/dfu/status.ts";
import type { UsbControlDevice } from "../transport/usb/control.ts";
import type { EraseRequest, ProgressCallback, ProtectionRequest, Target, TargetIdentity } from "./target.ts";
import { isReadProtectedError, readProtectedError } from "./protection.ts";

/** Options of {@linkcode DfuTarget.open}. */
export interface DfuTargetOptions extends Omit<DfuseDeviceOptions, "alternate"> {
  /** Part the user named (e.g. `stm32f405rg`); otherwise the chip is recognised from the layout. */
  part?: string;
  /**
   * Finds and opens the device again after it reset (option-byte write, read-unprotect). Without it the target
   * is unusable after such a reset.
   */
  reconnect?: () => Promise<UsbControlDevice>;
  /**
   * The command line that removes read protection from this very device (e.g. `flashrecipe unprotect read --usb
   * 0483:df11`), named in `E_READ_PROTECTED`; without it the advice names the command without its device selector.
   */
  unlockCommand?: string;
}

const COMMAND_NAMES: Readonly<Record<number, string>> = {
  [DfuseCommand.GET_COMMANDS]: "Get Commands",
  [DfuseCommand.SET_ADDRESS_POINTER]: "Set Address Pointer",
  [DfuseCommand.ERASE]: "Erase",
  [DfuseCommand.READ_UNPROTECT]: "Read Unprotect",
};

// RM0090 §3.7.3 / RM0394 §3.5.1: RDP 0xAA = level 0; 0xBB (anything but 0xAA/0xCC) = level 1. Level 2 (0xCC) is
// irreversible and never written by this tool.
const RDP_LEVEL_0 = 0xaa;
const RDP_LEVEL_1 = 0xbb;

/**
 * How long a read-unprotect may keep the device away: its mass erase (dfu-util dfuse.c allows an F405's 35 s, the
 * datasheet's 32 s with margin) and the re-enumeration after it.
 */
const READ_UNPROTECT_RETURN_MS = 40_000;
/** How long a device may take to come back after an option-byte write (the reconnect itself waits too). */
const RECONNECT_RETRY_MS = 5_000;
/**
 * Largest read-ahead window: 32 wTransferSize blocks of an ST bootloader (2048 bytes) after one Set Address Pointer.
 * A comparison of a whole image then costs about one read of it (lib/target/read_ahead.ts).
 */
const READ_AHEAD_MAX_BYTES = 64 * 1024;
/** Pause between attempts to reach a device that is coming back. */
const RECONNECT_PAUSE_MS = 50;

/** Errors of a device that is busy, resetting or not yet back on the bus: worth another attempt. */
const TRANSIENT_CODES = new Set([
  "E_USB_TIMEOUT",
  "E_USB_NO_DEVICE",
  "E_USB_GONE",
  "E_USB_STALL",
  "E_USB_NOT_FOUND",
  "E_USB_WAIT_TIMEOUT",
  "E_USB_IO",
  "E_DFU_PROTOCOL",
]);

function isTransient(error: unknown): boolean {
  return error instanceof DeviceError && TRANSIENT_CODES.has(error.code);
}

/** Closes a handle of a device that failed to open; a second failure there adds nothing to the first. */
async function closeQuietly(usb: UsbControlDevice): Promise<void> {
  try {
    await usb.close();
  } catch {
    // The device is gone or half-open; the error that brought us here is the one that matters.
  }
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

function findChip(pid: number): ChipInfo | undefined {
  return chipByPid(pid);
}

/** A chip in its DfuSe bootloader. */
export class DfuTarget implements Target {
  readonly identity: TargetIdentity;
  #device: DfuseDevice;
  readonly #options: DfuTargetOptions;
  #gone: string | undefined;
  /** Sequential reads (a page-by-page comparison) served from large uploads; dropped whenever memory may change. */
  readonly #readAhead: ReadAhead;

  private constructor(device: DfuseDevice, identity: TargetIdentity, options: DfuTargetOptions) {
    this.#device = device;
    this.identity = identity;
    this.#options = options;
    this.#readAhead = new ReadAhead(
      async (address, length, progress) =>
        await (await this.#select(address, length)).upload(address, length, progress),
      READ_AHEAD_MAX_BYTES,
      (address) => this.#readableEnd(address),
    );
  }

  /** Opens the DfuSe device on `usb` and works out which chip it is. */
  static async open(usb: UsbControlDevice, options: DfuTargetOptions = {}): Promise<DfuTarget> {
    const device = await DfuseDevice.open(usb, { ...options, alternate: 0 });
    try {
      const commands = (await device.getCommands()).map((c) => COMMAND_NAMES[c] ?? `0x${c.toString(16)}`);
      const { chip, flashSize } = resolveChip(device, options.part);
      const { bootloaderVersion, serial } = await readDeviceIdentity(usb);
      // The ROM bootloader derives its USB serial number from the 96-bit unique ID: the board's identity here.
      const identity = { transport: "dfu" as const, chip, flashSize, commands, bootloaderVersion, uniqueId: serial };
      return new DfuTarget(device, identity, options);
    } catch (error) {
      await device.close();
      throw error;
    }
  }

  /** The DfuSe device currently in use (it changes after a reset when `reconnect` is given). */
  get device(): DfuseDevice {
    return this.#device;
  }

  async readMemory(address: number, length: number, progress?: ProgressCallback): Promise<Uint8Array> {
    this.#usable();
    return await this.#refusedAsLocked(() => this.#readAhead.read(address, length, progress));
  }

  async writeMemory(address: number, data: Uint8Array, progress?: ProgressCallback): Promise<void> {
    await this.#refusedAsLocked(() => this.#writeMemory(address, data, progress));
  }

  async #writeMemory(address: number, data: Uint8Array, progress?: ProgressCallback): Promise<void> {
    this.#readAhead.invalidate();
    const device = await this.#select(address, data.length);
    if (/^option bytes$/i.test(device.alternate.layout.name)) {
      // The bootloader applies option bytes and resets, as the USART Write Memory to option bytes does.
      await device.writeOptionBytes(data, address);
      progress?.(data.length, data.length);
      await this.#afterReset("option-byte write");
      return;
    }
    // Flash programs whole units (a double-word on L4/G4/L5/WB..., RM0394 §3.3.7) once per erase: a block that
    // ended inside a unit would leave its other half to the next block, which the flash then refuses (PROGERR).
    // So the data is widened to whole units, padded with 0xFF (what erased flash holds), and every block starts
    // on a unit boundary (wTransferSize is a multiple of the unit).
    const unit = this.#programUnit(device);
    const aligned = alignToUnit(address, data, unit);
    // Erased flash already reads 0xFF and programming 0xFF changes nothing: download only the blocks that
    // carry data (each run of them after its own Set Address Pointer, AN3156 §5.3).
    const block = device.transferSize;
    if (block % unit !== 0) {
      // Every ST bootloader reports 1024 or 2048 (AN3156); a block that ends inside a unit cannot be sent.
      throw new DeviceError(
        "E_DFU_PROTOCOL",
        `the device's wTransferSize ${block} is not a multiple of the ${unit}-byte flash program unit`,
        { hint: "this bootloader cannot be written safely by this tool; report it with `flashrecipe usb`" },
      );
    }
    let done = 0;
    for (const run of nonBlankRuns(aligned.data, block)) {
      await device.download(aligned.address + run.start, aligned.data.subarray(run.start, run.end), (sent) => {
        progress?.(Math.min(done + sent, data.length), data.length);
      });
      done += run.end - run.start;
    }
    progress?.(data.length, data.length);
  }

  async erase(request: EraseRequest, progress?: ProgressCallback): Promise<void> {
    await this.#refusedAsLocked(() => this.#erase(request, progress));
  }

  async #erase(request: EraseRequest, progress?: ProgressCallback): Promise<void> {
    this.#readAhead.invalidate();
    const device = await this.#flash();
    if (request.kind === "all") {
      progress?.(0, 1);
      await device.massErase();
      progress?.(1, 1);
      return;
    }
    const pages = layoutPages(device.alternate.layout);
    const addresses = request.pages.map((index) => {
      const page = pages[index];
      if (!page) {
        throw new InputError("E_DFU_PAGE", `page ${index} does not exist; the flash has pages 0-${pages.length - 1}`, {
          hint: `"${device.alternate.layout.name}" has ${pages.length} pages`,
        });
      }
      return page.start;
    });
    progress?.(0, addresses.length);
    for (const [done, address] of addresses.entries()) {
      await device.erasePage(address);
      progress?.(done + 1, addresses.length);
    }
  }

  async protect(request: ProtectionRequest): Promise<void> {
    this.#usable();
    this.#readAhead.invalidate();
    switch (request.kind) {
      case "readout-unprotect":
        // AN3156 Read Unprotect: mass erase, RDP back to level 0, reset. The device may hold off requests for the
        // whole mass erase (seconds) after a short bwPollTimeout: that is the command's outcome, not a failure; the
        // proof is the chip coming back with its read protection removed.
        await this.#device.readUnprotect();
        await this.#afterReset("read-unprotect", READ_UNPROTECT_RETURN_MS);
        await this.#checkRdpLevel0();
        this.identity.readProtected = false;
        return;
      case "readout-protect":
        await this.#setRdp(RDP_LEVEL_1);
        await this.#checkReadProtected();
        this.identity.readProtected = true;
        return;
      default:
        throw new InputError("E_DFU_UNSUPPORTED", `${request.kind} is not offered by the DfuSe bootloader`, {
          hint: "write the option bytes directly (their write-protection bits) or use the USART bootloader",
        });
    }
  }

  /** Reads the option-byte area of the chip (through the `Option Bytes` alternate setting). */
  async readOptionBytes(): Promise<Uint8Array> {
    const { address, size } = this.identity.chip.optionBytes;
    return await this.readMemory(address, size);
  }

  /**
   * Writes the whole option-byte area; the bootloader applies it and resets (AN3156), and the target reconnects
   * when it can, like the USART target's `writeOptionBytes`.
   */
  async writeOptionBytes(data: Uint8Array): Promise<void> {
    const { address, size } = this.identity.chip.optionBytes;
    if (data.length !== size) throw new RangeError(`the option-byte area is ${size} bytes, not ${data.length}`);
    await this.writeMemory(address, data);
  }

  async go(address: number): Promise<void> {
    this.#readAhead.invalidate();
    const device = await this.#flash();
    await device.leave(address);
    this.#gone = "it left DFU mode";
  }

  async close(): Promise<void> {
    if (this.#gone === "closed") return;
    this.#gone = "closed";
    this.#readAhead.invalidate();
    await this.#device.close();
  }

  // --- internals ---

  async #setRdp(value: number): Promise<void> {
    const chip = this.identity.chip;
    const rdp = chip.optionBytes.fields.find((f) => f.name === "RDP");
    if (!rdp) throw new InputError("E_DFU_UNSUPPORTED", `no RDP option byte is known for ${chip.name}`);
    const image = await this.readMemory(chip.optionBytes.address, chip.optionBytes.size);
    const byteIndex = rdp.offset + rdp.shift / 8;
    if (image[byteIndex] === value || (value !== RDP_LEVEL_0 && image[byteIndex] !== RDP_LEVEL_0)) return;
    image[byteIndex] = value;
    await this.writeMemory(chip.optionBytes.address, image);
  }

  #usable(): void {
    if (this.#gone) {
      throw new DeviceError("E_DFU_GONE", `the DFU device is no longer usable: ${this.#gone}`, {
        hint: "put the chip back in its bootloader and connect again",
      });
    }
  }

  /** Selects the alternate setting holding `[address, address + length)`. */
  async #select(address: number, length: number): Promise<DfuseDevice> {
    this.#usable();
    const device = this.#device;
    const alternate = device.alternateFor(address);
    if (!alternate) {
      const names = device.alternates.map((a) => `"${a.layout.name}"`).join(", ");
      throw new InputError("E_DFU_ADDRESS", `${hex32(address)} (+${length}) is in no memory the bootloader offers`, {
        hint: `the DfuSe bootloader offers ${names}`,
      });
    }
    if (alternate !== device.alternate) await device.selectAlternate(alternate.alternateSetting);
    return device;
  }

  /** The program unit of the selected memory: the chip's for main flash and OTP (flash cells too), else a byte. */
  #programUnit(device: DfuseDevice): number {
    const flashLike = device.alternate.alternateSetting === 0 || /otp/i.test(device.alternate.layout.name);
    return flashLike ? Math.max(1, this.identity.chip.flash.programUnit) : 1;
  }

  /** Where the run of readable segments holding `address` ends (in the memory that holds it). */
  #readableEnd(address: number): number {
    const layout = this.#device.alternateFor(address)?.layout;
    let end = address;
    for (let segment = layout && segmentAt(layout, end); segment?.readable; segment = segmentAt(layout!, end)) {
      end = segment.start + segment.count * segment.pageSize;
    }
    return end;
  }

  async #flash(): Promise<DfuseDevice> {
    this.#usable();
    if (this.#device.alternate.alternateSetting !== 0) await this.#device.selectAlternate(0);
    return this.#device;
  }

  /**
   * Closes the device that reset and opens it again once it is back. Until `withinMs` has passed, an attempt that
   * finds the device still busy or gone (the old enumeration NAKing or vanishing, the new one not yet there) is
   * repeated; a real chip stays away for its whole mass erase.
   */
  async #afterReset(why: string, withinMs = RECONNECT_RETRY_MS): Promise<void> {
    this.#readAhead.invalidate();
    await this.#device.close();
    const reconnect = this.#options.reconnect;
    if (!reconnect) {
      this.#gone = `it reset after the ${why}`;
      return;
    }
    const deadline = Date.now() + withinMs;
    for (let attempt = 1;; attempt++) {
      let usb: UsbControlDevice | undefined;
      try {
        usb = await reconnect();
        this.#device = await DfuseDevice.open(usb, { ...this.#options, alternate: 0 });
        return;
      } catch (error) {
        if (usb) await closeQuietly(usb);
        if (!isTransient(error)) throw error;
        if (Date.now() >= deadline) {
          this.#gone = `it did not come back after the ${why}`;
          throw new DeviceError(
            "E_DFU_RECONNECT",
            `the DFU device did not come back within ${withinMs / 1000} s after the ${why} (${attempt} attempts)`,
            {
              hint: "it may still be erasing: wait, then put the chip in its bootloader and connect again",
              cause: error,
            },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_PAUSE_MS));
      }
    }
  }

  /**
   * Runs a flash access; the DfuSe answer of a read-protected chip to it (errVENDOR, "read protection active",
   * AN3156; a STALLed upload reads back the same status) becomes `E_READ_PROTECTED` naming the command that unlocks
   * this device, and the identity remembers the chip as locked (what the USART target learns at connect).
   */
  async #refusedAsLocked<T>(access: () => Promise<T>): Promise<T> {
    try {
      return await access();
    } catch (error) {
      if (!(error instanceof DfuStatusError && error.status === DfuStatus.errVENDOR)) throw error;
      this.identity.readProtected = true;
      const command = this.#options.unlockCommand ?? "flashrecipe unprotect read --usb VID:PID";
      throw readProtectedError(this.identity.chip.name, `unlock it with \`${command}\``, error);
    }
  }

  /**
   * After a readout-protect: the device must refuse to upload flash (errVENDOR, AN3156), else the option-byte write
   * did not take effect and the chip is still readable.
   */
  async #checkReadProtected(): Promise<void> {
    if (this.#gone) return; // no reconnect: nothing more can be asked of the device
    try {
      await this.readMemory(this.identity.chip.flash.base, 4);
    } catch (error) {
      if (isReadProtectedError(error)) return;
      throw error;
    }
    throw new DeviceError("E_DFU_PROTECT", "after the readout-protect the device still lets its flash be read", {
      hint: "the option-byte write did not take effect: read the option bytes, then try again",
    });
  }

  /** After a read-unprotect: the RDP option byte must say level 0, else the command did not take effect. */
  async #checkRdpLevel0(): Promise<void> {
    if (this.#gone) return; // no reconnect: nothing more can be asked of the device
    const chip = this.identity.chip;
    const rdp = chip.optionBytes.fields.find((f) => f.name === "RDP");
    if (!rdp || chip.optionBytes.size === 0) return;
    let image: Uint8Array;
    try {
      image = await this.readMemory(chip.optionBytes.address, chip.optionBytes.size);
    } catch (error) {
      // AN3156: a read-protected device refuses uploads with errVENDOR; here that means the unprotect failed.
      if (!isReadProtectedError(error)) throw error;
      throw new DeviceError(
        "E_DFU_UNPROTECT",
        "after the read-unprotect the device still refuses reads as read-protected (errVENDOR)",
        { hint: "the chip did not remove its read protection: RDP level 2 cannot be undone; otherwise try again" },
      );
    }
    const value = image[rdp.offset + rdp.shift / 8];
    if (value !== RDP_LEVEL_0) {
      throw new DeviceError(
        "E_DFU_UNPROTECT",
        `after the read-unprotect the RDP option byte reads 0x${value.toString(16)}, not 0xaa (level 0)`,
        { hint: "the chip did not remove its read protection: RDP level 2 cannot be undone; otherwise try again" },
      );
    }
  }
}

/** Picks the chip: the named part, else the known product matching the layouts, else a generic profile. */
function resolveChip(device: DfuseDevice, partName: string | undefined): { chip: ChipInfo; flashSize: number } {
  const flashLayout = device.alternates[0].layout;
  const layoutBytes = layoutSize(flashLayout);
  if (partName !== undefined) {
    const part = partByName(partName);
    const chip = part && findChip(part.pid);
    if (!part || !chip) {
      throw new InputError("E_DFU_PART", `unknown part ${JSON.stringify(partName)}`, {
        hint: `name a part of the chip database, e.g. ${
          PARTS.filter((p) => p.pid === 0x413).map((p) => p.part).join(", ")
        }`,
      });
    }
    return { chip, flashSize: part.flashSize };
  }
  const startOf = (name: string) =>
    device.alternates.find((a) => a.layout.name.toLowerCase() === name)?.layout.segments[0]?.start;
  const signature = DFU_SIGNATURES.find((s) =>
    s.optionBytes === startOf("option bytes") && s.otp === startOf("otp memory") &&
    s.flashSizes.includes(layoutBytes)
  );
  const known = signature && findChip(signature.pid);
  if (known) return { chip: known, flashSize: layoutBytes };
  return { chip: genericChip(flashLayout, device), flashSize: layoutBytes };
}

/** A chip profile made from what the bootloader shows, for products this tool does not know. */
function genericChip(flash: MemoryLayout, device: DfuseDevice): ChipInfo {
  const options = device.alternates.find((a) => /^option bytes$/i.test(a.layout.name))?.layout.segments[0];
  const base = Math.min(...flash.segments.map((s) => s.start));
  return {
    pid: 0,
    name: `unknown DfuSe device (${flash.name})`,
    family: "unknown",
    source: "DfuSe alternate-setting strings of the device",
    flash: {
      base,
      maxSize: layoutSize(flash),
      banks: [{
        name: "bank 1",
        regions: flash.segments.map((s) => ({ start: s.start, pageSize: s.pageSize, count: s.count })),
      }],
      programUnit: 8,
    },
    ram: { base: 0x2000_0000, size: 0, userStart: 0x2000_0000 },
    systemMemory: { base: 0x1fff_0000, size: 0 },
    optionBytes: { address: options?.start ?? 0, size: options ? options.pageSize * options.count : 0, fields: [] },
    bootloaderVersions: [],
    eraseCommand: 0x44,
    quirks: [],
  };
}

/** bcdDevice of the device descriptor as `major.minor`, e.g. 0x2200 -> `2.2` (AN2606 lists DFU version V2.2). */
async function readDeviceIdentity(
  usb: UsbControlDevice,
): Promise<{ bootloaderVersion?: string; serial?: string }> {
  // GET_DESCRIPTOR(DEVICE) (USB 2.0 §9.6.1): bcdDevice at 12, iSerialNumber at 16.
  const descriptor = await usb.controlIn(
    { bmRequestType: 0x80, bRequest: 6, wValue: 0x0100, wIndex: 0, wLength: 18 },
    1000,
  );
  if (descriptor.length < 14 || descriptor[1] !== 1) return {};
  const bcd = descriptor[12] | (descriptor[13] << 8);
  const bootloaderVersion = `${(bcd >> 12) & 0xf}.${(bcd >> 8) & 0xf}`;
  const serialIndex = descriptor.length >= 17 ? descriptor[16] : 0;
  const serial = serialIndex ? (await usb.getStringDescriptor(serialIndex)) || undefined : undefined;
  return { bootloaderVersion, serial };
}

/**
 * `data` at `address` widened to whole program units of `unit` bytes: starting on a unit boundary, ending on one,
 * the added bytes 0xFF (what erased flash holds, so programming them changes nothing).
 */
export function alignToUnit(address: number, data: Uint8Array, unit: number): { address: number; data: Uint8Array } {
  const start = address - (address % unit);
  const end = Math.ceil((address + data.length) / unit) * unit;
  if (start === address && end === address + data.length) return { address, data };
  const padded = new Uint8Array(end - start).fill(0xff);
  padded.set(data, address - start);
  return { address: start, data: padded };
}

/** Runs of `block`-sized pieces of `data` (aligned to its start) that are not all 0xFF, as offsets. */
export function nonBlankRuns(data: Uint8Array, block: number): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = [];
  for (let start = 0; start < data.length; start += block) {
    const end = Math.min(start + block, data.length);
    if (data.subarray(start, end).every((b) => b === 0xff)) continue;
    const last = runs[runs.length - 1];
    if (last && last.end === start) last.end = end;
    else runs.push({ start, end });
  }
  return runs;
}
