/**
 * Standard GET_DESCRIPTOR (USB 2.0 §9.4.3) answered from a simulated device's descriptor bytes and string table,
 * as a host's USB stack (or a device's firmware) would: device descriptor, configuration N, string 0 (the
 * language list, en-US) and strings by index, encoded UTF-16LE.
 *
 * @module
 */

import type { SimulatedUsbDevice, UsbSetup } from "../../transport/usb/control.ts";
import { DescriptorType } from "../../protocol/dfu/interfaces.ts";

/** bRequest of GET_DESCRIPTOR and SET_INTERFACE (USB 2.0 table 9-4). */
export const StandardRequest = { GET_DESCRIPTOR: 6, SET_INTERFACE: 11 } as const;

/** Language ID en-US, the only one ST's bootloader lists. */
export const LANGUAGE_EN_US = 0x0409;

/** True when `setup` is a standard device-to-host GET_DESCRIPTOR. */
export function isGetDescriptor(setup: UsbSetup): boolean {
  return setup.bmRequestType === 0x80 && setup.bRequest === StandardRequest.GET_DESCRIPTOR;
}

/** Splits the raw descriptor bytes into configuration descriptors (each with its sub-descriptors). */
export function configurations(all: Uint8Array): Uint8Array[] {
  const result: Uint8Array[] = [];
  for (let offset = all[0]; offset + 4 <= all.length;) {
    if (all[offset + 1] !== DescriptorType.CONFIGURATION) break;
    const total = all[offset + 2] | (all[offset + 3] << 8);
    result.push(all.subarray(offset, offset + total));
    offset += total;
  }
  return result;
}

/** Encodes a string descriptor (bLength, type 3, UTF-16LE text). */
export function encodeStringDescriptor(text: string): Uint8Array {
  const bytes = new Uint8Array(2 + text.length * 2);
  const view = new DataView(bytes.buffer);
  bytes[0] = bytes.length;
  bytes[1] = DescriptorType.STRING;
  for (let i = 0; i < text.length; i++) view.setUint16(2 + i * 2, text.charCodeAt(i), true);
  return bytes;
}

/** Answers a GET_DESCRIPTOR, truncated to wLength; `undefined` when the device has no such descriptor (STALL). */
export function answerGetDescriptor(device: SimulatedUsbDevice, setup: UsbSetup): Uint8Array | undefined {
  const type = setup.wValue >> 8;
  const index = setup.wValue & 0xff;
  let bytes: Uint8Array | undefined;
  if (type === DescriptorType.DEVICE) {
    bytes = device.descriptors().subarray(0, 18);
  } else if (type === DescriptorType.CONFIGURATION) {
    bytes = configurations(device.descriptors())[index];
  } else if (type === DescriptorType.STRING) {
    if (index === 0) {
      bytes = new Uint8Array([4, DescriptorType.STRING, LANGUAGE_EN_US & 0xff, LANGUAGE_EN_US >> 8]);
    } else {
      const text = device.strings().get(index);
      if (text !== undefined) bytes = encodeStringDescriptor(text);
    }
  }
  return bytes?.slice(0, setup.wLength);
}
