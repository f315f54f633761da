/**
 * What the host knows about the flash of one connected chip, page by page, as a flash session goes on: which pages
 * were found holding what the images put there (compared in full), which were left unerased on the chance they
 * were blank, which were erased, which were programmed since, and which are proven — read back or CRC-checked —
 * to hold what they must. The `write` one-shot and the recipe steps (`erase`, `write`, `verify`) keep one ledger
 * per connection and plan from it (lib/flash/program.ts), so the plan for an image lives in one place.
 *
 * Proofs are dated. An erase, any erase, makes every earlier proof stale: had the host's page numbering been wrong
 * (a corrupted product ID, a database error), the erase could have hit a page it believes untouched, and only a
 * fresh check can tell. A page counts as settled only when its proof is newer than the last erase, and the ledger
 * asserts (see {@linkcode FlashLedger.assertSettled}) that every page an image touches is settled before anything
 * reports success.
 *
 * @module
 */

import type { FlashPage } from "../chips/layout.ts";
import { DeviceError } from "../errors.ts";
import type { MemoryImage } from "../image/memory_image.ts";
import { pagesTouched } from "../image/pages.ts";
import { type Piece, piecesOutside } from "../target/unchanged_pages.ts";

/** What became of a page in this session. */
export type PageState =
  /** Nothing known: not compared, erased or programmed in this session. */
  | "unknown"
  /** Compared in full and found holding what the images put there; neither erased nor programmed since. */
  | "unchanged"
  /** Left unerased on the chance it is blank; a write programs it and proves it, or erases and rewrites it. */
  | "unerased"
  /** Erased, nothing programmed since. */
  | "erased"
  /** Programming started since the last erase (possibly unfinished: a failed write leaves it so). */
  | "programmed";

interface PageRecord {
  state: PageState;
  /** Sequence number of the last proof that the page holds what it must. */
  provenAt?: number;
}

/** The flash of one connected chip, page by page (see the module text). */
export class FlashLedger {
  /** The chip's flash pages, as the bootloader numbers them. */
  readonly pages: readonly FlashPage[];
  readonly #records: PageRecord[];
  #sequence = 0;
  #lastEraseAt = 0;

  constructor(pages: readonly FlashPage[]) {
    this.pages = pages;
    this.#records = pages.map(() => ({ state: "unknown" }));
  }

  /** The state of page `index`. */
  state(index: number): PageState {
    return this.#records[index]?.state ?? "unknown";
  }

  /** Whether page `index` is proven to hold what it must, by a check newer than the last erase. */
  settled(index: number): boolean {
    const provenAt = this.#records[index]?.provenAt;
    return provenAt !== undefined && provenAt > this.#lastEraseAt;
  }

  /** Indexes of the pages in `state`. */
  inState(state: PageState): Set<number> {
    const out = new Set<number>();
    this.#records.forEach((record, index) => record.state === state && out.add(index));
    return out;
  }

  /** Pages compared in full and found holding their data: proven now, to be neither erased nor written. */
  noteUnchanged(indexes: Iterable<number>): void {
    const at = ++this.#sequence;
    for (const index of indexes) this.#records[index] = { state: "unchanged", provenAt: at };
  }

  /** Pages left unerased on the chance that they are blank. */
  noteLeftUnerased(indexes: Iterable<number>): void {
    for (const index of indexes) this.#records[index] = { state: "unerased" };
  }

  /** Pages erased (`all`: the whole flash). Every earlier proof goes stale (see the module text). */
  noteErased(indexes: Iterable<number> | "all"): void {
    this.#lastEraseAt = ++this.#sequence;
    const list = indexes === "all" ? this.pages.map((page) => page.index) : indexes;
    for (const index of list) this.#records[index] = { state: "erased" };
  }

  /**
   * Forgets everything: something changed the flash in a way the ledger cannot follow (a protection change, which
   * may mass-erase; an option-byte write). Every proof goes stale and every page is unknown.
   */
  forget(): void {
    this.#lastEraseAt = ++this.#sequence;
    for (let i = 0; i < this.#records.length; i++) this.#records[i] = { state: "unknown" };
  }

  /** Programming of `[address, address + length)` is about to start: its pages may hold anything until proven. */
  noteProgramming(address: number, length: number): void {
    for (const page of this.#pagesIn(address, length)) this.#records[page.index] = { state: "programmed" };
  }

  /** Pages just proven (read back or CRC-checked) to hold what they must. */
  noteProven(indexes: Iterable<number>): void {
    const at = ++this.#sequence;
    for (const index of indexes) this.#records[index].provenAt = at;
  }

  /**
   * Pieces just verified: the pages whose every byte of `images` lies in verified pieces are proven. A page only
   * partly verified keeps its state.
   */
  noteVerified(pieces: readonly Piece[], images: readonly MemoryImage[]): void {
    const proven: number[] = [];
    for (const page of this.#pagesOf(images)) {
      if (this.settled(page.index)) continue;
      const needed = images.flatMap((image) => image.segments).reduce((sum, segment) => {
        return sum + overlap(page.start, page.size, segment.address, segment.data.length);
      }, 0);
      const checked = pieces.reduce((sum, p) => sum + overlap(page.start, page.size, p.address, p.data.length), 0);
      if (checked >= needed) proven.push(page.index);
    }
    this.noteProven(proven);
  }

  /** What a verify of `images` must cover: their parts outside settled pages, in address order. */
  verifyPieces(images: readonly MemoryImage[]): Piece[] {
    const settled = new Set(this.pages.filter((page) => this.settled(page.index)).map((page) => page.index));
    return images.flatMap((image) => piecesOutside(image, this.pages, settled));
  }

  /**
   * The planner's invariant: every page `images` touch is settled — erased pages rewritten and verified, the others
   * proven since the last erase. A failure here is a fault in the planner, never in the chip: it stops the run
   * instead of reporting success over flash nobody checked.
   */
  assertSettled(images: readonly MemoryImage[]): void {
    const open = this.#pagesOf(images).filter((page) => !this.settled(page.index));
    if (open.length === 0) return;
    throw new DeviceError(
      "E_INTERNAL",
      `internal error: the flash plan left ${open.length} page(s) unverified (first: page ${open[0].index}, ` +
        `${this.state(open[0].index)})`,
      { hint: "please report this with the recipe or command line and the output of --json" },
    );
  }

  /** The pages any of `images` touches. */
  #pagesOf(images: readonly MemoryImage[]): FlashPage[] {
    const seen = new Map<number, FlashPage>();
    for (const image of images) for (const page of pagesTouched(image, this.pages)) seen.set(page.index, page);
    return [...seen.values()];
  }

  #pagesIn(address: number, length: number): FlashPage[] {
    return this.pages.filter((page) => overlap(page.start, page.size, address, length) > 0);
  }
}

function overlap(aStart: number, aLength: number, bStart: number, bLength: number): number {
  return Math.max(0, Math.min(aStart + aLength, bStart + bLength) - Math.max(aStart, bStart));
}
