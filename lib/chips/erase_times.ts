/**
 * How long a flash erase may take at most, per family, from the datasheets' "Flash memory characteristics" tables
 * (the maximum column, at the slowest programming parallelism the bootloader may run with), and the erase timeouts
 * the host derives from them: the sum of the maxima of what is erased, times {@linkcode ERASE_MARGIN}, plus the
 * ordinary reply allowance. A slow but healthy erase therefore always completes, and a dead one is found in
 * proportion to what was asked, not after a fixed half minute.
 *
 * Chip data as data: nothing here branches on a part name; a family missing from the table gets the most
 * conservative figures of any family ({@linkcode CONSERVATIVE}).
 *
 * @module
 */

import type { ChipInfo } from "./types.ts";

/** Datasheet maximum erase times of a family. */
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

/** 40 ms page and mass erase maxima, common to the 1-2 KiB-page families. */
const FORTY_MS = (source: string): EraseTimes => ({ pageMs: () => 40, massMs: 40, bankMs: 40, source });

/** Sector erase maxima of the F2/F4 at x8 parallelism (the 1.8-2.1 V range), by sector size. */
function f4SectorMs(size: number): number {
  return size <= 16 * 1024 ? 800 : size <= 64 * 1024 ? 2400 : 4000;
}

/** The most conservative figures, for a family missing from the table (or the generic profile). */
export const CONSERVATIVE: EraseTimes = {
  pageMs: (size) => Math.max(f4SectorMs(size), size <= 32 * 1024 ? 1000 : size <= 128 * 1024 ? 4000 : 8000),
  massMs: 32_000,
  bankMs: 32_000,
  source: "the largest maxima in this table",
};

/** Maximum erase times per family. */
export const ERASE_TIMES: Readonly<Record<string, EraseTimes>> = {
  // STM32F030 DS9773, F103 DS5319 Table 28, F303 DS9118 "Flash memory characteristics": tERASE and tME 40 ms max.
  F0: FORTY_MS("DS9773 Flash memory characteristics: tERASE, tME 40 ms max"),
  F1: FORTY_MS("DS5319 Table 28: tERASE, tME 40 ms max"),
  F3: FORTY_MS("DS9118 Flash memory characteristics: tERASE, tME 40 ms max"),
  // STM32F405 DS8626 Table 42 / F205 DS6329: x8 sector erase 16 KiB 800 ms, 64 KiB 2.4 s, 128 KiB 4 s; mass 32 s.
  F2: { pageMs: f4SectorMs, massMs: 32_000, bankMs: 32_000, source: "DS6329 Flash memory programming, x8" },
  F4: { pageMs: f4SectorMs, massMs: 32_000, bankMs: 32_000, source: "DS8626 Table 42, x8 parallelism" },
  // STM32F746 DS10916 Flash memory programming, x8: 32 KiB 1 s, 128 KiB 4 s, 256 KiB 8 s; mass 32 s.
  F7: {
    pageMs: (size) => size <= 32 * 1024 ? 1000 : size <= 128 * 1024 ? 4000 : 8000,
    massMs: 32_000,
    bankMs: 32_000,
    source: "DS10916 Flash memory programming, x8 parallelism",
  },
  // STM32G071 DS12232 Table 37, G431 DS12589: page erase 40 ms max, mass erase 40 ms max.
  G0: FORTY_MS("DS12232 Table 37: tERASE, tME 40 ms max"),
  G4: FORTY_MS("DS12589 Flash memory characteristics: tERASE, tME 40 ms max"),
  // STM32L433 DS11453 Table 50: page erase 24.47 ms max, mass erase 25 ms max; WB55 DS11929 and WLE5 DS13105 alike.
  L4: { pageMs: () => 24.47, massMs: 25, bankMs: 25, source: "DS11453 Table 50" },
  WB: { pageMs: () => 24.47, massMs: 25, bankMs: 25, source: "DS11929 Flash memory characteristics" },
  WL: { pageMs: () => 24.47, massMs: 25, bankMs: 25, source: "DS13105 Flash memory characteristics" },
  // STM32L552 DS12736, U575 DS13737: page erase 24.47 ms / 2 ms class; the L4 maxima cover both.
  L5: { pageMs: () => 24.47, massMs: 25, bankMs: 25, source: "DS12736 Flash memory characteristics" },
  U5: { pageMs: () => 24.47, massMs: 25, bankMs: 25, source: "DS13737 Flash memory characteristics" },
  // STM32L053 DS10152, L152 DS8669: page (128/256 B) erase 3.28 ms max; no mass erase through the bootloader, the
  // host erases page by page (the mass figure is the whole 192 KiB / 512 KiB in pages, for Readout Unprotect).
  L0: { pageMs: () => 3.28, massMs: 5_000, bankMs: 5_000, source: "DS10152 Flash memory characteristics" },
  L1: { pageMs: () => 3.28, massMs: 10_000, bankMs: 10_000, source: "DS8669 Flash memory characteristics" },
  // STM32H743 DS12110 Table 45, x8: 128 KiB sector erase 4 s max; bank erase 16 s, mass (both banks) 32 s.
  H7: { pageMs: () => 4000, massMs: 32_000, bankMs: 16_000, source: "DS12110 Table 45, x8 parallelism" },
};

/** The maximum erase times of `chip`'s family. */
export function eraseTimes(chip: ChipInfo): EraseTimes {
  return ERASE_TIMES[chip.family] ?? CONSERVATIVE;
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
