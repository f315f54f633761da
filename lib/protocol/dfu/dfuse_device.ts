/**
 * The DfuSe host: ST's extension of USB DFU 1.1 (AN3156) on top of any {@linkcode UsbControlDevice}.
 *
 * Every DfuSe operation is a DFU_DNLOAD (commands with wBlockNum = 0, data with wBlockNum >= 2) or DFU_UPLOAD,
 * and the device executes it on the DFU_GETSTATUS that follows: it answers dfuDNBUSY with a bwPollTimeout, the
 * host waits that long, and polls again until dfuDNLOAD-IDLE (success) or dfuERROR (failure, with a status).
 *
 * @module
 */

import { InputError } from "../../errors.ts";
import type { UsbControlDevice, UsbSetup } from "../../transport/usb/control.ts";
import {
  DfuDisconnectedError,
  DfuProtocolError,
  type DfuStatusContext,
  DfuStatusError,
  isUsbDisconnect,
  isUsbStall,
  isUsbTimeout,
  UsbStallError,
} from "./errors.ts";
import { type DfuFunctionalDescriptor, DFUSE_VERSION } from "./functional_descriptor.ts";
import { DescriptorType, DFU_MODE_PROTOCOL, findDfuInterface } from "./interfaces.ts";
import { layoutAllows, type MemoryLayout, parseMemoryLayout, segmentAt } from "./memory_layout.ts";
import {
  DFU_REQUEST_TYPE_IN,
  DFU_REQUEST_TYPE_OUT,
  DfuRequest,
  dfuRequestName,
  DFUSE_FIRST_DATA_BLOCK,
  DfuseCommand,
} from "./requests.ts";
import { DfuState, dfuStateName } from "./state.ts";
import { DfuStatus } from "./status.ts";

/** Reports progress: `done` of `total` bytes. */
export type DfuProgress = (done: number, total: number) => void;

/** What DFU_GETSTATUS returns (DFU 1.1 §6.1.2): 6 bytes. */
export interface DfuStatusReport {
  /** bStatus. */
  status: number;
  /** bwPollTimeout: milliseconds to wait before the next GETSTATUS. */
  pollTimeout: number;
  /** bState. */
  state: number;
  /** iString: index of a status description string (0 = none). */
  iString: number;
}

/** One DfuSe alternate setting: a memory with its layout. */
export interface DfuseAlternate {
  /** bAlternateSetting. */
  alternateSetting: number;
  /** The raw interface string, e.g. `@Internal Flash  /0x08000000/04*016Kg,...`. */
  text: string;
  /** The parsed layout. */
  layout: MemoryLayout;
}

/** Options of {@linkcode DfuseDevice.open}. */
export interface DfuseDeviceOptions {
  /** Waits `ms` milliseconds; injected so tests do not wait. Defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Timeout of each control transfer in milliseconds (default 5000, as dfu-util's DFU_TIMEOUT). */
  timeoutMs?: number;
  /** Alternate setting to select first (name or number); default: alternate setting 0. */
  alternate?: string | number;
}

/** Result of an operation after which the bootloader resets itself. */
export type ResetOutcome = "device reset";

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// dfu-util dfuse.c: "STM32F405 lies about mass erase timeout": it reports 100 ms while a mass erase takes up to
// 32 s (datasheet), so dfu-util waits 35 s instead.
const F405_MASS_ERASE_REPORTED_MS = 100;
const F405_MASS_ERASE_WAIT_MS = 35_000;
// dfu-util dfuse.c: some STM32L4 bootloaders stall GETSTATUS while busy; retry up to 3 times.
const MAX_BUSY_STALLS = 3;
// dfu-util dfuse.c: give up after 100 polls reporting bwPollTimeout 0 while still busy.
const MAX_ZERO_POLLS = 100;
// Data blocks per Set Address Pointer: keeps wBlockNum far below 0xFFFF (AN3156: 16-bit wBlockNum).
const BLOCKS_PER_RUN = 0x4000;

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

function addressBytes(command: number, address: number): Uint8Array {
  const bytes = new Uint8Array(5);
  bytes[0] = command;
  new DataView(bytes.buffer).setUint32(1, address >>> 0, true);
  return bytes;
}

/** Start of the page holding `address` in `layout`, if a segment holds it. */
function pageStart(layout: MemoryLayout, address: number): number | undefined {
  const segment = segmentAt(layout, address);
  if (!segment) return undefined;
  return segment.start + Math.floor((address - segment.start) / segment.pageSize) * segment.pageSize;
}

function normaliseName(name: string): string {
  return name.trim().replace(/\s+/g, " ").toLowerCase();
}

/** An opened DfuSe device (ST system-memory bootloader over USB). */
export class DfuseDevice {
  /** The USB device. */
  readonly usb: UsbControlDevice;
  /** bInterfaceNumber of the DFU interface. */
  readonly interfaceNumber: number;
  /** The DFU functional descriptor. */
  readonly functional: DfuFunctionalDescriptor;
  /** Every alternate setting with its memory layout. */
  readonly alternates: readonly DfuseAlternate[];
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #timeoutMs: number;
  #current: DfuseAlternate;
  #state: number | undefined;
  /** Pages (by start address) of the selected memory this host erased since it opened the device. */
  readonly #erasedPages = new Set<number>();
  /** The selected memory was mass-erased by this host since it opened the device. */
  #massErased = false;

  private constructor(
    usb: UsbControlDevice,
    interfaceNumber: number,
    functional: DfuFunctionalDescriptor,
    alternates: DfuseAlternate[],
    options: DfuseDeviceOptions,
  ) {
    this.usb = usb;
    this.interfaceNumber = interfaceNumber;
    this.functional = functional;
    this.alternates = alternates;
    this.#current = alternates[0];
    this.#sleep = options.sleep ?? realSleep;
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  /**
   * Reads the configuration descriptor and the alternate-setting strings, claims the DFU interface, selects
   * an alternate setting and brings the device to dfuIDLE.
   */
  static async open(usb: UsbControlDevice, options: DfuseDeviceOptions = {}): Promise<DfuseDevice> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const configuration = await readConfigurationDescriptor(usb, timeoutMs);
    const dfu = findDfuInterface(configuration);
    if (dfu.protocol !== DFU_MODE_PROTOCOL) {
      throw new DfuProtocolError("the device is in DFU run-time mode, not in its DFU bootloader", {
        hint: "start the chip in system memory (BOOT0 high, then reset)",
      });
    }
    if (dfu.functional.bcdDFUVersion !== DFUSE_VERSION) {
      throw new DfuProtocolError(
        `the device speaks DFU version ${dfu.functional.bcdDFUVersion.toString(16)}, not ST's DfuSe (11a)`,
        { hint: "only ST DfuSe bootloaders (0483:df11) are supported" },
      );
    }
    const alternates: DfuseAlternate[] = [];
    for (const alt of dfu.alternates) {
      const text = alt.iInterface === 0 ? "" : await usb.getStringDescriptor(alt.iInterface);
      alternates.push({ alternateSetting: alt.alternateSetting, text, layout: parseMemoryLayout(text) });
    }
    await usb.claimInterface(dfu.interfaceNumber);
    const device = new DfuseDevice(usb, dfu.interfaceNumber, dfu.functional, alternates, options);
    await device.selectAlternate(options.alternate ?? alternates[0].alternateSetting);
    return device;
  }

  /** Largest data stage per DFU_DNLOAD / DFU_UPLOAD (wTransferSize). */
  get transferSize(): number {
    return this.functional.wTransferSize;
  }

  /** The selected alternate setting. */
  get alternate(): DfuseAlternate {
    return this.#current;
  }

  /**
   * Selects an alternate setting by number or memory name (`Internal Flash`, `Option Bytes`, ...; case and
   * repeated blanks do not matter) and brings the device to dfuIDLE. Throws `InputError` `E_DFU_ALT`, listing the
   * device's names, when there is no such setting.
   */
  async selectAlternate(which: string | number): Promise<DfuseAlternate> {
    const found = typeof which === "number"
      ? this.alternates.find((a) => a.alternateSetting === which)
      : this.alternates.find((a) => normaliseName(a.layout.name) === normaliseName(which));
    if (!found) {
      const names = this.alternates.map((a) => `${a.alternateSetting} "${a.layout.name}"`).join(", ");
      throw new InputError("E_DFU_ALT", `the DFU device has no alternate setting ${JSON.stringify(which)}`, {
        hint: `the device offers: ${names}`,
      });
    }
    await this.usb.setAlternateSetting(this.interfaceNumber, found.alternateSetting);
    if (found !== this.#current) {
      this.#erasedPages.clear();
      this.#massErased = false;
    }
    this.#current = found;
    this.#state = undefined;
    await this.ensureIdle();
    return found;
  }

  /** Returns the alternate setting whose layout holds `address`, if any. */
  alternateFor(address: number): DfuseAlternate | undefined {
    return this.alternates.find((a) => segmentAt(a.layout, address) !== undefined);
  }

  /** DFU_GETSTATUS (DFU 1.1 §6.1.2). Does not wait; see bwPollTimeout in the report. */
  async getStatus(): Promise<DfuStatusReport> {
    const reply = await this.#in(DfuRequest.GETSTATUS, 0, 6, "DFU_GETSTATUS");
    if (reply.length < 6) throw new DfuProtocolError(`DFU_GETSTATUS returned ${reply.length} bytes instead of 6`);
    const report = {
      status: reply[0],
      pollTimeout: reply[1] | (reply[2] << 8) | (reply[3] << 16),
      state: reply[4],
      iString: reply[5],
    };
    this.#state = report.state;
    return report;
  }

  /** DFU_GETSTATE (DFU 1.1 §6.1.5). */
  async getState(): Promise<number> {
    const reply = await this.#in(DfuRequest.GETSTATE, 0, 1, "DFU_GETSTATE");
    if (reply.length < 1) throw new DfuProtocolError("DFU_GETSTATE returned no byte");
    this.#state = reply[0];
    return reply[0];
  }

  /** DFU_CLRSTATUS: leaves dfuERROR for dfuIDLE (DFU 1.1 §6.1.3). */
  async clearStatus(): Promise<void> {
    await this.#out(DfuRequest.CLRSTATUS, 0, new Uint8Array(0), "DFU_CLRSTATUS");
    this.#state = undefined;
  }

  /** DFU_ABORT: returns to dfuIDLE from the idle states of a transfer (DFU 1.1 §6.1.4). */
  async abort(): Promise<void> {
    await this.#out(DfuRequest.ABORT, 0, new Uint8Array(0), "DFU_ABORT");
    this.#state = undefined;
  }

  /**
   * Brings the device to dfuIDLE: clears dfuERROR with DFU_CLRSTATUS, waits out dfuDNBUSY, and aborts any other
   * state (DFU 1.1 §6.1.3-§6.1.4; AN3156 asks the host to do this before each upload or download).
   */
  async ensureIdle(): Promise<void> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const report = await this.getStatus();
      switch (report.state) {
        case DfuState.dfuIDLE:
          return;
        case DfuState.dfuERROR:
          await this.clearStatus();
          break;
        case DfuState.dfuDNBUSY:
          await this.#sleep(report.pollTimeout);
          break;
        default:
          await this.abort();
      }
    }
    const state = await this.getState();
    throw new DfuProtocolError(`the device stays in state ${dfuStateName(state)} instead of returning to dfuIDLE`);
  }

  /** DfuSe Get Commands (DFU_UPLOAD, wBlockNum = 0): the command bytes the bootloader supports (AN3156). */
  async getCommands(): Promise<number[]> {
    await this.#idleFor("upload");
    const reply = await this.#in(DfuRequest.UPLOAD, 0, 32, "Get Commands");
    this.#state = DfuState.dfuUPLOAD_IDLE;
    await this.abort();
    return [...reply];
  }

  /**
   * Sends a raw DfuSe command (DFU_DNLOAD, wBlockNum = 0) and waits for it to execute; for commands this class
   * has no method for. Throws {@linkcode DfuStatusError} when the device reports an error.
   */
  async sendCommand(bytes: Uint8Array, operation = "command"): Promise<void> {
    await this.#command(bytes, operation, undefined);
  }

  /** DfuSe Set Address Pointer (0x21): where the next data blocks go (AN3156). */
  async setAddressPointer(address: number): Promise<void> {
    await this.#command(addressBytes(DfuseCommand.SET_ADDRESS_POINTER, address), "Set Address Pointer", address);
  }

  /** DfuSe Erase (0x41 + address): erases the page or sector holding `address` (AN3156). */
  async erasePage(address: number): Promise<void> {
    this.#check(address, 1, "erasable", "erase");
    await this.#command(addressBytes(DfuseCommand.ERASE, address), "erase of the page", address);
    const page = pageStart(this.#current.layout, address);
    if (page !== undefined) this.#erasedPages.add(page);
  }

  /** DfuSe mass erase (0x41 alone): erases all of the selected memory (AN3156). */
  async massErase(): Promise<void> {
    await this.#command(new Uint8Array([DfuseCommand.ERASE]), "mass erase", undefined, (reported) =>
      // dfu-util dfuse.c: the F405 reports 100 ms for a mass erase of up to 32 s.
      reported === F405_MASS_ERASE_REPORTED_MS ? F405_MASS_ERASE_WAIT_MS : reported);
    this.#massErased = true;
  }

  /**
   * DfuSe Read Unprotect (0x92): the device mass-erases its flash, clears read protection and resets
   * (AN3156). The disconnect that follows is the expected outcome.
   */
  async readUnprotect(): Promise<ResetOutcome> {
    await this.#idleFor("command");
    await this.#out(DfuRequest.DNLOAD, 0, new Uint8Array([DfuseCommand.READ_UNPROTECT]), "Read Unprotect");
    return await this.#awaitReset("Read Unprotect", undefined);
  }

  /**
   * Writes `data` at `address` in wTransferSize blocks (AN3156: Set Address Pointer, then DFU_DNLOAD with
   * wBlockNum 2, 3, ...). The memory must be erased where it is flash. A device that vanishes part way raises
   * {@linkcode DfuDisconnectedError} naming the last address completed.
   */
  async download(address: number, data: Uint8Array, progress?: DfuProgress): Promise<void> {
    this.#check(address, data.length, "writable", "write");
    const size = this.transferSize;
    let done = 0;
    try {
      progress?.(0, data.length);
      while (done < data.length) {
        const runStart = address + done;
        await this.setAddressPointer(runStart);
        for (let block = 0; block < BLOCKS_PER_RUN && done < data.length; block++) {
          const chunk = data.subarray(done, Math.min(done + size, data.length));
          const at = address + done;
          await this.#out(DfuRequest.DNLOAD, DFUSE_FIRST_DATA_BLOCK + block, chunk, "write", at);
          this.#state = DfuState.dfuDNLOAD_SYNC;
          await this.#waitDone("write", at);
          done += chunk.length;
          progress?.(done, data.length);
        }
      }
    } catch (error) {
      if (isUsbDisconnect(error)) throw new DfuDisconnectedError("download", address, address + done, error);
      throw error;
    }
  }

  /** Reads `length` bytes at `address` in wTransferSize blocks (AN3156: DFU_UPLOAD with wBlockNum 2, 3, ...). */
  async upload(address: number, length: number, progress?: DfuProgress): Promise<Uint8Array> {
    this.#check(address, length, "readable", "read");
    const size = this.transferSize;
    const result = new Uint8Array(length);
    let done = 0;
    try {
      progress?.(0, length);
      while (done < length) {
        await this.setAddressPointer(address + done);
        // The pointer is set in dfuDNLOAD-IDLE; uploads start from dfuIDLE (dfu-util aborts here too).
        await this.abort();
        for (let block = 0; block < BLOCKS_PER_RUN && done < length; block++) {
          const want = Math.min(size, length - done);
          const at = address + done;
          const reply = await this.#in(DfuRequest.UPLOAD, DFUSE_FIRST_DATA_BLOCK + block, want, "read", at);
          if (reply.length !== want) {
            throw new DfuProtocolError(`DFU_UPLOAD at ${hex32(at)} returned ${reply.length} of ${want} bytes`);
          }
          this.#state = DfuState.dfuUPLOAD_IDLE;
          result.set(reply, done);
          done += want;
          progress?.(done, length);
        }
        await this.abort();
      }
    } catch (error) {
      if (isUsbDisconnect(error)) throw new DfuDisconnectedError("upload", address, address + done, error);
      throw error;
    }
    return result;
  }

  /**
   * Leaves DFU mode and starts the code at `address` (AN3156 "Leave DfuSe": Set Address Pointer, then a
   * zero-length DFU_DNLOAD, then DFU_GETSTATUS moves the device to dfuMANIFEST and it jumps). The device leaves
   * the bus afterwards.
   */
  async leave(address: number): Promise<void> {
    await this.setAddressPointer(address);
    await this.#out(DfuRequest.DNLOAD, DFUSE_FIRST_DATA_BLOCK, new Uint8Array(0), "leave (zero-length DFU_DNLOAD)");
    try {
      for (let poll = 0; poll < MAX_ZERO_POLLS; poll++) {
        const report = await this.getStatus();
        if (report.status !== DfuStatus.OK) {
          throw new DfuStatusError("leave", report.status, report.state, address, undefined, this.#knowledge(address));
        }
        if (report.state === DfuState.dfuMANIFEST || report.state === DfuState.dfuMANIFEST_WAIT_RESET) return;
        if (report.state !== DfuState.dfuMANIFEST_SYNC && report.state !== DfuState.dfuDNBUSY) {
          throw new DfuProtocolError(`after leave the device is in ${dfuStateName(report.state)}, not dfuMANIFEST`);
        }
        await this.#sleep(report.pollTimeout);
      }
    } catch (error) {
      // A device that is already gone has left, which is what was asked.
      if (isUsbDisconnect(error) || isUsbStall(error)) return;
      throw error;
    }
    throw new DfuProtocolError("the device did not reach dfuMANIFEST after leave");
  }

  /**
   * Writes the option bytes through the `Option Bytes` alternate setting (AN3156; dfu-util's `will-reset`):
   * the bootloader applies them and resets, so the disconnect or stall that follows is the expected outcome.
   */
  async writeOptionBytes(data: Uint8Array, address?: number): Promise<ResetOutcome> {
    const alt = await this.selectAlternate("Option Bytes");
    const at = address ?? alt.layout.segments[0].start;
    this.#check(at, data.length, "writable", "option-byte write");
    if (data.length > this.transferSize) {
      throw new InputError("E_DFU_OPTION_SIZE", `option bytes of ${data.length} bytes exceed one DFU block`);
    }
    await this.setAddressPointer(at);
    await this.#out(DfuRequest.DNLOAD, DFUSE_FIRST_DATA_BLOCK, data, "option-byte write", at);
    return await this.#awaitReset("option-byte write", at);
  }

  /** Releases the interface and closes the USB device. */
  async close(): Promise<void> {
    await this.usb.close();
  }

  // --- internals ---

  /** What this host knows about `address`, for the hint of a failing status. */
  #knowledge(address: number | undefined): DfuStatusContext {
    const layout = this.#current.layout;
    if (address === undefined) return { memory: layout.name };
    const page = pageStart(layout, address);
    return {
      memory: layout.name,
      insideLayout: segmentAt(layout, address) !== undefined,
      erasedByHost: this.#massErased || (page !== undefined && this.#erasedPages.has(page)),
    };
  }

  #check(address: number, length: number, access: "readable" | "erasable" | "writable", what: string): void {
    if (layoutAllows(this.#current.layout, address, length, access)) return;
    const segments = this.#current.layout.segments.map((s) =>
      `${hex32(s.start)}-${hex32(s.start + s.count * s.pageSize - 1)}` +
      `(${s.readable ? "r" : ""}${s.erasable ? "e" : ""}${s.writable ? "w" : ""})`
    ).join(", ");
    throw new InputError(
      "E_DFU_ADDRESS",
      `cannot ${what} ${length} bytes at ${hex32(address)}: not ${access} in "${this.#current.layout.name}"`,
      { hint: `"${this.#current.layout.name}" has ${segments}` },
    );
  }

  /** Makes sure the device is in a state that accepts a command (dfuIDLE / dfuDNLOAD-IDLE) or an upload. */
  async #idleFor(kind: "command" | "upload"): Promise<void> {
    const ok = kind === "command"
      ? this.#state === DfuState.dfuIDLE || this.#state === DfuState.dfuDNLOAD_IDLE
      : this.#state === DfuState.dfuIDLE;
    if (!ok) await this.ensureIdle();
  }

  /** Sends a block-0 command and waits until it has executed. */
  async #command(
    bytes: Uint8Array,
    operation: string,
    address: number | undefined,
    adjustFirstPoll?: (reported: number) => number,
  ): Promise<void> {
    await this.#idleFor("command");
    await this.#out(DfuRequest.DNLOAD, 0, bytes, operation, address);
    this.#state = DfuState.dfuDNLOAD_SYNC;
    await this.#waitDone(operation, address, adjustFirstPoll);
  }

  /** Polls GETSTATUS, honouring bwPollTimeout, until dfuDNLOAD-IDLE; throws the device's error status. */
  async #waitDone(
    operation: string,
    address: number | undefined,
    adjustFirstPoll?: (reported: number) => number,
  ): Promise<void> {
    let stalls = 0;
    let zeroPolls = 0;
    let lastPoll = 0;
    for (let poll = 0;; poll++) {
      let report: DfuStatusReport;
      try {
        report = await this.getStatus();
      } catch (error) {
        // dfu-util dfuse.c: some L4 bootloaders stall GETSTATUS while busy; wait the last timeout and retry.
        if (isUsbStall(error) && lastPoll > 0 && stalls < MAX_BUSY_STALLS) {
          stalls++;
          await this.#sleep(lastPoll);
          continue;
        }
        throw error;
      }
      if (report.status !== DfuStatus.OK || report.state === DfuState.dfuERROR) {
        throw new DfuStatusError(operation, report.status, report.state, address, undefined, this.#knowledge(address));
      }
      if (report.state === DfuState.dfuDNLOAD_IDLE) return;
      if (report.state !== DfuState.dfuDNBUSY && report.state !== DfuState.dfuDNLOAD_SYNC) {
        throw new DfuProtocolError(
          `DFU ${operation}${address === undefined ? "" : ` at ${hex32(address)}`}: unexpected state ` +
            dfuStateName(report.state),
        );
      }
      lastPoll = poll === 0 && adjustFirstPoll ? adjustFirstPoll(report.pollTimeout) : report.pollTimeout;
      if (report.pollTimeout === 0 && ++zeroPolls >= MAX_ZERO_POLLS) {
        throw new DfuProtocolError(`DFU ${operation}: the device stays busy`);
      }
      await this.#sleep(lastPoll);
    }
  }

  /**
   * After a command that makes the device reset (Read Unprotect, option-byte write): the device answers
   * dfuDNBUSY, executes, and resets; a later GETSTATUS goes unanswered unless the operation failed, in which case
   * it reports the error (AN2662 §4.5 Figure 56 notes 1-2, the same DfuSe protocol as AN3156).
   *
   * Once the device has accepted the command (a GETSTATUS answered dfuDNBUSY without error), whatever ends the
   * conversation is the expected erase-and-reset: the device leaving the bus, a STALL, or a GETSTATUS it holds off
   * beyond the transfer timeout. A Read Unprotect mass-erases for seconds after reporting a bwPollTimeout of about
   * 100 ms, NAKing requests meanwhile; dfu-util (dfuse.c) polls once after Read Unprotect and then stops asking
   * for that reason. Whether the command took effect is then for the caller to check once the device is back.
   */
  async #awaitReset(operation: string, address: number | undefined): Promise<ResetOutcome> {
    let accepted = false;
    try {
      for (let poll = 0; poll < MAX_ZERO_POLLS; poll++) {
        const report = await this.getStatus();
        if (report.status !== DfuStatus.OK || report.state === DfuState.dfuERROR) {
          throw new DfuStatusError(
            operation,
            report.status,
            report.state,
            address,
            undefined,
            this.#knowledge(address),
          );
        }
        if (report.state !== DfuState.dfuDNBUSY && report.state !== DfuState.dfuDNLOAD_SYNC) {
          throw new DfuProtocolError(
            `DFU ${operation}: expected the device to reset, but it is in ${dfuStateName(report.state)}`,
          );
        }
        accepted ||= report.state === DfuState.dfuDNBUSY;
        await this.#sleep(report.pollTimeout);
      }
    } catch (error) {
      if (isUsbDisconnect(error) || isUsbStall(error) || (accepted && isUsbTimeout(error))) {
        this.#state = undefined;
        return "device reset";
      }
      throw error;
    }
    throw new DfuProtocolError(`DFU ${operation}: the device stays busy and does not reset`);
  }

  #setup(direction: "in" | "out", request: number, wValue: number, wLength: number): UsbSetup {
    return {
      bmRequestType: direction === "in" ? DFU_REQUEST_TYPE_IN : DFU_REQUEST_TYPE_OUT,
      bRequest: request,
      wValue,
      wIndex: this.interfaceNumber,
      wLength,
    };
  }

  async #out(request: number, wValue: number, data: Uint8Array, what: string, address?: number): Promise<void> {
    try {
      await this.usb.controlOut(this.#setup("out", request, wValue, data.length), data, this.#timeoutMs);
    } catch (error) {
      throw await this.#explainStall(error, what, request, address);
    }
  }

  async #in(request: number, wValue: number, wLength: number, what: string, address?: number): Promise<Uint8Array> {
    try {
      return await this.usb.controlIn(this.#setup("in", request, wValue, wLength), this.#timeoutMs);
    } catch (error) {
      throw await this.#explainStall(error, what, request, address);
    }
  }

  /**
   * A stalled request leaves the device in dfuERROR with a status saying why (DFU 1.1 §6.1.2); turn the stall
   * into that status when the device can tell it.
   */
  async #explainStall(error: unknown, what: string, request: number, address?: number): Promise<unknown> {
    this.#state = undefined;
    if (!isUsbStall(error) || request === DfuRequest.GETSTATUS || request === DfuRequest.GETSTATE) return error;
    let report: DfuStatusReport;
    try {
      report = await this.getStatus();
    } catch (statusError) {
      if (isUsbStall(statusError) || isUsbDisconnect(statusError)) return error;
      throw statusError;
    }
    if (report.status !== DfuStatus.OK) {
      return new DfuStatusError(what, report.status, report.state, address, error, this.#knowledge(address));
    }
    return new UsbStallError(`${dfuRequestName(request)} (${what}) in state ${dfuStateName(report.state)}`, {
      cause: error,
      hint: "the bootloader refused the request in its current state",
    });
  }
}

/** Reads the full configuration descriptor 0 with standard GET_DESCRIPTOR requests (USB 2.0 §9.4.3). */
async function readConfigurationDescriptor(usb: UsbControlDevice, timeoutMs: number): Promise<Uint8Array> {
  const setup = (wLength: number): UsbSetup => ({
    bmRequestType: 0x80,
    bRequest: 6, // GET_DESCRIPTOR
    wValue: (DescriptorType.CONFIGURATION << 8) | 0,
    wIndex: 0,
    wLength,
  });
  const head = await usb.controlIn(setup(9), timeoutMs);
  if (head.length < 4 || head[1] !== DescriptorType.CONFIGURATION) {
    throw new DfuProtocolError("the device returned no configuration descriptor");
  }
  const total = head[2] | (head[3] << 8);
  const full = await usb.controlIn(setup(total), timeoutMs);
  if (full.length < total) throw new DfuProtocolError("the configuration descriptor is truncated");
  return full;
}
