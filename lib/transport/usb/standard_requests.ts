/**
 * Standard GET_DESCRIPTOR requests answered by the lab on behalf of every simulated device, from its
 * `descriptors()` and `strings()` (USB 2.0 §9.4.3, §9.6). Everything else goes to the device's `handleControl`.
 *
 * @module
 */

import { type ControlReply, type SimulatedUsbDevice, STALL, type UsbSetup } from "./control.ts";

const GET_DESCRIPTOR = 6; // USB 2.0 table 9-4
const DEVICE = 1; // USB 2.0 table 9-5 descriptor types
const CONFIGURATION = 2;
const STRING = 3;
const LANGID_EN_US = 0x0409; // USB LANGIDs document

/** Encodes `text` as a string descriptor (USB 2.0 §9.6.7: bLength, bDescriptorType 3, UTF-16LE). */
export function stringDescriptor(text: string): Uint8Array {
  const units = Math.min(text.length, 126);
  const bytes = new Uint8Array(2 + 2 * units);
  bytes[0] = bytes.length;
  bytes[1] = STRING;
  for (let i = 0; i < units; i++) {
    const unit = text.charCodeAt(i);
    bytes[2 + 2 * i] = unit & 0xff;
    bytes[3 + 2 * i] = unit >> 8;
  }
  return bytes;
}

/** Returns configuration descriptor `index` with all its sub-descriptors (wTotalLength bytes), if present. */
export function configurationDescriptor(descriptors: Uint8Array, index: number): Uint8Array | undefined {
  let offset = descriptors[0]; // skip the device descriptor
  let seen = 0;
  while (offset + 4 <= descriptors.length) {
    if (descriptors[offset + 1] !== CONFIGURATION || descriptors[offset] === 0) return undefined;
    const total = descriptors[offset + 2] | (descriptors[offset + 3] << 8);
    if (seen === index) return descriptors.subarray(offset, offset + total);
    seen++;
    offset += total;
  }
  return undefined;
}

/**
 * Answers a standard device-recipient GET_DESCRIPTOR for a device, string or configuration descriptor,
 * truncated to wLength; returns `undefined` for any other request (the device's own `handleControl` decides).
 */
export function answerStandardRequest(device: SimulatedUsbDevice, setup: UsbSetup): ControlReply | undefined {
  if (setup.bmRequestType !== 0x80 || setup.bRequest !== GET_DESCRIPTOR) return undefined;
  const type = setup.wValue >> 8;
  const index = setup.wValue & 0xff;
  let reply: Uint8Array | undefined;
  if (type === DEVICE) {
    const all = device.descriptors();
    reply = all.subarray(0, all[0]);
  } else if (type === CONFIGURATION) {
    reply = configurationDescriptor(device.descriptors(), index);
  } else if (type === STRING) {
    if (index === 0) {
      reply = Uint8Array.of(4, STRING, LANGID_EN_US & 0xff, LANGID_EN_US >> 8);
    } else {
      const text = device.strings().get(index);
      reply = text === undefined ? undefined : stringDescriptor(text);
    }
  } else {
    return undefined;
  }
  return reply === undefined ? STALL : reply.slice(0, setup.wLength);
}
