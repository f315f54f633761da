/**
 * The first-flash optimisation: on a blank chip, the pages an image fills completely are programmed without erasing
 * them first. Erasing flash that is already erased changes nothing and costs the page's erase time (20 ms for an
 * F1 page, 0.4-2 s for an F4 sector; the datasheets' typical figures in lib/chips/flash_timing.ts), and factory-fresh chips
 * on a production line are blank.
 *
 * "Blank" is only a guess until proven, from the one probe that found the image's first page erased
 * (lib/target/unchanged_pages.ts). The proof is reading back (or checking the CRC of) every byte of such a page as
 * soon as it is programmed — what a verify would do anyway, because the image fills the page, so the verify need not
 * do it again. A page that held data after all cannot end up looking right:
 * chips that refuse to program a unit that is not erased (F0/F1/F3 PGERR, G0/G4/L4/WB PROGERR) leave it as it was
 * and the bootloader NACKs the write; chips that program it anyway (F2/F4) can only clear bits, so the page differs
 * from the image unless it held the image already. Either way the page is then erased and written again. Only
 * chips whose reference manual says which of the two happens (`ChipInfo.flash.programOverData`) take this path,
 * and only over the USART bootloader, whose NACK leaves the session usable.
 *
 * @module
 */

import type { FlashPage } from "../chips/layout.ts";
import { DeviceError } from "../errors.ts";
import type { MemoryImage } from "../image/memory_image.ts";
import type { ProgressCallback, Target } from "./target.ts";
import type { Piece } from "./unchanged_pages.ts";
import { verifyPieces, type VerifyResult } from "./verify.ts";

/** Whether `target`'s flash may be programmed without an erase on the chance that it is blank. */
export function mayProgramUnerased(target: Target): boolean {
  return target.identity.transport === "usart" && target.identity.chip.flash.programOverData !== undefined;
}

/** The pages among `pages` that `image` fills: every byte of them is the image's, so a verify reads all of it. */
export function filledPages(image: MemoryImage, pages: readonly FlashPage[]): FlashPage[] {
  return pages.filter((page) => {
    let covered = 0;
    for (const segment of image.segmentsIn(page.start, page.size)) {
      const from = Math.max(page.start, segment.address);
      const to = Math.min(page.start + page.size, segment.address + segment.data.length);
      if (to > from) covered += to - from;
    }
    return covered === page.size;
  });
}

/**
 * Programs an unerased page with `piece` (the page's whole contents) and proves it: how it was checked, or
 * `undefined` when it held data after all — the bootloader refused the write or the check found a difference —
 * and was then erased and written again (not yet verified: the caller verifies it with everything else).
 */
export async function programUnerasedPage(
  target: Target,
  page: FlashPage,
  piece: Piece,
  progress?: ProgressCallback,
): Promise<VerifyResult | undefined> {
  // Programming and reading back take about as long each: the first half of the piece's progress, then the second,
  // so that a 128 KiB sector moves the bar all the way instead of once at its end.
  const size = piece.data.length;
  const half = (offset: number) => (done: number, total: number) =>
    progress?.(Math.floor((offset + done / Math.max(1, total)) * size / 2), size);
  const programmed = await programUnerased(target, piece, half(0));
  const proof = programmed ? await verifyUnerased(target, piece, half(1)) : undefined;
  if (proof) return proof;
  await target.erase({ kind: "pages", pages: [page.index] });
  await target.writeMemory(piece.address, piece.data, progress);
  return undefined;
}

/** Programs `piece` into flash that was not erased: false when the bootloader refused it (the flash held data). */
async function programUnerased(target: Target, piece: Piece, progress: ProgressCallback): Promise<boolean> {
  try {
    await target.writeMemory(piece.address, piece.data, progress);
    return true;
  } catch (error) {
    if (error instanceof DeviceError && error.code === "E_NACK") return false;
    throw error;
  }
}

/** Verifies a piece programmed without an erase: how, or `undefined` when the flash does not hold it. */
async function verifyUnerased(
  target: Target,
  piece: Piece,
  progress: ProgressCallback,
): Promise<VerifyResult | undefined> {
  try {
    return await verifyPieces(target, [piece], { progress });
  } catch (error) {
    if (error instanceof DeviceError && error.code === "E_VERIFY") return undefined;
    throw error;
  }
}
