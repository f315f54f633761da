/**
 * A simulated ST DfuSe bootloader (USB DFU 1.1 with ST's extensions, AN3156) as the STM32F405RG and STM32L433RC
 * present it: the DFU state machine of DFU 1.1 §6-§7 with the DfuSe commands, flash that must be erased before
 * it is programmed, read protection, option-byte writes that reset the device, and flash timing through an
 * injected {@linkcode SimClock}.
 *
 * How it follows the real bootloader:
 * - A DFU_DNLOAD only stores the request (dfuDNLOAD-SYNC); the first DFU_GETSTATUS answers dfuDNBUSY with the
 *   part's bwPollTimeout and starts the work (AN3156: "the command is executed on the GETSTATUS that follows").
 *   Requests that arrive while the work runs wait for it, as the device NAKs them; the next GETSTATUS then
 *   reports dfuDNLOAD-IDLE, or dfuERROR with the status.
 * - Unknown or malformed commands: dfuERROR / errSTALLEDPKT (AN2662 §4.5 Figure 55, the same DfuSe protocol).
 * - Address outside the selected memory: dfuERROR / errTARGET; flash read protection active: dfuERROR / errVENDOR
 *   for uploads, writes and erases (AN3156; AN2662 §4.4.1, §4.5.3).
 * - Programming flash that is not erased: dfuERROR / errPROG (the silicon's PROGERR/PGSERR; the ROM's exact
 *   status is not documented, errPROG is this model's choice).
 * - A request the current state does not allow is STALLed and moves the device to dfuERROR (DFU 1.1 §6.1,
 *   Appendix A.2), with errSTALLEDPKT.
 * - DFU_UPLOAD address = pointer + (wBlockNum - 2) * wTransferSize, wTransferSize being the descriptor's
 *   (STM32Cube usbd_dfu.c uses the fixed transfer size, so a short last block still lands right).
 * - Option-byte writes, Read Unprotect and leave end with the device leaving the bus: the model resets itself
 *   and calls `onReset`, so a lab can drop and re-add the USB device.
 *
 * @module
 */

import { STALL } from "../../transport/usb/control.ts";
import type { ControlReply, SimulatedUsbDevice, UsbSetup } from "../../transport/usb/control.ts";
import { layoutAllows, parseMemoryLayout, segmentAt } from "../../protocol/dfu/memory_layout.ts";
import { DfuRequest, DFUSE_FIRST_DATA_BLOCK, DfuseCommand } from "../../protocol/dfu/requests.ts";
import { DfuState } from "../../protocol/dfu/state.ts";
import { DfuStatus } from "../../protocol/dfu/status.ts";
import { FlashProgramError } from "../flash_memory.ts";
import type { FlashMemory } from "../flash_memory.ts";
import { INSTANT, type SimClock } from "../timing.ts";
import { configurationDescriptor, deviceDescriptor, stringTable } from "./descriptors.ts";
import { FaultSchedule, type FaultSpec } from "../faults.ts";
import { type DfuseFaultAction, dfuseFaultAt, type DfuseFaultPoint, withStuckBits } from "./faults.ts";
import { ByteMemory, FlashBackedMemory, type SimMemory } from "./memories.ts";
import { DFUSE_PARTS, type DfusePartName, type DfusePartProfile } from "./parts.ts";
import { bootloaderSerial } from "./serial.ts";
import { answerGetDescriptor, isGetDescriptor, StandardRequest } from "./standard_requests.ts";

/** Why the simulated device left the bus. */
export type DfuseResetReason = "leave" | "option-bytes" | "read-unprotect" | "unplug";

/** Options of {@linkcode createDfuseSimulator}. */
export interface DfuseSimulatorOptions {
  /** Clock that erase/program durations are slept on (default {@linkcode INSTANT}). */
  clock?: SimClock;
  /** Initial main-flash contents (e.g. from a `--flash-file`); units holding data count as programmed. */
  flash?: Uint8Array;
  /** Initial option bytes, as the option-byte alternate setting reads them (default: factory values). */
  optionBytes?: Uint8Array;
  /** 96-bit unique ID (12 bytes) from which the USB serial string derives. */
  uid?: Uint8Array;
  /** Called when the device resets or leaves DFU: the lab drops the USB device (and re-adds it after a reset). */
  onReset?: (reason: DfuseResetReason) => void;
  /** Faults to commit (lib/sim/faults.ts; the DfuSe points and kinds are in lib/sim/dfuse/faults.ts). */
  faults?: readonly FaultSpec[];
}

/** A pending DfuSe operation, stored by DFU_DNLOAD and run on the next DFU_GETSTATUS. */
type Pending =
  | { kind: "command"; bytes: Uint8Array; fault?: DfuseFaultAction }
  | { kind: "write"; block: number; data: Uint8Array; fault?: DfuseFaultAction };

/** What the work started by DFU_GETSTATUS does once its time has passed. */
interface Work {
  /** Reported bwPollTimeout. */
  pollTimeout: number;
  /** Simulated duration in milliseconds. */
  durationMs: number;
  /** Real milliseconds the work holds off requests beyond its duration (a `slow` fault). */
  holdOffMs?: number;
  /** Applies the effect; returns the resulting status, and a reset reason if the device resets. */
  apply(): { status: DfuStatus; reset?: DfuseResetReason };
}

const CLASS_INTERFACE_OUT = 0x21;
const CLASS_INTERFACE_IN = 0xa1;

function rdpLevel(rdp: number): 0 | 1 | 2 {
  // RM0090 §3.7.3 / RM0394 §3.5.1: 0xAA = level 0, 0xCC = level 2, any other value = level 1.
  return rdp === 0xaa ? 0 : rdp === 0xcc ? 2 : 1;
}

/** The simulated bootloader. Implements the device side of a USB control pipe. */
export class DfuseSimulator implements SimulatedUsbDevice {
  /** The part being simulated. */
  readonly profile: DfusePartProfile;
  /** USB serial string derived from the unique ID. */
  readonly serial: string;
  /** One memory per alternate setting, in alternate-setting order. */
  readonly memories: readonly SimMemory[];
  /** How many times the device has reset or left DFU. */
  resets = 0;
  /** Where the last leave jumped to (the address pointer at the time), if the device has left DFU. */
  jumpAddress: number | undefined;
  /** The faults this device commits; {@linkcode injectFaults} replaces them. */
  faults: FaultSchedule;
  readonly #clock: SimClock;
  readonly #onReset?: (reason: DfuseResetReason) => void;
  readonly #descriptors: Uint8Array;
  readonly #strings: Map<number, string>;
  readonly #flash: FlashBackedMemory;
  readonly #options: ByteMemory;
  #state: DfuState = DfuState.dfuIDLE;
  #status: DfuStatus = DfuStatus.OK;
  #alt = 0;
  #pointer: number;
  #pending: Pending | undefined;
  #busy: Promise<void> | undefined;

  constructor(profile: DfusePartProfile, options: DfuseSimulatorOptions = {}) {
    this.profile = profile;
    this.#clock = options.clock ?? INSTANT;
    this.#onReset = options.onReset;
    this.faults = new FaultSchedule(options.faults);
    this.serial = bootloaderSerial(options.uid ?? profile.uid);
    const layouts = profile.alternates.map(parseMemoryLayout);
    this.#flash = new FlashBackedMemory(layouts[0], profile.programUnit, profile.singleProgramPerErase);
    if (options.flash) this.#flash.flash.load(options.flash);
    this.#options = new ByteMemory(layouts[1], options.optionBytes ?? profile.optionBytes);
    const otp = new FlashBackedMemory(layouts[2], profile.otpProgramUnit, false);
    const feature = new ByteMemory(layouts[3], new Uint8Array(4));
    this.memories = [this.#flash, this.#options, otp, feature];
    // AN2662 §4.4.1: without a Set Address Pointer the pointer is the start of internal flash.
    this.#pointer = layouts[0].segments[0].start;
    this.#descriptors = new Uint8Array([...deviceDescriptor(profile), ...configurationDescriptor(profile)]);
    this.#strings = stringTable(profile, this.serial);
  }

  /** The main flash model. */
  get flash(): FlashMemory {
    return this.#flash.flash;
  }

  /** The option bytes as the option-byte alternate setting reads them (live view). */
  get optionBytes(): Uint8Array {
    return this.#options.bytes;
  }

  /** Read-protection level from the RDP option byte. */
  get readProtection(): 0 | 1 | 2 {
    return rdpLevel(this.#options.bytes[this.profile.rdpOffset]);
  }

  /** Replaces the faults to commit; their occurrences count from now. */
  injectFaults(faults: readonly FaultSpec[]): void {
    this.faults = new FaultSchedule(faults);
  }

  /** Current DFU state. */
  get state(): DfuState {
    return this.#state;
  }

  /** Current DFU status. */
  get status(): DfuStatus {
    return this.#status;
  }

  /** Selected alternate setting. */
  get alternateSetting(): number {
    return this.#alt;
  }

  descriptors(): Uint8Array {
    return this.#descriptors.slice();
  }

  strings(): ReadonlyMap<number, string> {
    return this.#strings;
  }

  setAlternateSetting(interfaceNumber: number, alternateSetting: number): void {
    if (interfaceNumber !== 0 || alternateSetting < 0 || alternateSetting >= this.memories.length) {
      throw new RangeError(`no alternate setting ${alternateSetting} on interface ${interfaceNumber}`);
    }
    this.#alt = alternateSetting;
  }

  async handleControl(setup: UsbSetup, data: Uint8Array): Promise<ControlReply> {
    // A request during dfuDNBUSY waits until the work is done (the device NAKs meanwhile).
    const resets = this.resets;
    if (this.#busy) await this.#busy;
    // The device reset or left while this request waited: it never completes on the old device.
    if (this.resets !== resets) return STALL;
    // Standard requests, for a lab that forwards them rather than answering from descriptors() itself.
    if (isGetDescriptor(setup)) return answerGetDescriptor(this, setup) ?? STALL;
    if (setup.bmRequestType === 0x01 && setup.bRequest === StandardRequest.SET_INTERFACE) {
      if (setup.wIndex !== 0 || setup.wValue >= this.memories.length) return STALL;
      this.#alt = setup.wValue;
      return undefined;
    }
    if (
      setup.wIndex !== 0 || (setup.bmRequestType !== CLASS_INTERFACE_OUT && setup.bmRequestType !== CLASS_INTERFACE_IN)
    ) {
      return STALL;
    }
    switch (setup.bRequest) {
      case DfuRequest.GETSTATUS:
        return this.#getStatus();
      case DfuRequest.GETSTATE:
        return new Uint8Array([this.#state]);
      case DfuRequest.CLRSTATUS:
        if (this.#state !== DfuState.dfuERROR) return this.#stall();
        this.#state = DfuState.dfuIDLE;
        this.#status = DfuStatus.OK;
        return undefined;
      case DfuRequest.ABORT:
        if (
          this.#state !== DfuState.dfuIDLE && this.#state !== DfuState.dfuDNLOAD_IDLE &&
          this.#state !== DfuState.dfuUPLOAD_IDLE && this.#state !== DfuState.dfuDNLOAD_SYNC &&
          this.#state !== DfuState.dfuMANIFEST_SYNC
        ) return this.#stall();
        this.#pending = undefined;
        this.#state = DfuState.dfuIDLE;
        return undefined;
      case DfuRequest.DNLOAD:
        return this.#download(setup, data);
      case DfuRequest.UPLOAD:
        return this.#upload(setup);
      default:
        // DFU_DETACH and unknown requests are not valid in DFU mode (DFU 1.1 Appendix A.2).
        return this.#stall();
    }
  }

  // --- requests ---

  #download(setup: UsbSetup, data: Uint8Array): ControlReply {
    if (this.#state !== DfuState.dfuIDLE && this.#state !== DfuState.dfuDNLOAD_IDLE) return this.#stall();
    if (data.length === 0) {
      // Zero-length DNLOAD in dfuDNLOAD-IDLE = leave DfuSe (AN3156); in dfuIDLE it is an error (DFU 1.1 A.2).
      if (this.#state !== DfuState.dfuDNLOAD_IDLE) return this.#stall();
      this.#state = DfuState.dfuMANIFEST_SYNC;
      return undefined;
    }
    if (setup.wValue === 1) return this.#stall(); // wBlockNum 1 is reserved (AN3156)
    if (data.length > this.profile.functional.wTransferSize) return this.#stall();
    const operation = setup.wValue === 0 ? commandOperation(data) : "write";
    const fault = operation && dfuseFaultAt(this.faults, operation);
    if (fault?.effect === "stall") return this.#stall();
    if (fault?.effect === "unplug") return this.#unplug();
    this.#pending = setup.wValue === 0
      ? { kind: "command", bytes: data.slice(), fault }
      : { kind: "write", block: setup.wValue, data: data.slice(), fault };
    this.#state = DfuState.dfuDNLOAD_SYNC;
    return undefined;
  }

  #upload(setup: UsbSetup): ControlReply {
    if (this.#state !== DfuState.dfuIDLE && this.#state !== DfuState.dfuUPLOAD_IDLE) return this.#stall();
    if (setup.wValue === 0) {
      // Get Commands: the four DfuSe commands (AN3156; AN2662 §4.4.2).
      const commands = [
        DfuseCommand.GET_COMMANDS,
        DfuseCommand.SET_ADDRESS_POINTER,
        DfuseCommand.ERASE,
        DfuseCommand.READ_UNPROTECT,
      ];
      this.#state = DfuState.dfuUPLOAD_IDLE;
      return new Uint8Array(commands.slice(0, setup.wLength));
    }
    if (setup.wValue < DFUSE_FIRST_DATA_BLOCK) return this.#stall();
    const fault = dfuseFaultAt(this.faults, "read");
    if (fault?.effect === "stall") return this.#stall();
    if (fault?.effect === "status") return this.#stall(fault.status);
    if (fault?.effect === "unplug") return this.#unplug();
    const memory = this.memories[this.#alt];
    const address = this.#pointer + (setup.wValue - DFUSE_FIRST_DATA_BLOCK) * this.profile.functional.wTransferSize;
    if (this.readProtection !== 0) return this.#stall(DfuStatus.errVENDOR);
    if (!layoutAllows(memory.layout, address, setup.wLength, "readable")) return this.#stall(DfuStatus.errTARGET);
    this.#state = DfuState.dfuUPLOAD_IDLE;
    const bytes = memory.read(address, setup.wLength);
    return memory === this.#flash ? withStuckBits(this.faults, address, bytes) : bytes;
  }

  #getStatus(): Uint8Array {
    if (this.#state === DfuState.dfuDNLOAD_SYNC && this.#pending) {
      const pending = this.#pending;
      this.#pending = undefined;
      const work = this.#plan(pending);
      if (typeof work === "number") {
        this.#state = DfuState.dfuERROR;
        this.#status = work;
      } else {
        this.#state = DfuState.dfuDNBUSY;
        this.#busy = this.#run(work);
        return this.#statusBytes(work.pollTimeout);
      }
    } else if (this.#state === DfuState.dfuMANIFEST_SYNC) {
      // Leave: report dfuMANIFEST, then disconnect and jump to the address pointer (AN2662 §4.5.5, same DfuSe
      // protocol: "the device frees all used resources, disconnects itself and jumps").
      this.#state = DfuState.dfuMANIFEST;
      this.jumpAddress = this.#pointer;
      this.#busy = this.#clock.sleep(0).then(() => {
        this.#busy = undefined;
        this.#reset("leave");
      });
      return this.#statusBytes(0);
    }
    return this.#statusBytes(0);
  }

  #statusBytes(pollTimeout: number): Uint8Array {
    return new Uint8Array([
      this.#status,
      pollTimeout & 0xff,
      (pollTimeout >> 8) & 0xff,
      (pollTimeout >> 16) & 0xff,
      this.#state,
      0,
    ]);
  }

  async #run(work: Work): Promise<void> {
    await this.#clock.sleep(work.durationMs);
    if (work.holdOffMs) await realDelay(work.holdOffMs);
    let outcome: { status: DfuStatus; reset?: DfuseResetReason };
    try {
      outcome = work.apply();
    } catch (error) {
      outcome = { status: error instanceof FlashProgramError ? DfuStatus.errPROG : DfuStatus.errUNKNOWN };
    }
    this.#busy = undefined;
    if (outcome.reset) {
      this.#reset(outcome.reset);
      return;
    }
    this.#status = outcome.status;
    this.#state = outcome.status === DfuStatus.OK ? DfuState.dfuDNLOAD_IDLE : DfuState.dfuERROR;
  }

  /** Decides what a stored DNLOAD does, with its fault if one fires; a number is an immediate error status. */
  #plan(pending: Pending): Work | DfuStatus {
    const work = this.#planWork(pending);
    const fault = pending.fault;
    if (typeof work === "number" || !fault) return work;
    switch (fault.effect) {
      case "status":
        return { ...work, apply: () => ({ status: fault.status }) };
      case "skip": {
        // Acknowledged, nothing done; a Read Unprotect or an option-byte write still resets (the host sees what it
        // expects, yet the chip keeps its old options).
        const reset = pending.kind === "command" && pending.bytes[0] === DfuseCommand.READ_UNPROTECT
          ? "read-unprotect" as const
          : pending.kind === "write" && this.memories[this.#alt] === this.#options
          ? "option-bytes" as const
          : undefined;
        return { ...work, apply: () => ({ status: DfuStatus.OK, reset }) };
      }
      case "slow":
        return { ...work, durationMs: work.durationMs * fault.factor, holdOffMs: fault.holdOffMs };
      default:
        return work;
    }
  }

  /** What a stored DNLOAD does on a faultless device; a number is an immediate error status. */
  #planWork(pending: Pending): Work | DfuStatus {
    const polls = this.profile.pollTimeouts;
    const timing = this.profile.timing;
    const memory = this.memories[this.#alt];
    const protectedFlash = this.readProtection !== 0;
    if (pending.kind === "write") {
      const address = this.#pointer + (pending.block - DFUSE_FIRST_DATA_BLOCK) * this.profile.functional.wTransferSize;
      const isOptions = memory === this.#options;
      if (protectedFlash && !isOptions) return DfuStatus.errVENDOR;
      if (!layoutAllows(memory.layout, address, pending.data.length, "writable")) return DfuStatus.errTARGET;
      const units = Math.ceil(pending.data.length / this.profile.programUnit);
      return {
        pollTimeout: polls.write,
        durationMs: isOptions ? timing.eraseMs(0) : (units * timing.programUnitUs) / 1000,
        apply: () => {
          if (isOptions) return this.#applyOptionBytes(address, pending.data);
          memory.write(address, pending.data);
          return { status: DfuStatus.OK };
        },
      };
    }
    const [command] = pending.bytes;
    const length = pending.bytes.length;
    const address = length === 5 ? new DataView(pending.bytes.buffer).getUint32(1, true) : 0;
    if (command === DfuseCommand.SET_ADDRESS_POINTER && length === 5) {
      return {
        pollTimeout: polls.setAddress,
        durationMs: 0,
        apply: () => {
          if (!segmentAt(memory.layout, address)) return { status: DfuStatus.errTARGET };
          this.#pointer = address;
          return { status: DfuStatus.OK };
        },
      };
    }
    if (command === DfuseCommand.ERASE && length === 5) {
      const segment = segmentAt(memory.layout, address);
      return {
        pollTimeout: polls.erase,
        durationMs: segment ? timing.eraseMs(segment.pageSize) : 0,
        apply: () => {
          if (protectedFlash) return { status: DfuStatus.errVENDOR };
          if (!segment || !segment.erasable || !memory.erasePageAt) return { status: DfuStatus.errTARGET };
          memory.erasePageAt(address);
          return { status: DfuStatus.OK };
        },
      };
    }
    if (command === DfuseCommand.ERASE && length === 1) {
      return {
        pollTimeout: polls.massErase,
        durationMs: timing.massEraseMs,
        apply: () => {
          if (protectedFlash) return { status: DfuStatus.errVENDOR };
          // Only an erasable memory (internal flash) can be mass-erased; OTP and option bytes cannot.
          if (!memory.eraseAll || !memory.layout.segments.some((s) => s.erasable)) {
            return { status: DfuStatus.errTARGET };
          }
          memory.eraseAll();
          return { status: DfuStatus.OK };
        },
      };
    }
    if (command === DfuseCommand.READ_UNPROTECT && length === 1) {
      return {
        pollTimeout: polls.readUnprotect,
        durationMs: timing.massEraseMs,
        apply: () => {
          // AN3156 Read Unprotect: mass erase, read protection removed, then the device resets.
          this.#flash.eraseAll();
          this.#options.bytes[this.profile.rdpOffset] = 0xaa;
          return { status: DfuStatus.OK, reset: "read-unprotect" };
        },
      };
    }
    return DfuStatus.errSTALLEDPKT;
  }

  /** Stores new option bytes; lowering RDP from level 1 to 0 mass-erases the flash (RM0090 §3.7.3). */
  #applyOptionBytes(address: number, data: Uint8Array): { status: DfuStatus; reset: DfuseResetReason } {
    const before = this.readProtection;
    this.#options.write(address, data);
    const bytes = this.#options.bytes;
    for (const [value, complement, width = 2] of this.profile.complementedHalves) {
      for (let i = 0; i < width; i++) bytes[complement + i] = ~bytes[value + i] & 0xff;
    }
    if (before !== 0 && this.readProtection === 0) this.#flash.eraseAll();
    return { status: DfuStatus.OK, reset: "option-bytes" };
  }

  #stall(status: DfuStatus = DfuStatus.errSTALLEDPKT): typeof STALL {
    this.#pending = undefined;
    this.#state = DfuState.dfuERROR;
    this.#status = status;
    return STALL;
  }

  /** The device drops off the bus in the middle of a request (which never completes) and restarts. */
  #unplug(): typeof STALL {
    this.#reset("unplug");
    return STALL;
  }

  /** The bootloader restarts: fresh state, flash pointer, alternate setting 0; the lab is told. */
  #reset(reason: DfuseResetReason): void {
    this.#state = DfuState.dfuIDLE;
    this.#status = DfuStatus.OK;
    this.#alt = 0;
    this.#pending = undefined;
    this.#pointer = this.#flash.layout.segments[0].start;
    this.resets++;
    this.#onReset?.(reason);
  }
}

/** The fault operation a DfuSe command is (AN3156: 0x21 Set Address Pointer, 0x41 Erase, 0x92 Read Unprotect). */
function commandOperation(bytes: Uint8Array): DfuseFaultPoint | undefined {
  switch (bytes[0]) {
    case DfuseCommand.SET_ADDRESS_POINTER:
      return "set-address";
    case DfuseCommand.ERASE:
      return bytes.length === 1 ? "mass-erase" : "erase";
    case DfuseCommand.READ_UNPROTECT:
      return "read-unprotect";
    default:
      return undefined;
  }
}

/** Waits real time: a `slow` fault is about the host's transfer timeouts, which run on real time. */
function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Creates the simulated DfuSe bootloader of a part. */
export function createDfuseSimulator(part: DfusePartName, options: DfuseSimulatorOptions = {}): DfuseSimulator {
  const profile = DFUSE_PARTS[part];
  if (!profile) throw new RangeError(`no DfuSe simulation of ${part}`);
  return new DfuseSimulator(profile, options);
}
