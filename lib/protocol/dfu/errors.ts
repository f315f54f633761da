/**
 * Errors of the DFU / DfuSe host protocol, and the two USB conditions the protocol must tell apart from other
 * failures: a STALLed control request and a device that left the bus.
 *
 * Transports signal those two with errors carrying `code` {@linkcode USB_STALL} or {@linkcode USB_NO_DEVICE}
 * (libusb: LIBUSB_ERROR_PIPE and LIBUSB_ERROR_NO_DEVICE); {@linkcode isUsbStall} and {@linkcode isUsbDisconnect}
 * recognise any error carrying those codes, so a transport need not import these classes.
 *
 * @module
 */

import { DeviceError, type FlashRecipeErrorOptions } from "../../errors.ts";
import { dfuStateName } from "./state.ts";
import { dfuStatusErrorCode, dfuStatusMeaning, dfuStatusName } from "./status.ts";

/** Error code of a STALLed control transfer (libusb LIBUSB_ERROR_PIPE). */
export const USB_STALL = "E_USB_STALL";
/** Error code of a device that is no longer on the bus (libusb LIBUSB_ERROR_NO_DEVICE). */
export const USB_NO_DEVICE = "E_USB_NO_DEVICE";

/** The device answered a control request with STALL. */
export class UsbStallError extends DeviceError {
  constructor(what: string, options: FlashRecipeErrorOptions = {}) {
    super(USB_STALL, `the device stalled ${what}`, options);
  }
}

/** The device disappeared from the bus (unplugged, reset, or left DFU mode). */
export class UsbDisconnectedError extends DeviceError {
  constructor(what: string, options: FlashRecipeErrorOptions = {}) {
    super(USB_NO_DEVICE, `the device disconnected during ${what}`, {
      hint: "check the USB cable; the device may have reset",
      ...options,
    });
  }
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

/** True when `error` reports a STALLed control transfer. */
export function isUsbStall(error: unknown): boolean {
  return hasCode(error, USB_STALL);
}

/** Error code of a control transfer the device did not complete in time (libusb LIBUSB_ERROR_TIMEOUT). */
export const USB_TIMEOUT = "E_USB_TIMEOUT";

/** True when `error` reports a control transfer that timed out (the device held it off). */
export function isUsbTimeout(error: unknown): boolean {
  return hasCode(error, USB_TIMEOUT);
}

/** True when `error` reports that the device left the bus. */
export function isUsbDisconnect(error: unknown): boolean {
  return hasCode(error, USB_NO_DEVICE);
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

/** What the host knew about the address when a status came back, so that the hint says what is left to check. */
export interface DfuStatusContext {
  /** The memory (alternate setting) addressed, by name. */
  memory?: string;
  /** The address lies inside a segment of that memory as the device described it (the host checked it). */
  insideLayout?: boolean;
  /** The host itself erased the page holding the address since it opened the device. */
  erasedByHost?: boolean;
}

/**
 * The hint for a failing status, given what the host knows: "erase the page first" only where the host did not
 * just erase it, "outside every segment" only where it did not check the address against the device's own layout.
 */
export function dfuStatusHint(status: number, context: DfuStatusContext = {}): string | undefined {
  const memory = context.memory ? `"${context.memory}"` : "the selected memory";
  switch (status) {
    case 0x01: // errTARGET
      return context.insideLayout
        ? `the address lies inside ${memory} as the device itself describes it, yet the device refused it: the ` +
          "bootloader may not allow this range (a protected or reserved area), or the board is not the part named; " +
          "check the part and the address"
        : "the address is outside every memory segment of the selected alternate setting; check the address";
    case 0x03: // errWRITE
    case 0x06: // errPROG
      return context.erasedByHost
        ? "this tool erased that page moments before, so it was blank: the flash refused the data anyway; check " +
          "the write-protection option bytes (WRP), the supply voltage, and for chips that program 64 bits at a time " +
          "that no double-word was written twice"
        : "erase the page first; flash can only be written once between erases";
    case 0x0b:
      return "flash read protection is active: remove it with a read-unprotect (this mass-erases the flash)";
    case 0x0f:
      return "the bootloader did not understand the command";
    default:
      return undefined;
  }
}

/** The device reported a DFU error status (DFU 1.1 §6.1.2), e.g. errWRITE. */
export class DfuStatusError extends DeviceError {
  /** The bStatus the device reported. */
  readonly status: number;
  /** The bState the device reported. */
  readonly state: number;
  /** The address being handled, when the operation has one. */
  readonly address?: number;

  constructor(
    operation: string,
    status: number,
    state: number,
    address?: number,
    cause?: unknown,
    context: DfuStatusContext = {},
  ) {
    const at = address === undefined ? "" : ` at ${hex32(address)}`;
    super(
      dfuStatusErrorCode(status),
      `DFU ${operation}${at} failed: state ${dfuStateName(state)}, status ${dfuStatusName(status)} ` +
        `(${dfuStatusMeaning(status)})`,
      { hint: dfuStatusHint(status, context), cause },
    );
    this.status = status;
    this.state = state;
    this.address = address;
  }
}

/** The device did something the DFU / DfuSe protocol does not allow (wrong state, short reply, ...). */
export class DfuProtocolError extends DeviceError {
  constructor(message: string, options: FlashRecipeErrorOptions = {}) {
    super("E_DFU_PROTOCOL", message, {
      hint: "reset the device into its bootloader and try again",
      ...options,
    });
  }
}

/** The device left the bus in the middle of a transfer. */
export class DfuDisconnectedError extends DeviceError {
  /** Last address written or read successfully (exclusive end), when any block completed. */
  readonly completedUpTo?: number;

  constructor(operation: string, startAddress: number, completedUpTo: number | undefined, cause?: unknown) {
    const done = completedUpTo === undefined || completedUpTo === startAddress
      ? "no block completed"
      : `the last block completed ended at ${hex32(completedUpTo - 1)}`;
    super(
      "E_DFU_DISCONNECTED",
      `the device disconnected during DFU ${operation} from ${hex32(startAddress)}; ${done}`,
      {
        hint: "check the USB cable and power; put the chip back in its bootloader and repeat the operation",
        cause,
      },
    );
    this.completedUpTo = completedUpTo;
  }
}
