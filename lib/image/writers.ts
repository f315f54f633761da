/**
 * Writing a {@linkcode MemoryImage} in any writable format, by name. The format-specific writers live beside
 * their readers (`binary.ts`, `intel_hex.ts`, `srec.ts`, `dfuse_file.ts`).
 *
 * @module
 */

import { ImageError } from "./errors.ts";
import { writeBinary } from "./binary.ts";
import { writeIntelHex } from "./intel_hex.ts";
import { writeSrec } from "./srec.ts";
import { type DfuseWriteOptions, writeDfuse } from "./dfuse_file.ts";
import type { ImageFormat } from "./load.ts";
import type { MemoryImage } from "./memory_image.ts";

/** Formats {@linkcode writeImage} can produce (ELF is read-only). */
export type WritableFormat = Exclude<ImageFormat, "elf">;

/** Options of {@linkcode writeImage}; each applies to the formats named. */
export interface WriteImageOptions extends DfuseWriteOptions {
  /** hex, srec: data bytes per record (default 16). */
  bytesPerRecord?: 16 | 32;
  /** bin: value of bytes between segments (default 0xFF, erased flash). */
  fill?: number;
}

/**
 * Encodes an image as `format`:
 * - `bin`: raw bytes from the lowest address, gaps filled (the start address is lost; see {@linkcode writeBinary});
 * - `hex`: Intel HEX, type 04 + 00 (+ 05 for an entry point) + 01 records;
 * - `srec`: S-records, S0 + S1/S2/S3 + S5/S6 + S9/S8/S7;
 * - `dfu`: DfuSe with one target holding one element per segment.
 *
 * Asking for `elf` raises `E_IMAGE_FORMAT`; an empty image raises `E_IMAGE_EMPTY`.
 */
export function writeImage(image: MemoryImage, format: ImageFormat, options: WriteImageOptions = {}): Uint8Array {
  if (image.isEmpty) throw new ImageError("E_IMAGE_EMPTY", "cannot write an empty image");
  switch (format) {
    case "bin":
      return writeBinary(image, options.fill).data;
    case "hex":
      return writeIntelHex(image, { bytesPerRecord: options.bytesPerRecord });
    case "srec":
      return writeSrec(image, { bytesPerRecord: options.bytesPerRecord });
    case "dfu":
      return writeDfuse(image, options);
    case "elf":
      throw new ImageError("E_IMAGE_FORMAT", "writing ELF files is not supported", {
        hint: "convert to .hex, .srec, .bin or .dfu",
      });
  }
}
