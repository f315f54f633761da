/**
 * Raw binary images: bytes with no addresses of their own, loaded at a base address the user gives.
 *
 * @module
 */

import { hexAddress, ImageError } from "./errors.ts";
import { checkAddressRange, MAX_IMAGE_BYTES_ADDED, MemoryImage } from "./memory_image.ts";

/**
 * Reads a raw binary as one segment at `baseAddress`. Without a base address this raises `E_IMAGE_ADDRESS`
 * telling the user to give `address:`; an empty file raises `E_IMAGE_EMPTY`; a file running past 0xFFFFFFFF
 * raises `E_IMAGE_WRAP`.
 */
export function parseBinary(bytes: Uint8Array, name: string, baseAddress?: number): MemoryImage {
  if (baseAddress === undefined) {
    throw new ImageError("E_IMAGE_ADDRESS", "a raw binary holds no load address", {
      location: { file: name },
      hint: "give the address to write it at, e.g. `address: 0x08000000` in the recipe step",
    });
  }
  if (bytes.length === 0) {
    throw new ImageError("E_IMAGE_EMPTY", "the file is empty", { location: { file: name } });
  }
  checkAddressRange(baseAddress, bytes.length, name);
  return new MemoryImage([{ address: baseAddress, data: bytes }], { name });
}

/**
 * Writes an image as a raw binary starting at its lowest address, gaps filled with `fill` (default 0xFF, erased
 * flash) — what `objcopy -O binary --gap-fill 0xff` produces. Returns the bytes and the address they start at.
 */
export function writeBinary(image: MemoryImage, fill = 0xff): { address: number; data: Uint8Array } {
  if (image.isEmpty) throw new ImageError("E_IMAGE_EMPTY", "cannot write an empty image as a binary");
  const span = image.end - image.start;
  // A binary spanning flash and RAM (0x08000000..0x20000000) would be 384 MiB of filler: refuse such mistakes. The
  // bound is what one image may hold at all (64 MiB), so writing a .bin never takes more memory than reading did.
  if (span > MAX_IMAGE_BYTES_ADDED) {
    throw new ImageError(
      "E_IMAGE_FORMAT",
      `a binary from ${hexAddress(image.start)} to ${hexAddress(image.end)} would be ${span} bytes, mostly filler`,
      { hint: "the image has segments far apart; write it as .hex, .srec or .dfu instead" },
    );
  }
  return { address: image.start, data: image.slice(image.start, span, fill) };
}
