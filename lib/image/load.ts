/**
 * Reading firmware images in any supported format: format detection (content first, file name second),
 * parsing into a {@linkcode MemoryImage}, and loading from a file.
 *
 * @module
 */

import { ImageError } from "./errors.ts";
import { parseBinary } from "./binary.ts";
import { parseIntelHex } from "./intel_hex.ts";
import { parseSrec } from "./srec.ts";
import { parseElf } from "./elf.ts";
import { parseDfuFile } from "./dfuse_file.ts";
import type { MemoryImage } from "./memory_image.ts";
import { GuardedReadError, readGuarded } from "../files/guarded_read.ts";

/** The image formats the tool reads and writes. */
export type ImageFormat = "bin" | "hex" | "srec" | "elf" | "dfu";

/** Every {@linkcode ImageFormat}, for usage messages. */
export const IMAGE_FORMATS: readonly ImageFormat[] = ["bin", "hex", "srec", "elf", "dfu"];

/** File name extensions of each format (lower case, with the dot). */
const EXTENSIONS: Record<ImageFormat, readonly string[]> = {
  bin: [".bin", ".img"],
  hex: [".hex", ".ihex", ".ihx", ".h86", ".hxl", ".hxh", ".mcs"],
  srec: [".srec", ".s19", ".s28", ".s37", ".mot", ".mhx", ".sx", ".s"],
  elf: [".elf", ".axf", ".out", ".o"],
  dfu: [".dfu"],
};

/** Returns the format a file name's extension stands for, if any. */
export function formatFromName(name: string): ImageFormat | undefined {
  const lower = name.toLowerCase();
  for (const format of IMAGE_FORMATS) {
    if (EXTENSIONS[format].some((extension) => lower.endsWith(extension))) return format;
  }
  return undefined;
}

/**
 * Detects an image's format from its content first and its file name second:
 * ELF magic `\x7fELF`; DfuSe prefix `DfuSe`; a DFU suffix (`UFD` signature 16 bytes from the end, DFU 1.1
 * Table B-1); a first line shaped like an Intel HEX (`:` + hex digits) or S-record (`S0`-`S9` + hex digits)
 * record. Otherwise the extension decides, and a file matching nothing is taken as a raw binary.
 */
export function detectFormat(bytes: Uint8Array, name: string): ImageFormat {
  if (startsWith(bytes, [0x7f, 0x45, 0x4c, 0x46])) return "elf";
  if (startsWith(bytes, [0x44, 0x66, 0x75, 0x53, 0x65])) return "dfu"; // "DfuSe" (UM0391 §4.1)
  if (hasDfuSuffix(bytes)) return "dfu";
  const text = firstLine(bytes);
  if (/^:[0-9A-Fa-f]{10,}$/.test(text)) return "hex";
  if (/^S[0-9][0-9A-Fa-f]{8,}$/.test(text)) return "srec";
  return formatFromName(name) ?? "bin";
}

/** Options of {@linkcode parseImage}. */
export interface ParseImageOptions {
  /** The file's name, for detection by extension and for messages. */
  name: string;
  /** The format, when the user gave it; detected otherwise. */
  format?: ImageFormat;
  /**
   * Where a raw binary (or a plain DFU file, which has no addresses) is loaded. Formats that carry their own
   * addresses ignore it.
   */
  baseAddress?: number;
}

/**
 * Parses an image file's bytes. Raises an {@linkcode ImageError} for any malformed, inconsistent or empty file,
 * and for a raw binary without `baseAddress`.
 */
export function parseImage(bytes: Uint8Array, options: ParseImageOptions): MemoryImage {
  const { name, baseAddress } = options;
  const format = options.format ?? detectFormat(bytes, name);
  switch (format) {
    case "bin":
      return parseBinary(bytes, name, baseAddress);
    case "hex":
      return parseIntelHex(bytes, name);
    case "srec":
      return parseSrec(bytes, name);
    case "elf":
      return parseElf(bytes, name);
    case "dfu":
      return parseDfuFile(bytes, name, baseAddress).image;
  }
}

/** Options of {@linkcode loadImageFile}. */
export interface LoadImageOptions {
  /** The format, when the user gave it; detected otherwise. */
  format?: ImageFormat;
  /** Where a raw binary (or plain DFU file) is loaded; see {@linkcode ParseImageOptions.baseAddress}. */
  baseAddress?: number;
}

/**
 * Reads and parses an image file. A missing or unreadable file raises `E_FILE` naming the path; everything else
 * is as {@linkcode parseImage}.
 */
export async function loadImageFile(path: string, options: LoadImageOptions = {}): Promise<MemoryImage> {
  return parseImage(await readImageBytes(path), { name: path, ...options });
}

/** Reads a file's bytes, turning file-system errors into `E_FILE` {@linkcode ImageError}s. */
export async function readImageBytes(path: string): Promise<Uint8Array> {
  try {
    return await readGuarded(path, "firmware");
  } catch (error) {
    if (!(error instanceof GuardedReadError)) throw error;
    throw new ImageError("E_FILE", `cannot read the image file: ${error.reason}`, {
      location: { file: path },
      hint: error.hint,
      cause: error,
    });
  }
}

/** True when `bytes` begins with `prefix`. */
function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((value, i) => bytes[i] === value);
}

/** True when the file ends in a DFU suffix: "UFD" at offset -8 and bLength >= 16 (DFU 1.1 Table B-1). */
export function hasDfuSuffix(bytes: Uint8Array): boolean {
  const n = bytes.length;
  return n >= 16 && bytes[n - 8] === 0x55 && bytes[n - 7] === 0x46 && bytes[n - 6] === 0x44 && bytes[n - 5] >= 16;
}

/** The first non-blank line of a text file (up to 600 bytes), or "" when the start is not text. */
function firstLine(bytes: Uint8Array): string {
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (start < bytes.length && (bytes[start] === 0x20 || bytes[start] === 0x0d || bytes[start] === 0x0a)) start++;
  let end = start;
  while (end < bytes.length && end - start < 600 && bytes[end] !== 0x0a && bytes[end] !== 0x0d) end++;
  let text = "";
  for (let i = start; i < end; i++) {
    if (bytes[i] < 0x20 || bytes[i] > 0x7e) return "";
    text += String.fromCharCode(bytes[i]);
  }
  return text.trimEnd();
}
