/**
 * The flash planner: how an image gets onto a chip through any {@linkcode Target}, in one place for the `write`
 * one-shot and the recipe steps, as probe-rs keeps flashing apart from probes.
 *
 * - **Plan** ({@linkcode planImages}): the pages the images touch; among them those already holding what erase +
 *   write would leave (compared in full: lib/target/unchanged_pages.ts), neither erased nor written; on a blank
 *   chip, those an image fills, programmed without an erase and proven by reading them back
 *   (lib/target/blank_pages.ts); the rest to erase.
 * - **Write** ({@linkcode writeImage}): page by page, each piece noted in the {@linkcode FlashLedger} before it
 *   goes out. A transient fault (a reply lost or garbled, a NACK, the chip resetting) is retried: the session is
 *   brought back, the page is compared, and where it does not hold its data it is erased and written again —
 *   bounded by {@linkcode PAGE_RETRIES} per page. A step retried by a recipe's `retry:` resumes the same way:
 *   pages an earlier attempt programmed are compared, and erased and rewritten where they differ, instead of
 *   being programmed over (which the chip refuses).
 * - **Verify** ({@linkcode verifyImages}): what the ledger has not proven since the last erase.
 * - **Invariant**: before success is reported, every page the images touch is settled
 *   ({@linkcode FlashLedger.assertSettled}).
 *
 * @module
 */

import { GENERIC_FAMILY } from "../chips/generic.ts";
import { formatSize } from "../chips/format.ts";
import { type FlashPage, flashPages } from "../chips/layout.ts";
import { DeviceError, FlashRecipeError } from "../errors.ts";
import type { MemoryImage } from "../image/memory_image.ts";
import { pageData, pagesTouched, rangesOutside } from "../image/pages.ts";
import { filledPages, mayProgramUnerased, programUnerasedPage } from "../target/blank_pages.ts";
import type { ProgressCallback, Target } from "../target/target.ts";
import { findUnchangedPages, type Piece, piecesOutside, wantedPages } from "../target/unchanged_pages.ts";
import { joinSharedUnits } from "../target/program_units.ts";
import { verifiedBy, verifyPieces, type VerifyResult } from "../target/verify.ts";
import { eraseWithProgress } from "../target/erase_progress.ts";
import { FlashLedger } from "./ledger.ts";

/** Retries of one page's write after a transient fault, each with the page erased and written again. */
export const PAGE_RETRIES = 2;

/** A new ledger for the flash of `target` as connected. */
export function ledgerFor(target: Target): FlashLedger {
  return new FlashLedger(flashPages(target.identity.chip, target.identity.flashSize));
}

/**
 * Stops before anything is erased when the chip's page layout is unknown (a product ID the database does not
 * list: erasing by a guessed numbering would hit other pages) or the images do not fit its flash. The device was
 * already touched (the identity came from it), so these are device errors, exit 1 — never an input error's
 * promise that nothing was sent.
 */
export function assertPlannable(target: Target, images: readonly MemoryImage[]): void {
  const { chip, flashSize, pid } = target.identity;
  if (chip.family === GENERIC_FAMILY) {
    throw new DeviceError(
      "E_CHIP_UNKNOWN",
      `the chip's product ID 0x${(pid ?? 0).toString(16)} is not in the chip database: its page layout is unknown`,
      {
        hint: "nothing was erased; erasing by a guessed page numbering could destroy other pages. Use a build " +
          "that knows the part, or add it to the chip database",
      },
    );
  }
  const pages = flashPages(chip, flashSize);
  for (const image of images) {
    const outside = rangesOutside(image, pages);
    if (outside.length === 0) continue;
    const bytes = outside.reduce((sum, range) => sum + range.length, 0);
    throw new DeviceError(
      "E_IMAGE_FIT",
      `${bytes} bytes of ${image.name ?? "the image"} lie outside the ${formatSize(flashSize)} flash of the ` +
        `connected ${chip.name}, the first at 0x${outside[0].address.toString(16).padStart(8, "0")}`,
      { hint: "nothing was erased; the image is built for another chip or address: check the part and the file" },
    );
  }
}

/** What {@linkcode planImages} decided. */
export interface FlashPlan {
  /** Pages that already hold the images: neither erased nor written. */
  unchanged: Set<number>;
  /** Pages left unerased on a blank chip: the write programs and proves them. */
  unerased: FlashPage[];
  /** Pages to erase. */
  toErase: FlashPage[];
  /** How the unchanged pages were compared. */
  method: "CRC" | "read-back";
}

/** Options of {@linkcode planImages}. */
export interface PlanOptions {
  /**
   * Whether blank pages may be left unerased: only when whatever writes them proves them (a verify follows, or the
   * one-shot's own proof) and every write runs.
   */
  allowUnerased: boolean;
  /** The pages to consider (default: every page the images touch). */
  pages?: readonly FlashPage[];
  /** Bytes of those pages compared so far. */
  progress?: ProgressCallback;
}

/** Compares and decides (see the module text); notes what it found in `ledger`. Erases nothing. */
export async function planImages(
  target: Target,
  ledger: FlashLedger,
  images: readonly MemoryImage[],
  options: PlanOptions,
): Promise<FlashPlan> {
  const touched = options.pages ??
    [...new Map(images.flatMap((image) => pagesTouched(image, ledger.pages)).map((p) => [p.index, p])).values()]
      .sort((a, b) => a.index - b.index);
  const comparison = await compare(target, wantedPages(images, touched), options.progress);
  ledger.noteUnchanged(comparison.unchanged);
  const changed = touched.filter((page) => !comparison.unchanged.has(page.index));
  const unerased = comparison.blankStart && options.allowUnerased && mayProgramUnerased(target)
    ? filledByOne(images, changed)
    : [];
  ledger.noteLeftUnerased(unerased.map((page) => page.index));
  const skip = new Set(unerased.map((page) => page.index));
  return {
    unchanged: comparison.unchanged,
    unerased,
    toErase: changed.filter((page) => !skip.has(page.index)),
    method: comparison.method,
  };
}

/** Erases `pages` and notes it. */
export async function erasePages(
  target: Target,
  ledger: FlashLedger,
  pages: readonly FlashPage[],
  progress?: ProgressCallback,
): Promise<void> {
  if (pages.length === 0) return;
  // Noted first: an erase that fails half-way leaves the pages in an unknown state, which "erased" (not proven)
  // describes for the planner.
  ledger.noteErased(pages.map((page) => page.index));
  const request = { kind: "pages" as const, pages: pages.map((page) => page.index) };
  // Erasing again is harmless: after a transient fault the erase is simply asked again, bounded.
  for (let retry = 0;; retry++) {
    try {
      // Bootloaders say nothing while they erase: progress by time against the datasheet (erase_progress.ts).
      return await eraseWithProgress(target, request, progress);
    } catch (error) {
      if (retry >= PAGE_RETRIES || !isTransient(error) || !target.recover) throw error;
      await recoverAfter(target, error);
    }
  }
}

/**
 * Brings the session back after the transient `error`. When that fails too, the error the user needs is `error`
 * (an erase that outlasted the datasheet's maximum, a write that got no reply), with the failed recovery after
 * it — not the recovery's own error alone, whose hint ("no response": BOOT0 and wiring; a late reply taken for a
 * reset) blames a board that answered a moment ago.
 */
async function recoverAfter(target: Target, error: unknown): Promise<void> {
  try {
    await target.recover!();
  } catch (again) {
    if (!(error instanceof DeviceError) || !(again instanceof DeviceError)) throw again;
    throw new SessionLostError(error, again);
  }
}

/** A transient fault the session could not be brought back from: the fault's code and words, retried no more. */
class SessionLostError extends DeviceError {
  constructor(fault: DeviceError, recovery: DeviceError) {
    super(fault.code, `${fault.message}; bringing the session back failed too (${recovery.message})`, {
      hint: fault.hint,
      cause: recovery,
    });
  }
}

/** What {@linkcode writeImage} did. */
export interface WriteOutcome {
  /** Bytes sent to be programmed. */
  bytesWritten: number;
  /** Pages programmed without an erase and proven blank-programmed. */
  pagesBlank: number;
  /** Pages found holding data after all (or left half-written by an earlier attempt): erased and written again. */
  pagesRewritten: number;
  /** Bytes of the pages erased again. */
  bytesRewritten: number;
  /** Transient faults recovered from (a page written again). */
  retries: number;
  /** How the unerased pages were proven. */
  proof: VerifyResult;
}

/**
 * Writes `image` as the ledger says: pages unchanged are skipped, pages left unerased are programmed and proven,
 * pages an earlier attempt programmed are compared and, where they differ, erased and written again; the rest is
 * written into erased flash, page by page, with transient faults retried (see the module text). `others` are the
 * images written before in this session, whose bytes share pages with this one (what a page rewrite restores).
 * `resume` says an earlier attempt at this same write ran (a recipe's `retry:`).
 */
export async function writeImage(
  target: Target,
  ledger: FlashLedger,
  image: MemoryImage,
  options: { others?: readonly MemoryImage[]; resume?: boolean; progress?: ProgressCallback } = {},
): Promise<WriteOutcome> {
  const { others = [], resume = false, progress } = options;
  const outcome: WriteOutcome = {
    bytesWritten: 0,
    pagesBlank: 0,
    pagesRewritten: 0,
    bytesRewritten: 0,
    retries: 0,
    proof: { crcBytes: 0, readBytes: 0 },
  };
  const touched = pagesTouched(image, ledger.pages);
  const unit = target.identity.chip.flash.programUnit;
  // A retried step: pages an earlier attempt programmed hold part of this image, or all of it.
  const resumed = resume
    ? touched.filter((page) => ledger.state(page.index) === "programmed" && !ledger.settled(page.index))
    : [];
  for (const page of resumed) {
    if (await pageHolds(target, page, [...others, image])) ledger.noteProven([page.index]);
    else {
      await rewritePage(target, ledger, page, [...others, image]);
      outcome.pagesRewritten++;
      outcome.bytesRewritten += page.size;
    }
  }
  const done = new Set(resumed.map((page) => page.index));
  const skip = new Set<number>([...done]);
  for (const page of touched) {
    const state = ledger.state(page.index);
    if (state === "unchanged" || state === "unerased" || ledger.settled(page.index)) skip.add(page.index);
  }
  const unerased = touched.filter((page) => ledger.state(page.index) === "unerased" && !done.has(page.index));
  const work = [
    // Pieces sharing a program unit (a double-word on L4/G4/WB...) go as one write: the unit is programmed once
    // per erase (lib/target/program_units.ts). Pages are whole units, so the split at pages keeps units whole.
    ...splitAtPages(joinSharedUnits(piecesOutside(image, ledger.pages, skip), unit), ledger.pages).map((piece) => ({
      piece,
      unerased: false,
    })),
    ...unerased.map((page) => ({ piece: { address: page.start, data: pageData(image, page) }, unerased: true })),
  ].sort((a, b) => a.piece.address - b.piece.address);
  const total = work.reduce((sum, { piece }) => sum + piece.data.length, 0);
  // A program unit an earlier image of this session already programmed (two writes sharing a double-word on an
  // L4/G4/WB...) cannot be programmed again until erased (RM0394 §3.3.7: PROGERR): such a page is erased and
  // written with every image's bytes at once.
  // Only a page programmed since its last erase can hold such a unit.
  const sharing = new Set(
    work.map(({ piece, unerased }) => ({ page: pageOf(ledger.pages, piece.address), piece, unerased }))
      .filter(({ page, piece, unerased }) =>
        !unerased && ledger.state(page.index) === "programmed" && sharesProgramUnit(piece, others, unit)
      )
      .map(({ page }) => page.index),
  );
  let before = 0;
  for (const { piece, unerased: blank } of work) {
    const page = pageOf(ledger.pages, piece.address);
    const report = (n: number) => progress?.(before + n, total);
    if (sharing.has(page.index)) {
      if (!done.has(page.index)) {
        done.add(page.index);
        await rewritePage(target, ledger, page, [...others, image]);
        outcome.pagesRewritten++;
        outcome.bytesRewritten += page.size;
      }
    } else if (blank) {
      ledger.noteProgramming(piece.address, piece.data.length);
      let proof: VerifyResult | undefined;
      try {
        proof = await programUnerasedPage(target, page, piece, report);
      } catch (error) {
        // A link fault while programming or proving it: the page is erased and written again, as any other.
        outcome.retries += await recoverPage(target, ledger, page, [...others, image], error);
        outcome.pagesRewritten++;
        outcome.bytesRewritten += page.size;
        before += piece.data.length;
        outcome.bytesWritten += piece.data.length;
        progress?.(before, total);
        continue;
      }
      if (proof) {
        ledger.noteProven([page.index]);
        outcome.pagesBlank++;
        outcome.proof.crcBytes += proof.crcBytes;
        outcome.proof.readBytes += proof.readBytes;
      } else {
        // It held data: programUnerasedPage erased it and wrote it again, to be verified with the rest.
        ledger.noteErased([page.index]);
        ledger.noteProgramming(piece.address, piece.data.length);
        outcome.pagesRewritten++;
        outcome.bytesRewritten += page.size;
      }
    } else {
      outcome.retries += await writeRecovering(target, ledger, page, piece, [...others, image], report);
    }
    before += piece.data.length;
    outcome.bytesWritten += piece.data.length;
    progress?.(before, total);
  }
  return outcome;
}

/**
 * Writes `piece` (inside one page) into erased flash; after a transient fault brings the session back and
 * rewrites the whole page (erase, then every image's bytes there). Returns the retries it took.
 */
async function writeRecovering(
  target: Target,
  ledger: FlashLedger,
  page: FlashPage,
  piece: Piece,
  images: readonly MemoryImage[],
  progress?: ProgressCallback,
): Promise<number> {
  ledger.noteProgramming(piece.address, piece.data.length);
  try {
    await target.writeMemory(piece.address, piece.data, progress);
    return 0;
  } catch (error) {
    return await recoverPage(target, ledger, page, images, error);
  }
}

/**
 * After `error` while writing `page`: when it is transient and the target can recover, brings the session back
 * and erases and rewrites the page, up to {@linkcode PAGE_RETRIES} times; returns the retries it took. Anything
 * else is thrown.
 */
async function recoverPage(
  target: Target,
  ledger: FlashLedger,
  page: FlashPage,
  images: readonly MemoryImage[],
  error: unknown,
): Promise<number> {
  if (!isTransient(error) || !target.recover) throw error;
  let last = error;
  for (let retry = 1; retry <= PAGE_RETRIES; retry++) {
    try {
      await recoverAfter(target, last);
      await rewritePage(target, ledger, page, images);
      return retry;
    } catch (again) {
      // A session that cannot be brought back ends here, with the error that started it.
      if (!isTransient(again) || again instanceof SessionLostError) throw again;
      last = again;
    }
  }
  throw last;
}

/** Erases `page` and writes every byte `images` put there. */
async function rewritePage(
  target: Target,
  ledger: FlashLedger,
  page: FlashPage,
  images: readonly MemoryImage[],
): Promise<void> {
  const [wanted] = wantedPages(images, [page]);
  if (!wanted) {
    throw new DeviceError("E_VERIFY", `page ${page.index} cannot be rewritten: two images disagree about it`, {
      hint: "the recipe writes overlapping images; erase the page and run again",
    });
  }
  await erasePages(target, ledger, [page]);
  const pieces = images.flatMap((image) => piecesOutside(image, ledger.pages, new Set()))
    .filter((piece) => piece.address < page.start + page.size && piece.address + piece.data.length > page.start)
    .map((piece) => clip(piece, page));
  // One piece: the page's whole wanted contents from its first to its last image byte.
  if (pieces.length === 0) return;
  const from = Math.min(...pieces.map((p) => p.address));
  const to = Math.max(...pieces.map((p) => p.address + p.data.length));
  ledger.noteProgramming(from, to - from);
  await target.writeMemory(from, wanted.data.subarray(from - page.start, to - page.start));
}

/** Whether `page` holds what `images` put there (0xFF elsewhere), by CRC or reading back. */
async function pageHolds(target: Target, page: FlashPage, images: readonly MemoryImage[]): Promise<boolean> {
  const [wanted] = wantedPages(images, [page]);
  if (!wanted) return false;
  try {
    const { unchanged } = await findUnchangedPages(target, [wanted]);
    return unchanged.has(page.index);
  } catch (error) {
    if (error instanceof DeviceError && error.code === "E_NACK") return false;
    throw error;
  }
}

/** Options of {@linkcode verifyImages}. */
export interface VerifyImagesOptions {
  /** Use Get Checksum where offered (default true). */
  useChecksum?: boolean;
  /** Progress in bytes. */
  progress?: ProgressCallback;
}

/** What {@linkcode verifyImages} checked. */
export interface VerifyOutcome extends VerifyResult {
  /** Bytes of the images in pages already proven since the last erase, not checked again. */
  provenBytes: number;
}

/**
 * Verifies what the ledger has not proven of `images`, notes it, and asserts the planner's invariant: every page
 * the images touch is settled.
 */
export async function verifyImages(
  target: Target,
  ledger: FlashLedger,
  images: readonly MemoryImage[],
  options: VerifyImagesOptions = {},
): Promise<VerifyOutcome> {
  const pieces = ledger.verifyPieces(images);
  const total = images.reduce((sum, image) => sum + image.size, 0);
  const checked = pieces.reduce((sum, piece) => sum + piece.data.length, 0);
  const result = await verifyPieces(target, pieces, options);
  ledger.noteVerified(pieces, images);
  ledger.assertSettled(images);
  return { ...result, provenBytes: total - checked };
}

/** What {@linkcode programImage} did. */
export interface WriteReport {
  /** Pages erased. */
  pagesErased: number;
  /** Pages that already held the image: compared in full, neither erased nor written. */
  pagesUnchanged: number;
  /** Pages found blank: programmed without an erase, proven by reading them back. */
  pagesBlank: number;
  /** Bytes erased. */
  bytesErased: number;
  /** Bytes written. */
  bytesWritten: number;
  /** Transient faults recovered from (pages written again, reads retried). */
  retries: number;
  /** How the data was verified. */
  verifiedBy: "CRC" | "read-back" | "CRC and read-back";
}

/**
 * The `write` one-shot: checks the image fits the connected chip, plans, erases, writes and verifies it (see the
 * module text). `step` is told each phase as it starts.
 */
export async function programImage(
  target: Target,
  image: MemoryImage,
  step: (phase: string) => void = () => {},
): Promise<WriteReport> {
  assertPlannable(target, [image]);
  const ledger = ledgerFor(target);
  const before = recoveriesOf(target);
  step("comparing");
  // The one-shot proves what it programs without an erase by reading it back right away.
  const plan = await planImages(target, ledger, [image], { allowUnerased: true });
  step(`erasing ${plan.toErase.length} page(s)`);
  await erasePages(target, ledger, plan.toErase);
  step("writing");
  const written = await writeImage(target, ledger, image);
  step("verifying");
  const verified = await verifyImages(target, ledger, [image]);
  const erased = plan.toErase.length + written.pagesRewritten;
  const checked = {
    crcBytes: verified.crcBytes + written.proof.crcBytes,
    readBytes: verified.readBytes + written.proof.readBytes,
  };
  return {
    pagesErased: erased,
    pagesUnchanged: plan.unchanged.size,
    pagesBlank: written.pagesBlank,
    bytesErased: plan.toErase.reduce((sum, page) => sum + page.size, 0) + written.bytesRewritten,
    bytesWritten: written.bytesWritten,
    // A target that counts its recoveries (reads retried too) says it best; else the pages written again.
    retries: Math.max(written.retries, recoveriesOf(target) - before),
    // Nothing written and nothing checked: every page held the image, compared in full a moment ago.
    verifiedBy: checked.crcBytes + checked.readBytes === 0 ? plan.method : verifiedBy(checked),
  };
}

/** Checks that flash holds `image`: by Get Checksum where the bootloader offers it and the segment is word-aligned. */
export async function verifyImage(target: Target, image: MemoryImage): Promise<WriteReport["verifiedBy"]> {
  return verifiedBy(await verifyPieces(target, image.segments));
}

/** Link faults a retry may cure, once the session is back: a lost or garbled reply, a refusal, a reset. */
export function isTransient(error: unknown): boolean {
  return error instanceof FlashRecipeError &&
    ["E_TIMEOUT", "E_PROTOCOL", "E_NACK", "E_DEVICE_RESET", "E_PARITY"].includes(error.code);
}

function recoveriesOf(target: Target): number {
  return target.recoveries ?? 0;
}

/** Compares, treating a refused comparison (read protection) as "nothing unchanged". */
async function compare(target: Target, wanted: ReturnType<typeof wantedPages>, progress?: ProgressCallback) {
  try {
    return await findUnchangedPages(target, wanted, progress);
  } catch (error) {
    // A read-protected chip refuses reads; its erase may say more (or succeed after an unprotect).
    if (error instanceof DeviceError && error.code === "E_NACK") {
      return { unchanged: new Set<number>(), method: "read-back" as const, blankStart: false };
    }
    throw error;
  }
}

/** The pages among `pages` that one of `images` fills and no other touches. */
function filledByOne(images: readonly MemoryImage[], pages: readonly FlashPage[]): FlashPage[] {
  return images.flatMap((image) =>
    filledPages(image, pages).filter((page) =>
      images.every((other) => other === image || !other.overlaps(page.start, page.size))
    )
  );
}

/** Whether a program unit `piece` touches holds bytes of one of `others` (images already written). */
function sharesProgramUnit(piece: Piece, others: readonly MemoryImage[], unit: number): boolean {
  if (others.length === 0) return false;
  const from = piece.address - (piece.address % unit);
  const end = piece.address + piece.data.length;
  const to = end + ((unit - (end % unit)) % unit);
  return others.some((other) => other.overlaps(from, to - from));
}

/** `pieces` cut at page boundaries, so that each lies in one page. */
function splitAtPages(pieces: readonly Piece[], pages: readonly FlashPage[]): Piece[] {
  const out: Piece[] = [];
  for (const piece of pieces) {
    let at = piece.address;
    const end = piece.address + piece.data.length;
    while (at < end) {
      const page = pageOf(pages, at);
      const stop = Math.min(end, page.start + page.size);
      out.push({ address: at, data: piece.data.subarray(at - piece.address, stop - piece.address) });
      at = stop;
    }
  }
  return out;
}

/** The page holding `address` (the planner only places pieces inside flash). */
function pageOf(pages: readonly FlashPage[], address: number): FlashPage {
  let low = 0;
  let high = pages.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const page = pages[mid];
    if (address < page.start) high = mid - 1;
    else if (address >= page.start + page.size) low = mid + 1;
    else return page;
  }
  throw new RangeError(`0x${address.toString(16)} is in no flash page`);
}

function clip(piece: Piece, page: FlashPage): Piece {
  const from = Math.max(piece.address, page.start);
  const to = Math.min(piece.address + piece.data.length, page.start + page.size);
  return { address: from, data: piece.data.subarray(from - piece.address, to - piece.address) };
}
