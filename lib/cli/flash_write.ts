/**
 * Programming an image through a {@linkcode Target}: erase exactly the pages it touches, write it, verify it (the
 * bootloader's CRC where offered, else read back). The `write` one-shot uses it; the recipe steps make the same
 * Target calls.
 *
 * @module
 */

import { flashPages } from "../chips/layout.ts";
import { formatAddress, formatSize } from "../chips/format.ts";
import { DeviceError } from "../errors.ts";
import type { MemoryImage } from "../image/memory_image.ts";
import { assertFitsPages, pagesTouched } from "../image/pages.ts";
import { stm32Crc } from "../protocol/usart/stm32_crc.ts";
import type { Target } from "../target/target.ts";

/** What {@linkcode eraseWriteVerify} did. */
export interface WriteReport {
  /** Pages erased. */
  pagesErased: number;
  /** Bytes erased. */
  bytesErased: number;
  /** Bytes written. */
  bytesWritten: number;
  /** How the data was verified. */
  verifiedBy: "CRC" | "read-back" | "CRC and read-back";
}

/**
 * Erases the pages `image` touches (after checking it fits the connected chip's flash), writes it and verifies it.
 * `step` is told each phase as it starts.
 */
export async function eraseWriteVerify(
  target: Target,
  image: MemoryImage,
  step: (phase: string) => void = () => {},
): Promise<WriteReport> {
  const { chip, flashSize } = target.identity;
  const pages = flashPages(chip, flashSize);
  assertFitsPages(image, pages, `the ${formatSize(flashSize)} flash of the ${chip.name}`);
  const touched = pagesTouched(image, pages);
  step(`erasing ${touched.length} page(s)`);
  await target.erase({ kind: "pages", pages: touched.map((page) => page.index) });
  step(`writing ${image.size} bytes`);
  for (const segment of image.segments) await target.writeMemory(segment.address, segment.data);
  step("verifying");
  const verifiedBy = await verifyImage(target, image);
  return {
    pagesErased: touched.length,
    bytesErased: touched.reduce((sum, page) => sum + page.size, 0),
    bytesWritten: image.size,
    verifiedBy,
  };
}

/** Checks that flash holds `image`: by Get Checksum where the bootloader offers it and the segment is word-aligned. */
export async function verifyImage(target: Target, image: MemoryImage): Promise<WriteReport["verifiedBy"]> {
  let crcBytes = 0;
  for (const { address, data } of image.segments) {
    const aligned = address % 4 === 0 && data.length % 4 === 0;
    const crc = aligned ? await target.checksum?.(address, data.length) : undefined;
    if (crc !== undefined) {
      if (crc !== stm32Crc(data)) {
        throw new DeviceError("E_VERIFY", `verify failed: CRC of ${formatAddress(address)}+${data.length} differs`, {
          hint: "the flash does not hold the image: erase and write again",
        });
      }
      crcBytes += data.length;
      continue;
    }
    const actual = await target.readMemory(address, data.length);
    const at = actual.findIndex((byte, i) => byte !== data[i]);
    if (at >= 0) {
      throw new DeviceError(
        "E_VERIFY",
        `verify failed at ${formatAddress(address + at)}: expected 0x${hex2(data[at])}, read 0x${hex2(actual[at])}`,
        { hint: "was the flash erased before writing? is it write-protected?" },
      );
    }
  }
  return crcBytes === image.size ? "CRC" : crcBytes > 0 ? "CRC and read-back" : "read-back";
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, "0");
}
