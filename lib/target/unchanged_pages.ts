/**
 * The re-flash optimisation: before erasing, find the pages whose flash already holds exactly what erasing and
 * writing would leave there (the images' bytes, 0xFF elsewhere in the page), so that they are neither erased nor
 * written. Proof is a full comparison: the bootloader's CRC of the page (AN3155 Get Checksum) where offered, else
 * reading the page back — page by page in 256-byte pieces, stopping at the first difference.
 *
 * Comparing costs link time; skipping an unchanged page saves its erase, its write, its programming and its
 * verification, so a re-flash of the same firmware takes about one read of it. On a blank or different chip the
 * first bytes already differ: each page is probed with a short first read until one matches, and after
 * {@linkcode GIVE_UP_AFTER} leading pages that differ (and none that matched) the comparison stops, so a first flash
 * costs only those few short probes.
 *
 * A blank chip settles it sooner. When the probe of the first compared page reads back erased flash (all 0xFF;
 * with Get Checksum, the CRC of an erased page) where the image has data, no program starts where this image
 * starts: the chip is blank or was erased there, and whatever follows is not an older build of this firmware worth
 * comparing against. The comparison stops after that one probe: one command instead of two on a blank chip, the
 * production case. A first page that holds something else, not erased, keeps the two-page rule: a re-flash whose
 * start changed (a new vector table, a version string) may still match further on.
 *
 * @module
 */

import type { FlashPage } from "../chips/layout.ts";
import type { MemoryImage } from "../image/memory_image.ts";
import { pagesTouched } from "../image/pages.ts";
import { stm32Crc } from "../protocol/usart/stm32_crc.ts";
import type { ProgressCallback, Target } from "./target.ts";

/** Leading pages found different, with none unchanged, after which the images count as new firmware. */
export const GIVE_UP_AFTER = 2;

/** The first read of a page: a few bytes settle a blank or different page at little cost. */
const PROBE_BYTES = 16;

/** The most one Read Memory returns on the USART (AN3155 §3.4); a sensible piece size on DFU too. */
const PIECE_BYTES = 256;

/** A page and what it must hold once erased and written. */
export interface WantedPage {
  /** The page. */
  page: FlashPage;
  /** Its whole contents after erase + write. */
  data: Uint8Array;
}

/**
 * What each page touched by `images` must hold after it is erased and every image is written. Pages where two
 * images disagree are left out: a later write would program over an earlier one, so nothing can be skipped there.
 */
export function wantedPages(images: readonly MemoryImage[], pages: readonly FlashPage[]): WantedPage[] {
  const byIndex = new Map<number, { page: FlashPage; data: Uint8Array; covered: Uint8Array; spoiled: boolean }>();
  for (const image of images) {
    for (const page of pagesTouched(image, pages)) {
      let entry = byIndex.get(page.index);
      if (!entry) {
        entry = {
          page,
          data: new Uint8Array(page.size).fill(0xff),
          covered: new Uint8Array(page.size),
          spoiled: false,
        };
        byIndex.set(page.index, entry);
      }
      const pageEnd = page.start + page.size;
      for (const segment of image.segmentsIn(page.start, page.size)) {
        const from = Math.max(page.start, segment.address);
        const to = Math.min(pageEnd, segment.address + segment.data.length);
        for (let address = from; address < to; address++) {
          const i = address - page.start;
          const byte = segment.data[address - segment.address];
          if (entry.covered[i] && entry.data[i] !== byte) entry.spoiled = true;
          entry.data[i] = byte;
          entry.covered[i] = 1;
        }
      }
    }
  }
  return [...byIndex.values()]
    .filter((entry) => !entry.spoiled)
    .map(({ page, data }) => ({ page, data }))
    .sort((a, b) => a.page.start - b.page.start);
}

/** What {@linkcode findUnchangedPages} found. */
export interface Comparison {
  /** Indexes of the pages that already hold their data. */
  unchanged: Set<number>;
  /** How the unchanged pages were proven: by the bootloader's CRC or by reading them back. */
  method: "CRC" | "read-back";
  /**
   * True when the first compared page read back erased where the image has data: a blank chip, most likely (only
   * that probe says so; whoever relies on it must prove the rest, e.g. by verifying every byte of a page).
   */
  blankStart: boolean;
}

/**
 * Finds the pages in `wanted` that already hold their data; `progress` counts the bytes of `wanted` compared so
 * far (a comparison that stops early jumps to the end).
 */
export async function findUnchangedPages(
  target: Target,
  wanted: readonly WantedPage[],
  progress: ProgressCallback = () => {},
): Promise<Comparison> {
  const total = wanted.reduce((sum, { page }) => sum + page.size, 0);
  let before = 0;
  const unchanged = new Set<number>();
  let method: Comparison["method"] = "read-back";
  let leadingChanged = 0;
  let blankStart = false;
  for (const [i, { page, data }] of wanted.entries()) {
    if (unchanged.size === 0 && leadingChanged >= GIVE_UP_AFTER) break;
    const crc = page.size % 4 === 0 ? await target.checksum?.(page.start, page.size) : undefined;
    if (crc !== undefined) method = "CRC";
    // Probe with a short first read only until a page matches: from then on this looks like a re-flash.
    const probe = unchanged.size === 0;
    const found = crc !== undefined
      ? (crc === stm32Crc(data) ? "same" : crc === stm32Crc(erasedPage(page.size)) ? "erased" : "differs")
      : await readsBack(target, page, data, probe, (done) => progress(before + done, total));
    before += page.size;
    progress(before, total);
    if (found === "same") unchanged.add(page.index);
    else if (i === 0 && found === "erased") {
      blankStart = true; // new firmware (see the module text)
      break;
    } else leadingChanged++;
  }
  progress(total, total);
  return { unchanged, method, blankStart };
}

/**
 * How a page compares: `same`, `erased` (the first read came back all 0xFF where `data` is not), or `differs`.
 * Reads stop at the first difference.
 */
async function readsBack(
  target: Target,
  page: FlashPage,
  data: Uint8Array,
  probe: boolean,
  progress: (done: number) => void,
): Promise<"same" | "erased" | "differs"> {
  for (let at = 0; at < page.size;) {
    const n = Math.min(at === 0 && probe ? PROBE_BYTES : PIECE_BYTES, page.size - at);
    const actual = await target.readMemory(page.start + at, n);
    for (let i = 0; i < n; i++) {
      if (actual[i] === data[at + i]) continue;
      return at === 0 && actual.every((b) => b === 0xff) ? "erased" : "differs";
    }
    at += n;
    progress(at);
  }
  return "same";
}

/** A page of erased flash. */
function erasedPage(size: number): Uint8Array {
  return new Uint8Array(size).fill(0xff);
}

/** A piece of an image to write or verify. */
export interface Piece {
  /** First address. */
  address: number;
  /** Its bytes. */
  data: Uint8Array;
}

/** The parts of `image` outside the pages in `skip` (by index, among `pages`), in address order. */
export function piecesOutside(image: MemoryImage, pages: readonly FlashPage[], skip: ReadonlySet<number>): Piece[] {
  const skipped = pages.filter((p) => skip.has(p.index)).sort((a, b) => a.start - b.start);
  const out: Piece[] = [];
  // Segments and skipped pages both in address order: pages wholly below a segment are passed once for all.
  let first = 0;
  for (const segment of image.segments) {
    let at = segment.address;
    const end = segment.address + segment.data.length;
    while (first < skipped.length && skipped[first].start + skipped[first].size <= at) first++;
    for (let p = first; p < skipped.length; p++) {
      const page = skipped[p];
      if (page.start >= end) break;
      const pageEnd = page.start + page.size;
      if (pageEnd <= at) continue;
      if (page.start > at) {
        out.push({ address: at, data: segment.data.subarray(at - segment.address, page.start - segment.address) });
      }
      at = Math.max(at, pageEnd);
    }
    if (at < end) out.push({ address: at, data: segment.data.subarray(at - segment.address) });
  }
  return out;
}
