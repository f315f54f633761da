/**
 * Programming an image through a {@linkcode Target}: erase exactly the pages it touches, write it, verify it (the
 * bootloader's CRC where offered, else read back). Pages that already hold what erase + write would leave there
 * are found first and skipped altogether (lib/target/unchanged_pages.ts), so a re-flash of the same firmware costs
 * about one read of it. The `write` one-shot uses it; the recipe steps make the same Target calls.
 *
 * @module
 */

import { flashPages } from "../chips/layout.ts";
import { formatSize } from "../chips/format.ts";
import { DeviceError } from "../errors.ts";
import type { MemoryImage } from "../image/memory_image.ts";
import { assertFitsPages, pagesTouched } from "../image/pages.ts";
import type { Target } from "../target/target.ts";
import { type Comparison, findUnchangedPages, piecesOutside, wantedPages } from "../target/unchanged_pages.ts";
import { verifiedBy, verifyPieces } from "../target/verify.ts";

/** What {@linkcode eraseWriteVerify} did. */
export interface WriteReport {
  /** Pages erased. */
  pagesErased: number;
  /** Pages that already held the image: compared in full, neither erased nor written. */
  pagesUnchanged: number;
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
  step("comparing");
  const { unchanged, method } = await findUnchanged(target, image, pages);
  const toErase = pagesTouched(image, pages).filter((page) => !unchanged.has(page.index));
  step(`erasing ${toErase.length} page(s)`);
  if (toErase.length > 0) await target.erase({ kind: "pages", pages: toErase.map((page) => page.index) });
  const pieces = piecesOutside(image, pages, unchanged);
  const bytesWritten = pieces.reduce((sum, piece) => sum + piece.data.length, 0);
  step(`writing ${bytesWritten} bytes`);
  for (const piece of pieces) await target.writeMemory(piece.address, piece.data);
  step("verifying");
  // The unchanged pages were compared in full a moment ago and nothing has touched them since.
  const verified = pieces.length > 0 ? verifiedBy(await verifyPieces(target, pieces)) : method;
  return {
    pagesErased: toErase.length,
    pagesUnchanged: unchanged.size,
    bytesErased: toErase.reduce((sum, page) => sum + page.size, 0),
    bytesWritten,
    verifiedBy: verified,
  };
}

/** The touched pages that already hold the image; none when the device refuses the comparison (read protection). */
async function findUnchanged(
  target: Target,
  image: MemoryImage,
  pages: ReturnType<typeof flashPages>,
): Promise<Comparison> {
  try {
    return await findUnchangedPages(target, wantedPages([image], pages));
  } catch (error) {
    // A read-protected chip refuses reads but its erase may say more (or succeed after an unprotect): go on as
    // without the optimisation, erasing every touched page.
    if (error instanceof DeviceError && error.code === "E_NACK") {
      return { unchanged: new Set<number>(), method: "read-back" };
    }
    throw error;
  }
}

/** Checks that flash holds `image`: by Get Checksum where the bootloader offers it and the segment is word-aligned. */
export async function verifyImage(target: Target, image: MemoryImage): Promise<WriteReport["verifiedBy"]> {
  return verifiedBy(await verifyPieces(target, image.segments));
}
