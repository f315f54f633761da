/**
 * The DFU functional descriptor (USB DFU 1.1 §4.1.3, table 4.2): type 0x21, 9 bytes, carried in the
 * configuration descriptor after the DFU interface descriptors.
 *
 * @module
 */

import { DeviceError } from "../../errors.ts";

/** Descriptor type of the DFU functional descriptor (DFU 1.1 §4.1.3). */
export const DFU_FUNCTIONAL_DESCRIPTOR_TYPE = 0x21;
/** Length of a DFU 1.1 functional descriptor in bytes. */
export const DFU_FUNCTIONAL_DESCRIPTOR_LENGTH = 9;

/** bmAttributes bits (DFU 1.1 §4.1.3). */
export const DfuAttribute = {
  /** bitCanDnload: the device can download. */
  CAN_DOWNLOAD: 0x01,
  /** bitCanUpload: the device can upload. */
  CAN_UPLOAD: 0x02,
  /** bitManifestationTolerant: the device stays addressable after manifestation. */
  MANIFESTATION_TOLERANT: 0x04,
  /** bitWillDetach: the device detaches by itself after DFU_DETACH. */
  WILL_DETACH: 0x08,
} as const;

/** A parsed DFU functional descriptor. */
export interface DfuFunctionalDescriptor {
  /** Raw attribute bits; see {@linkcode DfuAttribute}. */
  bmAttributes: number;
  /** Milliseconds the device waits for a USB reset after DFU_DETACH. */
  wDetachTimeOut: number;
  /** Largest number of bytes per DFU_DNLOAD / DFU_UPLOAD data stage. */
  wTransferSize: number;
  /** DFU version in BCD: 0x0110 for DFU 1.1, 0x011A for ST's DfuSe. */
  bcdDFUVersion: number;
  /** bitCanDnload. */
  canDownload: boolean;
  /** bitCanUpload. */
  canUpload: boolean;
  /** bitManifestationTolerant. */
  manifestationTolerant: boolean;
  /** bitWillDetach. */
  willDetach: boolean;
}

/** DFU version of ST's DfuSe extension, as the functional descriptor reports it (AN3156 §3: "1.1a"). */
export const DFUSE_VERSION = 0x011a;

/** Parses the 9 bytes of a functional descriptor. Throws a `DeviceError` (`E_DFU_DESCRIPTOR`) when malformed. */
export function parseFunctionalDescriptor(bytes: Uint8Array): DfuFunctionalDescriptor {
  // DFU 1.0 devices send 7 bytes (no bcdDFUVersion); dfu-util then assumes 1.0.
  if (bytes.length < 7 || bytes[0] < 7 || bytes[1] !== DFU_FUNCTIONAL_DESCRIPTOR_TYPE) {
    throw new DeviceError("E_DFU_DESCRIPTOR", "the DFU functional descriptor is malformed", {
      hint: "the device does not describe itself as DFU 1.1; it may not be a DFU bootloader",
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bmAttributes = bytes[2];
  const hasVersion = bytes[0] >= 9 && bytes.length >= 9;
  return {
    bmAttributes,
    wDetachTimeOut: view.getUint16(3, true),
    wTransferSize: view.getUint16(5, true),
    bcdDFUVersion: hasVersion ? view.getUint16(7, true) : 0x0100,
    canDownload: (bmAttributes & DfuAttribute.CAN_DOWNLOAD) !== 0,
    canUpload: (bmAttributes & DfuAttribute.CAN_UPLOAD) !== 0,
    manifestationTolerant: (bmAttributes & DfuAttribute.MANIFESTATION_TOLERANT) !== 0,
    willDetach: (bmAttributes & DfuAttribute.WILL_DETACH) !== 0,
  };
}

/** Encodes a functional descriptor (used by simulators). */
export function encodeFunctionalDescriptor(
  descriptor: Pick<DfuFunctionalDescriptor, "bmAttributes" | "wDetachTimeOut" | "wTransferSize" | "bcdDFUVersion">,
): Uint8Array {
  const bytes = new Uint8Array(DFU_FUNCTIONAL_DESCRIPTOR_LENGTH);
  const view = new DataView(bytes.buffer);
  bytes[0] = DFU_FUNCTIONAL_DESCRIPTOR_LENGTH;
  bytes[1] = DFU_FUNCTIONAL_DESCRIPTOR_TYPE;
  bytes[2] = descriptor.bmAttributes;
  view.setUint16(3, descriptor.wDetachTimeOut, true);
  view.setUint16(5, descriptor.wTransferSize, true);
  view.setUint16(7, descriptor.bcdDFUVersion, true);
  return bytes;
}
