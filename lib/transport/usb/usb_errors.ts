/**
 * Typed USB errors, mapped from libusb's error codes (libusb.h `enum libusb_error`), each with a hint that
 * says what to check or do.
 *
 * @module
 */

import { DeviceError, type FlashRecipeErrorOptions } from "../../errors.ts";

/** libusb error codes (libusb.h `enum libusb_error`). */
export const LIBUSB_ERROR = {
  IO: -1,
  INVALID_PARAM: -2,
  ACCESS: -3,
  NO_DEVICE: -4,
  NOT_FOUND: -5,
  BUSY: -6,
  TIMEOUT: -7,
  OVERFLOW: -8,
  PIPE: -9,
  INTERRUPTED: -10,
  NO_MEM: -11,
  NOT_SUPPORTED: -12,
  OTHER: -99,
} as const;

const NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(LIBUSB_ERROR).map(([name, code]) => [code, `LIBUSB_ERROR_${name}`]),
);

/** The libusb name of an error code, e.g. `LIBUSB_ERROR_PIPE`. */
export function libusbErrorName(code: number): string {
  return NAMES[code] ?? `LIBUSB_ERROR_${code}`;
}

/** Options of a {@linkcode UsbError}. */
export interface UsbErrorOptions extends FlashRecipeErrorOptions {
  /** The libusb error code behind this error, when there is one. */
  libusbCode?: number;
}

/**
 * A USB operation failed. `code` is one of: `E_NO_LIBUSB`, `E_USB_PERMISSION`, `E_USB_GONE`, `E_USB_STALL`,
 * `E_USB_TIMEOUT`, `E_USB_BUSY`, `E_USB_NOT_SUPPORTED`, `E_USB_NOT_FOUND`, `E_USB_AMBIGUOUS`, `E_USB_WAIT_TIMEOUT`,
 * `E_USB_CLOSED`, `E_USB_IO`.
 */
export class UsbError extends DeviceError {
  /** The libusb error code, when the error came from libusb. */
  readonly libusbCode?: number;

  constructor(code: string, message: string, options: UsbErrorOptions = {}) {
    super(code, message, options);
    this.libusbCode = options.libusbCode;
  }
}

/** What the device was, for messages: `0483:df11` and, when known, its port path. */
export interface UsbErrorSubject {
  /** Vendor id. */
  idVendor?: number;
  /** Product id. */
  idProduct?: number;
  /** Port path such as `1-2.3`. */
  portPath?: string;
}

/** Formats a vendor/product pair as `0483:df11`. */
export function formatVidPid(idVendor: number, idProduct: number): string {
  return `${idVendor.toString(16).padStart(4, "0")}:${idProduct.toString(16).padStart(4, "0")}`;
}

/** The udev rule that gives the logged-in user access to a device (Linux). */
export function udevRule(idVendor: number, idProduct: number): string {
  const vid = idVendor.toString(16).padStart(4, "0");
  const pid = idProduct.toString(16).padStart(4, "0");
  return `SUBSYSTEM=="usb", ATTR{idVendor}=="${vid}", ATTR{idProduct}=="${pid}", MODE="0664", TAG+="uaccess"`;
}

function permissionHint(subject: UsbErrorSubject): string {
  const vid = subject.idVendor ?? 0x0483;
  const pid = subject.idProduct ?? 0xdf11;
  switch (Deno.build.os) {
    case "linux":
      return `add the udev rule '${udevRule(vid, pid)}' to /etc/udev/rules.d/50-stm32-dfu.rules, run ` +
        "'sudo udevadm control --reload-rules && sudo udevadm trigger', then replug the device";
    case "windows":
      return "install the WinUSB driver for this device (e.g. with Zadig) and close other programs using it";
    default:
      return "close other programs using the device and check that your user may access USB devices";
  }
}

/** Maps a libusb error code from `operation` on `subject` to a typed {@linkcode UsbError}. */
export function usbErrorFromLibusb(code: number, operation: string, subject: UsbErrorSubject = {}): UsbError {
  const name = libusbErrorName(code);
  const who = subject.idVendor !== undefined && subject.idProduct !== undefined
    ? `USB device ${formatVidPid(subject.idVendor, subject.idProduct)}${
      subject.portPath ? ` at ${subject.portPath}` : ""
    }`
    : "USB device";
  const message = `${operation} on ${who} failed: ${name}`;
  const options = { libusbCode: code };
  switch (code) {
    case LIBUSB_ERROR.ACCESS:
      return new UsbError("E_USB_PERMISSION", `no permission to open ${who} (${name})`, {
        ...options,
        hint: permissionHint(subject),
      });
    case LIBUSB_ERROR.NO_DEVICE:
      return new UsbError("E_USB_GONE", `${who} went away during ${operation} (${name})`, {
        ...options,
        hint: "check the cable; a device that resets or re-enumerates must be looked up again",
      });
    case LIBUSB_ERROR.PIPE:
      return new UsbError("E_USB_STALL", `${who} stalled ${operation} (${name})`, {
        ...options,
        hint: "the device refused the request; its state may not allow it",
      });
    case LIBUSB_ERROR.TIMEOUT:
      return new UsbError("E_USB_TIMEOUT", `${operation} on ${who} timed out (${name})`, {
        ...options,
        hint: "the device did not answer in time; check it is still in the expected mode",
      });
    case LIBUSB_ERROR.BUSY:
      return new UsbError("E_USB_BUSY", `${who} is busy: ${operation} failed (${name})`, {
        ...options,
        hint: "another program (or a kernel driver) holds the interface; close it and retry",
      });
    case LIBUSB_ERROR.NOT_SUPPORTED:
      return new UsbError("E_USB_NOT_SUPPORTED", message, {
        ...options,
        hint: Deno.build.os === "windows"
          ? "the device needs the WinUSB driver (install it with Zadig)"
          : "this operation is not supported for this device by libusb on this system",
      });
    case LIBUSB_ERROR.NOT_FOUND:
      return new UsbError("E_USB_NOT_FOUND", message, {
        ...options,
        hint: "the interface or setting does not exist, or the interface is not claimed",
      });
    default:
      return new UsbError("E_USB_IO", message, { ...options, hint: "replug the device and retry" });
  }
}
