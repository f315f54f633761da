/**
 * Programming an image through a {@linkcode Target}: erase exactly the pages it touches, write it, verify it (the
 * bootloader's CRC where offered, else read back). Pages that already hold what erase + write would leave there
 * are found first and skipped altogether (lib/target/unchanged_pages.ts), so a re-flash of the same firmware costs
 * about one read of it. On a blank chip the pages the image fills are programmed without an erase, a read-back
 * proving them (lib/target/blank_pages.ts). The `write` one-shot uses it; the recipe steps make the same Target
 * calls.
 *
 * @module
 */

import { type FlashPage, flashPages } from "../chips/layout.ts";
import { formatSize } from "../chips/format.ts";
import { DeviceError } from "../errors.ts";
import type { MemoryImage } from "../image/memory_image.ts";
import { assertFitsPages, pagesTouched } from "../image/pages.ts";
import type { Target } from "../target/target.ts";
import { filledPages, mayProgramUnerased, programUnerasedPage, writePlan } from "../target/blank_pages.ts";
import { type Comparison, findUnchangedPages, type Piece, wantedPages } from "../target/unchanged_pages.ts";
import { verifiedBy, verifyPieces, type VerifyResult } from "../target/verify.ts";

/** What {@linkcode eraseWriteVerify} did. */
export interface WriteReport {
  /** Pages erased. */
  pagesErased: number;
  /** Pages that already held the image: compared in full, neither erased nor written. */
  pagesUnchanged: number;
  /** Pages found blank: programmed without an erase, proven by reading them back (lib/target/blank_pages.ts). */
  pagesBlank: number;
  /** Bytes erased. */
  bytesErased: number;
  /** Bytes written. */
  bytesWritten: number;
  /** How the data was verified. */
  verifiedBy: "CRC" | "read-back" | "CRC and read-back";
}

/**
 * Erases the pages `image` touches (after checking it fits the connected chip's flash) — but for those already holding
 * it, and on a blank chip those it fills — writes it and verifies it. `step` is told each phase as it starts.
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
  const { unchanged, method, blankStart } = await findUnchanged(target, image, pages);
  const touched = pagesTouched(image, pages).filter((page) => !unchanged.has(page.index));
  // A blank chip needs no erase where the image fills the page: reading back every byte of it, which the verify
  // would do anyway, proves it.
  const unerased = blankStart && mayProgramUnerased(target) ? filledPages(image, touched) : [];
  const skipErase = new Set(unerased.map((page) => page.index));
  const toErase = touched.filter((page) => !skipErase.has(page.index));
  step(`erasing ${toErase.length} page(s)`);
  if (toErase.length > 0) await target.erase({ kind: "pages", pages: toErase.map((page) => page.index) });
  const plan = writePlan(image, pages, new Set([...unchanged, ...skipErase]), unerased);
  const bytesWritten = plan.reduce((sum, { piece }) => sum + piece.data.length, 0);
  step(`writing ${bytesWritten} bytes`);
  const checked: VerifyResult = { crcBytes: 0, readBytes: 0 };
  const tally = (result: VerifyResult) => {
    checked.crcBytes += result.crcBytes;
    checked.readBytes += result.readBytes;
  };
  // An unerased page is read back as soon as it is programmed; one that held data after all is erased and written
  // again, and verified below with everything else.
  const notBlank: FlashPage[] = [];
  const toVerify: Piece[] = [];
  for (const { piece, page } of plan) {
    if (!page) {
      await target.writeMemory(piece.address, piece.data);
      toVerify.push(piece);
      continue;
    }
    const proof = await programUnerasedPage(target, page, piece);
    if (proof) tally(proof);
    else {
      notBlank.push(page);
      toVerify.push(piece);
    }
  }
  step("verifying");
  if (toVerify.length > 0) tally(await verifyPieces(target, toVerify));
  const erased = [...toErase, ...notBlank];
  return {
    pagesErased: erased.length,
    pagesUnchanged: unchanged.size,
    pagesBlank: unerased.length - notBlank.length,
    bytesErased: erased.reduce((sum, page) => sum + page.size, 0),
    bytesWritten,
    // The unchanged pages were compared in full a moment ago and nothing has touched them since.
    verifiedBy: plan.length > 0 ? verifiedBy(checked) : method,
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
      return { unchanged: new Set<number>(), method: "read-back", blankStart: false };
    }
    throw error;
  }
}

/** Checks that flash holds `image`: by Get Checksum where the bootloader offers it and the segment is word-aligned. */
export async function verifyImage(target: Target, image: MemoryImage): Promise<WriteReport["verifiedBy"]> {
  return verifiedBy(await verifyPieces(target, image.segments));
}
