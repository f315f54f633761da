/**
 * Errors of the firmware-image layer. Every problem with an image file is an {@linkcode ImageError}: an
 * {@linkcode InputError} (exit 2), raised before anything is sent to a device.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import type { FlashRecipeErrorOptions } from "../errors.ts";

/** Stable codes of {@linkcode ImageError}. */
export type ImageErrorCode =
  /** A record's checksum does not match its contents (Intel HEX, S-record). */
  | "E_IMAGE_CHECKSUM"
  /** The file ends early: no end-of-file record, or a structure runs past the end of the file. */
  | "E_IMAGE_TRUNCATED"
  /** A record or header is malformed or of an unknown type. */
  | "E_IMAGE_RECORD"
  /** The image writes the same address twice with different data. */
  | "E_IMAGE_OVERLAP"
  /** The image holds no data. */
  | "E_IMAGE_EMPTY"
  /** Data would run past address 0xFFFFFFFF (or across a 64 KiB record boundary in Intel HEX). */
  | "E_IMAGE_WRAP"
  /** The file is not of the format it claims or is a variant the tool does not accept (e.g. 64-bit ELF). */
  | "E_IMAGE_FORMAT"
  /** A whole-file CRC (DFU suffix) does not match. */
  | "E_IMAGE_CRC"
  /** The image has data outside the memory it is to be written to (e.g. past the end of flash). */
  | "E_IMAGE_RANGE"
  /** A raw binary was given without the address to load it at. */
  | "E_IMAGE_ADDRESS"
  /** The file could not be read. */
  | "E_FILE";

/** A firmware image file is missing, unreadable, malformed or inconsistent. Exit code 2. */
export class ImageError extends InputError {
  /** Narrowed stable code. */
  declare readonly code: ImageErrorCode;

  constructor(code: ImageErrorCode, message: string, options: FlashRecipeErrorOptions = {}) {
    super(code, message, options);
  }
}

/** Formats an address the way error messages and summaries show it: `0x08000000`. */
export function hexAddress(address: number): string {
  return `0x${address.toString(16).padStart(8, "0")}`;
}
