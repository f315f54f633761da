/**
 * Flash page/sector geometry derived from a {@linkcode ChipInfo}: the list of erase units of a part with a given
 * flash size, and lookups by address.
 *
 * @module
 */

import type { ChipInfo } from "./types.ts";

/** One erase unit (page or sector) of main flash. */
export interface FlashPage {
  /** Index as the bootloader's Erase command numbers it (0-based, across banks). */
  index: number;
  /** First address. */
  start: number;
  /** Size in bytes. */
  size: number;
  /** Name of the bank holding it. */
  bank: string;
}

/**
 * Lists the erase units of a part with `flashSize` bytes of flash (defaults to the product's largest size).
 * Units beyond the part's size are left out; when the banks are split evenly in the database they stay so.
 */
export function flashPages(chip: ChipInfo, flashSize = chip.flash.maxSize): FlashPage[] {
  const pages: FlashPage[] = [];
  const end = chip.flash.base + flashSize;
  for (const bank of chip.flash.banks) {
    for (const region of bank.regions) {
      for (let i = 0; i < region.count; i++) {
        const start = region.start + i * region.pageSize;
        if (start >= end) continue;
        pages.push({ index: pages.length, start, size: region.pageSize, bank: bank.name });
      }
    }
  }
  return pages;
}

/** Returns the erase units overlapping `[address, address + length)`, in address order. */
export function pagesInRange(pages: readonly FlashPage[], address: number, length: number): FlashPage[] {
  const end = address + length;
  return pages.filter((page) => page.start < end && page.start + page.size > address);
}

/** Returns the erase unit holding `address`, or `undefined` outside main flash. */
export function pageAt(pages: readonly FlashPage[], address: number): FlashPage | undefined {
  return pages.find((page) => address >= page.start && address < page.start + page.size);
}

/** Families whose reference manuals call the erase unit a sector (RM0090 §3.3, RM0385 §3.3, RM0433 §4.3). */
const SECTOR_FAMILIES: ReadonlySet<string> = new Set(["F2", "F4", "F7", "H7"]);

/** What the chip's reference manual calls its erase unit: `sector` (F2, F4, F7, H7) or `page`. */
export function unitName(chip: ChipInfo): "page" | "sector" {
  return SECTOR_FAMILIES.has(chip.family) ? "sector" : "page";
}
