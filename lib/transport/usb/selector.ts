/**
 * Choosing a USB device: by `vid:pid`, serial number or bus/port path (`1-2.3`, as Linux sysfs and dfu-util
 * `-p` name it).
 *
 * @module
 */

import { InputError } from "../../errors.ts";
import { formatVidPid } from "./usb_errors.ts";

/** Which device to use; every given field must match. */
export interface UsbSelector {
  /** Vendor id. */
  vendorId?: number;
  /** Product id. */
  productId?: number;
  /** Serial number string (exact). */
  serialNumber?: string;
  /** Bus and port path, e.g. `1-2.3`. */
  portPath?: string;
}

/** What a selector is matched against. */
export interface UsbSelectable {
  /** Vendor id. */
  idVendor: number;
  /** Product id. */
  idProduct: number;
  /** Serial number, if it could be read. */
  serialNumber?: string;
  /** Bus and port path. */
  portPath: string;
}

const VID_PID = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})?$/i;
const PORT_PATH = /^\d+-\d+(\.\d+)*$/;

/**
 * Parses the user's way of naming a device: `0483:df11` (or `0483:`), `1-2.3` (bus-port path),
 * `serial=XYZ`, or any other text taken as a serial number.
 */
export function parseUsbSelector(text: string): UsbSelector {
  const trimmed = text.trim();
  if (!trimmed) {
    throw new InputError("E_USB_SELECTOR", "empty USB device selector", {
      hint: "use vid:pid, 1-2.3 or a serial number",
    });
  }
  const vidPid = VID_PID.exec(trimmed);
  if (vidPid) {
    return {
      vendorId: parseInt(vidPid[1], 16),
      ...(vidPid[2] !== undefined ? { productId: parseInt(vidPid[2], 16) } : {}),
    };
  }
  if (PORT_PATH.test(trimmed)) return { portPath: trimmed };
  if (trimmed.startsWith("serial=")) return { serialNumber: trimmed.slice("serial=".length) };
  return { serialNumber: trimmed };
}

/** True when `device` satisfies every field of `selector`. */
export function matchesSelector(device: UsbSelectable, selector: UsbSelector): boolean {
  return (selector.vendorId === undefined || selector.vendorId === device.idVendor) &&
    (selector.productId === undefined || selector.productId === device.idProduct) &&
    (selector.serialNumber === undefined || selector.serialNumber === device.serialNumber) &&
    (selector.portPath === undefined || selector.portPath === device.portPath);
}

/** Describes a selector for messages, e.g. `0483:df11 serial LAB1`. */
export function describeSelector(selector: UsbSelector): string {
  const parts: string[] = [];
  if (selector.vendorId !== undefined) {
    parts.push(
      selector.productId !== undefined
        ? formatVidPid(selector.vendorId, selector.productId)
        : `${selector.vendorId.toString(16).padStart(4, "0")}:*`,
    );
  } else if (selector.productId !== undefined) {
    parts.push(`*:${selector.productId.toString(16).padStart(4, "0")}`);
  }
  if (selector.serialNumber !== undefined) parts.push(`serial ${selector.serialNumber}`);
  if (selector.portPath !== undefined) parts.push(`at ${selector.portPath}`);
  return parts.length ? parts.join(" ") : "any device";
}
