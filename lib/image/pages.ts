/**
 * Relating a {@linkcode MemoryImage} to a chip's flash pages/sectors ({@linkcode FlashPage} from
 * `lib/chips/layout.ts`): which pages an image touches, what it writes into each, and what lies outside flash.
 *
 * @module
 */

import type { FlashPage } from "../chips/layout.ts";
import { hexAddress, ImageError } from "./errors.ts";
import type { MemoryImage } from "./memory_image.ts";

/** An address range `[address, address + length)`. */
export interface AddressRange {
  /** First address. */
  address: number;
  /** Number of bytes. */
  length: number;
}

/** The pages holding at least one byte of `image`, in the order of `pages`. */
export function pagesTouched(image: MemoryImage, pages: readonly FlashPage[]): FlashPage[] {
  return pages.filter((page) => image.overlaps(page.start, page.size));
}

/**
 * The full contents of a page after writing `image` to freshly erased flash: the image's bytes, and `fill`
 * (default 0xFF, erased flash) where the image has none.
 */
export function pageData(image: MemoryImage, page: FlashPage, fill = 0xff): Uint8Array {
  return image.slice(page.start, page.size, fill);
}

/**
 * The parts of `image` that no page covers (e.g. data past the end of a 64 KiB part's flash, or in RAM).
 * Empty when the image fits the pages.
 */
export function rangesOutside(image: MemoryImage, pages: readonly FlashPage[]): AddressRange[] {
  const covered = [...pages].sort((a, b) => a.start - b.start);
  const outside: AddressRange[] = [];
  // Segments and pages both in address order: one merge-like pass over the two, linear in their counts.
  let first = 0; // first page that may still cover something: every page before it ends at or below `address`
  for (const segment of image.segments) {
    let address = segment.address;
    const end = segment.address + segment.data.length;
    while (first < covered.length && covered[first].start + covered[first].size <= address) first++;
    for (let p = first; p < covered.length && address < end; p++) {
      const page = covered[p];
      const pageEnd = page.start + page.size;
      if (pageEnd <= address) continue;
      if (page.start >= end) break;
      if (page.start > address) outside.push({ address, length: page.start - address });
      address = Math.max(address, pageEnd);
    }
    if (address < end) outside.push({ address, length: end - address });
  }
  return outside;
}

/**
 * Throws `E_IMAGE_RANGE` when part of `image` lies outside `pages`, naming the first such range. `target`
 * describes the memory for the message, e.g. `the 64 KiB flash of stm32f103c8`.
 */
export function assertFitsPages(image: MemoryImage, pages: readonly FlashPage[], target: string): void {
  const outside = rangesOutside(image, pages);
  if (outside.length === 0) return;
  const first = outside[0];
  const total = outside.reduce((sum, range) => sum + range.length, 0);
  let low = Infinity;
  let high = -Infinity;
  for (const page of pages) {
    low = Math.min(low, page.start);
    high = Math.max(high, page.start + page.size);
  }
  const span = pages.length === 0 ? "no pages" : `${hexAddress(low)}-${hexAddress(high)}`;
  throw new ImageError(
    "E_IMAGE_RANGE",
    `${total} bytes of the image lie outside ${target} (${span}), the first ${first.length} at ${
      hexAddress(first.address)
    }`,
    {
      location: image.name === undefined ? undefined : { file: image.name },
      hint: "the image is built for another chip or memory area; check the linker script or the address given",
    },
  );
}
