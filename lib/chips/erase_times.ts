/**
 * Erase timeouts derived from the chip's datasheet maxima (lib/chips/flash_timing.ts, the one table of flash
 * timing): the sum of the maxima of what is erased, times {@linkcode ERASE_MARGIN}, plus the ordinary reply
 * allowance. A slow but healthy erase therefore always completes, and a dead one is found in proportion to what was
 * asked, not after a fixed half minute.
 *
 * Chip data as data: nothing here branches on a part name; a family missing from the table gets the most
 * conservative figures of any family (`CONSERVATIVE` in flash_timing.ts).
 *
 * @module
 */

import type { ChipInfo } from "./types.ts";
import { familyTiming, pageEraseMs } from "./flash_timing.ts";

/** Datasheet maximum erase times of a family, as the timeouts use them. */
export interface EraseTimes {
  /** Maximum time to erase one page or sector of `size` bytes, ms. */
  pageMs(size: number): number;
  /** Maximum time of a mass (or whole-bank pair) erase, ms. */
  massMs: number;
  /** Maximum time of a single-bank erase, ms (where the family has banks). */
  bankMs: number;
  /** Where the figures come from. */
  source: string;
}

/** Factor over the datasheet maximum: temperature, supply at its limit, bootloader overhead. */
export const ERASE_MARGIN = 1.5;

/** Added to every erase timeout: the reply itself and the host's and adapter's latency. */
export const ERASE_BASE_MS = 1000;

/** The maximum erase times of `chip`'s family, from the flash timing table. */
export function eraseTimes(chip: Pick<ChipInfo, "family">): EraseTimes {
  const timing = familyTiming(chip);
  return {
    pageMs: (size) => pageEraseMs(timing, size, "max"),
    massMs: timing.massEraseMs.max,
    bankMs: timing.bankEraseMs.max,
    source: timing.source,
  };
}

/** Timeout of erasing pages of the given sizes in one command, ms. */
export function pageEraseTimeoutMs(chip: ChipInfo, pageSizes: readonly number[]): number {
  const times = eraseTimes(chip);
  const maxMs = pageSizes.reduce((sum, size) => sum + times.pageMs(size), 0);
  return Math.ceil(ERASE_BASE_MS + maxMs * ERASE_MARGIN);
}

/** Timeout of a mass erase (or of Readout Unprotect, which mass-erases), ms. */
export function massEraseTimeoutMs(chip: ChipInfo): number {
  return Math.ceil(ERASE_BASE_MS + eraseTimes(chip).massMs * ERASE_MARGIN);
}
