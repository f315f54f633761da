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

/** True when `error` reports that the device left the bus. */
export function isUsbDisconnect(error: unknown): boolean {
  return hasCode(error, USB_NO_DEVICE);
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

/** Hints per failing status, for the statuses a DfuSe bootloader reports. */
const STATUS_HINTS: Readonly<Record<number, string>> = {
  0x01: "the address is outside every memory segment of the selected alternate setting; check the address",
  0x03: "erase the page first; flash can only be written once between erases",
  0x06: "erase the page first; flash can only be written once between erases",
  0x0b: "flash read protection is active: remove it with a read-unprotect (this mass-erases the flash)",
  0x0f: "the bootloader did not understand the command",
};

/** The device reported a DFU error status (DFU 1.1 §6.1.2), e.g. errWRITE. */
export class DfuStatusError extends DeviceError {
  /** The bStatus the device reported. */
  readonly status: number;
  /** The bState the device reported. */
  readonly state: number;
  /** The address being handled, when the operation has one. */
  readonly address?: number;

  constructor(operation: string, status: number, state: number, address?: number, cause?: unknown) {
    const at = address === undefined ? "" : ` at ${hex32(address)}`;
    super(
      dfuStatusErrorCode(status),
      `DFU ${operation}${at} failed: state ${dfuStateName(state)}, status ${dfuStatusName(status)} ` +
        `(${dfuStatusMeaning(status)})`,
      { hint: STATUS_HINTS[status], cause },
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
