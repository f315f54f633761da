/**
 * DFU files: ST's DfuSe container (`.dfu` with a "DfuSe" prefix, targets and elements, UM0391 "DfuSe File Format
 * Specification") and plain DFU files (firmware bytes followed only by the DFU suffix, DFU 1.1 Appendix B).
 *
 * Layout, little-endian throughout:
 * - prefix (11 bytes): `"DfuSe"`, bVersion = 1, DFUImageSize (u32), bTargets (u8);
 * - target prefix (274 bytes): `"Target"`, bAlternateSetting (u8), bTargetNamed (u32), szTargetName (255 bytes,
 *   NUL-padded), dwTargetSize (u32, bytes of the elements that follow), dwNbElements (u32);
 * - element: dwElementAddress (u32), dwElementSize (u32), data;
 * - suffix (16 bytes): bcdDevice, idProduct, idVendor, bcdDFU (u16 each; 0x011A for DfuSe), `"UFD"`, bLength = 16,
 *   dwCRC (u32, see {@linkcode dfuCrc}).
 *
 * DfuSe tools disagree on DFUImageSize (dfu-util's dfuse-pack counts the suffix, ST's description does not); both
 * are accepted.
 *
 * @module
 */

import { hexAddress, ImageError } from "./errors.ts";
import { dfuCrc } from "./crc32.ts";
import { parseBinary } from "./binary.ts";
import { MemoryImage, MemoryImageBuilder } from "./memory_image.ts";

const PREFIX_SIZE = 11;
const TARGET_PREFIX_SIZE = 274;
const SUFFIX_SIZE = 16;
const TARGET_NAME_SIZE = 255;
/** bcdDFU of DfuSe files (UM0391 §4.3). */
export const DFUSE_BCD_DFU = 0x011a;

/** The DFU suffix fields (DFU 1.1 Table B-1). */
export interface DfuSuffix {
  /** bcdDevice: firmware release the file is for; 0xFFFF means any. */
  device: number;
  /** idProduct; 0xFFFF means any. */
  productId: number;
  /** idVendor; 0xFFFF means any. */
  vendorId: number;
  /** bcdDFU: 0x0100/0x0110 for plain DFU, 0x011A for DfuSe. */
  dfuVersion: number;
  /** bLength: size of the suffix in bytes (16 or more). */
  length: number;
  /** dwCRC. */
  crc: number;
}

/** One DfuSe target: the memory behind one alternate setting of the DFU interface. */
export interface DfuseTarget {
  /** bAlternateSetting. */
  alternateSetting: number;
  /** szTargetName, when bTargetNamed is set. */
  name?: string;
  /** The target's elements. */
  image: MemoryImage;
}

/** A parsed DFU file. */
export interface DfuFile {
  /** `dfuse` for a DfuSe container, `plain` for bytes plus suffix. */
  kind: "dfuse" | "plain";
  /** The suffix. */
  suffix: DfuSuffix;
  /** DfuSe targets (empty for a plain file). */
  targets: DfuseTarget[];
  /** Everything the file loads: all targets merged, or the plain file's bytes at the base address. */
  image: MemoryImage;
}

/**
 * Reads and checks a DFU suffix: signature `UFD`, bLength, and the CRC over the whole file (`E_IMAGE_CRC` on
 * mismatch). A missing suffix is `E_IMAGE_TRUNCATED` (a cut-off file loses its suffix first).
 */
export function parseDfuSuffix(bytes: Uint8Array, name: string): DfuSuffix {
  const location = { file: name };
  const n = bytes.length;
  if (n < SUFFIX_SIZE || bytes[n - 8] !== 0x55 || bytes[n - 7] !== 0x46 || bytes[n - 6] !== 0x44) {
    throw new ImageError("E_IMAGE_TRUNCATED", "the file has no DFU suffix", {
      location,
      hint: "the file is cut off, or is not a DFU file (add a suffix with dfu-suffix, or give the raw .bin)",
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const suffix: DfuSuffix = {
    device: view.getUint16(n - 16, true),
    productId: view.getUint16(n - 14, true),
    vendorId: view.getUint16(n - 12, true),
    dfuVersion: view.getUint16(n - 10, true),
    length: bytes[n - 5],
    crc: view.getUint32(n - 4, true),
  };
  if (suffix.length < SUFFIX_SIZE || suffix.length > n) {
    throw new ImageError("E_IMAGE_FORMAT", `DFU suffix length ${suffix.length} is invalid`, { location });
  }
  const crc = dfuCrc(bytes.subarray(0, n - 4));
  if (crc !== suffix.crc) {
    throw new ImageError(
      "E_IMAGE_CRC",
      `DFU suffix CRC is ${hexAddress(suffix.crc)}, the file's contents give ${hexAddress(crc)}`,
      { location, hint: "the file is corrupt; rebuild or re-download it" },
    );
  }
  return suffix;
}

/**
 * Parses a DfuSe file or a plain DFU file. A plain file has no addresses, so it needs `baseAddress` (else
 * `E_IMAGE_ADDRESS`). A DfuSe file with several targets yields all of them in `targets`, and `image` merges them
 * (their addresses must not conflict).
 */
export function parseDfuFile(bytes: Uint8Array, name: string, baseAddress?: number): DfuFile {
  const suffix = parseDfuSuffix(bytes, name);
  const body = bytes.subarray(0, bytes.length - suffix.length);
  if (!isDfusePrefix(body)) {
    if (baseAddress === undefined) {
      throw new ImageError("E_IMAGE_ADDRESS", "a plain DFU file holds no load address", {
        location: { file: name },
        hint: "give the address to write it at, e.g. `address: 0x08000000` in the recipe step",
      });
    }
    return { kind: "plain", suffix, targets: [], image: parseBinary(body, name, baseAddress) };
  }
  const targets = parseDfuseBody(body, bytes.length, name);
  // All targets at once: merging them one by one would re-sort every earlier segment for each of up to 255 targets.
  const image = MemoryImage.mergeAll(
    targets.map((target) => target.image),
    targets.map((target) => `${name} target ${target.alternateSetting}`),
    { name },
  );
  if (image.isEmpty) {
    throw new ImageError("E_IMAGE_EMPTY", "the file holds no data", { location: { file: name } });
  }
  return { kind: "dfuse", suffix, targets, image };
}

/** True when `bytes` starts with the DfuSe signature "DfuSe". */
function isDfusePrefix(bytes: Uint8Array): boolean {
  return bytes.length >= 5 && asciiAt(bytes, 0, 5) === "DfuSe";
}

/** `length` bytes at `at` as Latin-1 text, for comparing signatures. */
function asciiAt(bytes: Uint8Array, at: number, length: number): string {
  let text = "";
  for (let i = at; i < at + length && i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

/** Parses the prefix, targets and elements of a DfuSe file without its suffix. */
function parseDfuseBody(body: Uint8Array, fileSize: number, name: string): DfuseTarget[] {
  const location = { file: name };
  const truncated = (what: string) =>
    new ImageError("E_IMAGE_TRUNCATED", `the file ends inside ${what}`, {
      location,
      hint: "the file is cut off; rebuild or re-copy it",
    });
  if (body.length < PREFIX_SIZE) throw truncated("the DfuSe prefix");
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const version = body[5];
  if (version !== 1) {
    throw new ImageError("E_IMAGE_FORMAT", `DfuSe version ${version} is not supported (only 1)`, {
      location,
    });
  }
  const imageSize = view.getUint32(6, true);
  if (imageSize !== body.length && imageSize !== fileSize) {
    throw new ImageError(
      "E_IMAGE_TRUNCATED",
      `DfuSe prefix says the image is ${imageSize} bytes, the file holds ${body.length}`,
      { location, hint: "the file is cut off or damaged" },
    );
  }
  const targetCount = body[10];
  const targets: DfuseTarget[] = [];
  let at = PREFIX_SIZE;
  for (let t = 0; t < targetCount; t++) {
    if (at + TARGET_PREFIX_SIZE > body.length) throw truncated(`target ${t}'s prefix`);
    if (asciiAt(body, at, 6) !== "Target") {
      throw new ImageError("E_IMAGE_RECORD", `target ${t} does not start with "Target" (offset ${at})`, {
        location,
      });
    }
    const alternateSetting = body[at + 6];
    const named = view.getUint32(at + 7, true) !== 0;
    const nameBytes = body.subarray(at + 11, at + 11 + TARGET_NAME_SIZE);
    const nul = nameBytes.indexOf(0);
    const targetName = named ? new TextDecoder().decode(nul < 0 ? nameBytes : nameBytes.subarray(0, nul)) : undefined;
    const targetSize = view.getUint32(at + 266, true);
    const elementCount = view.getUint32(at + 270, true);
    at += TARGET_PREFIX_SIZE;
    const targetEnd = at + targetSize;
    if (targetEnd > body.length) throw truncated(`target ${t}`);
    const builder = new MemoryImageBuilder(`${name} target ${alternateSetting}`);
    for (let e = 0; e < elementCount; e++) {
      if (at + 8 > targetEnd) throw elementError(name, t, e, "runs past the end of its target");
      const address = view.getUint32(at, true);
      const size = view.getUint32(at + 4, true);
      at += 8;
      if (at + size > targetEnd) throw elementError(name, t, e, `of ${size} bytes runs past the end of its target`);
      builder.add(address, body.subarray(at, at + size));
      at += size;
    }
    if (at !== targetEnd) {
      throw new ImageError(
        "E_IMAGE_RECORD",
        `target ${t} says it holds ${targetSize} bytes, its elements hold ${targetSize - (targetEnd - at)}`,
        { location },
      );
    }
    targets.push({
      alternateSetting,
      name: targetName,
      image: elementCount > 0 ? builder.build() : MemoryImage.empty(),
    });
  }
  if (at !== body.length) {
    throw new ImageError("E_IMAGE_RECORD", `${body.length - at} unexpected bytes after the last target`, {
      location,
    });
  }
  return targets;
}

/** An element that does not fit its target. */
function elementError(name: string, target: number, element: number, problem: string): ImageError {
  return new ImageError("E_IMAGE_TRUNCATED", `target ${target} element ${element} ${problem}`, {
    location: { file: name },
    hint: "the file is cut off or damaged",
  });
}

/** Options of {@linkcode writeDfuse}. */
export interface DfuseWriteOptions {
  /** idVendor (default 0x0483, STMicroelectronics). */
  vendorId?: number;
  /** idProduct (default 0xDF11, the STM32 ROM bootloader in DFU mode, AN2606). */
  productId?: number;
  /** bcdDevice (default 0xFFFF: any). */
  device?: number;
  /** bAlternateSetting of the single target (default 0: internal flash on STM32 bootloaders). */
  alternateSetting?: number;
  /** szTargetName (default `flashrecipe`). */
  targetName?: string;
}

/**
 * Writes an image as a DfuSe file: prefix, one target with one element per segment, suffix with VID/PID/bcdDevice
 * and CRC. DFUImageSize counts the whole file, as dfu-util's dfuse-pack writes it.
 */
export function writeDfuse(image: MemoryImage, options: DfuseWriteOptions = {}): Uint8Array {
  if (image.isEmpty) throw new ImageError("E_IMAGE_EMPTY", "cannot write an empty image as a DFU file");
  const elementsSize = image.segments.reduce((sum, segment) => sum + 8 + segment.data.length, 0);
  const total = PREFIX_SIZE + TARGET_PREFIX_SIZE + elementsSize + SUFFIX_SIZE;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  const ascii = (text: string, at: number) => bytes.set(new TextEncoder().encode(text), at);
  ascii("DfuSe", 0);
  bytes[5] = 1;
  view.setUint32(6, total, true);
  bytes[10] = 1;
  let at = PREFIX_SIZE;
  ascii("Target", at);
  bytes[at + 6] = options.alternateSetting ?? 0;
  view.setUint32(at + 7, 1, true);
  const targetName = new TextEncoder().encode(options.targetName ?? "flashrecipe").subarray(0, TARGET_NAME_SIZE - 1);
  bytes.set(targetName, at + 11);
  view.setUint32(at + 266, elementsSize, true);
  view.setUint32(at + 270, image.segments.length, true);
  at += TARGET_PREFIX_SIZE;
  for (const segment of image.segments) {
    view.setUint32(at, segment.address, true);
    view.setUint32(at + 4, segment.data.length, true);
    bytes.set(segment.data, at + 8);
    at += 8 + segment.data.length;
  }
  writeSuffix(bytes, at, {
    device: options.device ?? 0xffff,
    productId: options.productId ?? 0xdf11,
    vendorId: options.vendorId ?? 0x0483,
    dfuVersion: DFUSE_BCD_DFU,
  });
  return bytes;
}

/**
 * Appends a DFU suffix to raw bytes, making a plain DFU file (what `dfu-suffix -a` does). bcdDFU is 0x0100;
 * IDs default to 0xFFFF (any), as dfu-suffix leaves them.
 */
export function writePlainDfu(
  data: Uint8Array,
  options: { vendorId?: number; productId?: number; device?: number } = {},
): Uint8Array {
  const bytes = new Uint8Array(data.length + SUFFIX_SIZE);
  bytes.set(data);
  writeSuffix(bytes, data.length, {
    device: options.device ?? 0xffff,
    productId: options.productId ?? 0xffff,
    vendorId: options.vendorId ?? 0xffff,
    dfuVersion: 0x0100,
  });
  return bytes;
}

/** Fills the 16-byte suffix at `at` (the end of `bytes`) and its CRC. */
function writeSuffix(
  bytes: Uint8Array,
  at: number,
  fields: { vendorId: number; productId: number; device: number; dfuVersion: number },
): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint16(at, fields.device, true);
  view.setUint16(at + 2, fields.productId, true);
  view.setUint16(at + 4, fields.vendorId, true);
  view.setUint16(at + 6, fields.dfuVersion, true);
  bytes.set([0x55, 0x46, 0x44, SUFFIX_SIZE], at + 8); // "UFD", bLength
  view.setUint32(at + 12, dfuCrc(bytes.subarray(0, at + 12)), true);
}
