/**
 * Standard USB descriptors of a simulated DfuSe bootloader: the device descriptor, then configuration 1 with one
 * DFU-mode interface whose alternate settings each name a memory, followed by the DFU functional descriptor
 * (USB 2.0 §9.6; DFU 1.1 §4.2; layout as `lsusb -v` shows the STM32 bootloader).
 *
 * @module
 */

import { encodeFunctionalDescriptor } from "../../protocol/dfu/functional_descriptor.ts";
import type { DfusePartProfile } from "./parts.ts";

/** String indexes, as the ST bootloader numbers them (lsusb -v: iManufacturer 1, iProduct 2, iSerial 3). */
export const STRING_INDEX = { manufacturer: 1, product: 2, serial: 3, firstAlternate: 4 } as const;

/** The device descriptor (18 bytes). */
export function deviceDescriptor(profile: DfusePartProfile): Uint8Array {
  const bytes = new Uint8Array(18);
  const view = new DataView(bytes.buffer);
  bytes[0] = 18;
  bytes[1] = 1; // DEVICE
  view.setUint16(2, profile.usb.bcdUSB, true);
  bytes[4] = 0; // class defined by the interface
  bytes[5] = 0;
  bytes[6] = 0;
  bytes[7] = 64; // bMaxPacketSize0 (lsusb -v)
  view.setUint16(8, profile.usb.vendorId, true);
  view.setUint16(10, profile.usb.productId, true);
  view.setUint16(12, profile.usb.bcdDevice, true);
  bytes[14] = STRING_INDEX.manufacturer;
  bytes[15] = STRING_INDEX.product;
  bytes[16] = STRING_INDEX.serial;
  bytes[17] = 1; // bNumConfigurations
  return bytes;
}

/** Configuration 1 with its interface and functional descriptors (wTotalLength 0x36 for four alternates). */
export function configurationDescriptor(profile: DfusePartProfile): Uint8Array {
  const parts: number[] = [];
  profile.alternates.forEach((_, alt) => {
    // bInterfaceClass 0xFE, subclass 1 (DFU), protocol 2 (DFU mode): DFU 1.1 §4.2.3.
    parts.push(9, 4, 0, alt, 0, 0xfe, 0x01, 0x02, STRING_INDEX.firstAlternate + alt);
  });
  parts.push(...encodeFunctionalDescriptor(profile.functional));
  const total = 9 + parts.length;
  // bmAttributes 0xC0 (self powered), bMaxPower 50 = 100 mA (lsusb -v of the STM32 bootloader).
  return new Uint8Array([9, 2, total & 0xff, total >> 8, 1, 1, 0, 0xc0, 50, ...parts]);
}

/** String descriptor texts by index (index 0, the language list, is not included). */
export function stringTable(profile: DfusePartProfile, serial: string): Map<number, string> {
  const table = new Map<number, string>([
    [STRING_INDEX.manufacturer, profile.manufacturer],
    [STRING_INDEX.product, profile.product],
    [STRING_INDEX.serial, serial],
  ]);
  profile.alternates.forEach((text, alt) => table.set(STRING_INDEX.firstAlternate + alt, text));
  return table;
}
