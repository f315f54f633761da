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

/**
 * Maximum erase times per family.
 *
 * What was checked, and against what (December 2026; the search tools reach no ST datasheet PDF, so every figure
 * below that names only a datasheet table is as recalled from it, not re-read):
 * - Confirmed by a second source that quotes the datasheets: Zephyr's drivers/flash/flash_stm32.c gives the
 *   maximum erase time it waits for per series — F0, F1, F3 and G0 40 ms per page; L4 24.47 ms per 2 KiB page;
 *   G4 24.47 ms per 2 KiB page; WB 24.5 ms per 4 KiB page; L0 3.2 ms per 128-byte page; F4 4 s per 128 KiB
 *   sector; F7 4 s per 256 KiB sector. An ST engineer on community.st.com ("STM32H743 Flash EraseSector Reset
 *   Problem", quoting the DS12110 table) gives the H743 128 KiB sector erase at x32 (voltage range 3) as 1.1 s
 *   typical, 2.2 s maximum.
 * - Not confirmed by any source reached: the mass-erase maxima of every family; the F2/F4 16 KiB and 64 KiB sector
 *   maxima at x8 (800 ms, 2.4 s) and the x32 figures of DS8626 (16 KiB 250-500 ms, 64 KiB 550-1100 ms, 128 KiB
 *   1-2 s, mass 8-16 s); the F7 32 KiB and 128 KiB figures; the H7 x8 sector and bank figures; L1, L5, U5, WL.
 * Where a family's figure is unconfirmed the larger (slower-parallelism) reading is kept: a too-long timeout costs
 * time only when the chip is dead, a too-short one fails a healthy board.
 */
export const ERASE_TIMES: Readonly<Record<string, EraseTimes>> = {
  // STM32F030 DS9773, F103 DS5319 Table 28 (tERASE 20 ms typ / 40 ms max, tME 20 / 40 ms), F303 DS9118 "Flash
  // memory characteristics". Page maxima confirmed by Zephyr flash_stm32.c (40 ms); mass erase maxima not.
  F0: FORTY_MS("DS9773 Flash memory characteristics: tERASE, tME 40 ms max"),
  F1: FORTY_MS("DS5319 Table 28: tERASE, tME 40 ms max"),
  F3: FORTY_MS("DS9118 Flash memory characteristics: tERASE, tME 40 ms max"),
  // STM32F405 DS8626 Table 42 / F205 DS6329, at x8 (the slowest parallelism, 1.8-2.1 V): sector erase 16 KiB
  // 800 ms, 64 KiB 2.4 s, 128 KiB 4 s; mass 32 s. The 128 KiB figure is confirmed by Zephyr flash_stm32.c (4 s);
  // the others are not. At x32 (2.7-3.6 V) DS8626 gives half or less, which these cover.
  F2: { pageMs: f4SectorMs, massMs: 32_000, bankMs: 32_000, source: "DS6329 Flash memory programming, x8" },
  F4: { pageMs: f4SectorMs, massMs: 32_000, bankMs: 32_000, source: "DS8626 Table 42, x8 parallelism" },
  // STM32F746 DS10916 Flash memory programming, x8: 32 KiB 1 s, 128 KiB 4 s, 256 KiB 8 s; mass 32 s. Not
  // confirmed: Zephyr flash_stm32.c waits 4 s for a 256 KiB sector (a faster parallelism); 8 s is kept.
  F7: {
    pageMs: (size) => size <= 32 * 1024 ? 1000 : size <= 128 * 1024 ? 4000 : 8000,
    massMs: 32_000,
    bankMs: 32_000,
    source: "DS10916 Flash memory programming, x8 parallelism",
  },
  // STM32G071 DS12232 Table 37: page erase 40 ms max (confirmed by Zephyr flash_stm32.c), mass erase 40 ms max
  // (not confirmed).
  G0: FORTY_MS("DS12232 Table 37: tERASE, tME 40 ms max"),
  // STM32G431 DS12589 "Flash memory characteristics": page (2 KiB) erase 24.47 ms max, as the L4's flash (corrected
  // from 40 ms: Zephyr flash_stm32.c gives 24.47 ms for the G4); mass erase 25 ms max as on the L4 (not confirmed).
  G4: { pageMs: () => 24.47, massMs: 25, bankMs: 25, source: "DS12589 Flash memory characteristics" },
  // STM32L433 DS11453 Table 50: page erase 24.47 ms max (confirmed by Zephyr flash_stm32.c), mass erase 25 ms max
  // (not confirmed); WB55 DS11929 (4 KiB page, 24.5 ms: confirmed by Zephyr) and WLE5 DS13105 (not confirmed) alike.
  L4: { pageMs: () => 24.47, massMs: 25, bankMs: 25, source: "DS11453 Table 50" },
  WB: { pageMs: () => 24.47, massMs: 25, bankMs: 25, source: "DS11929 Flash memory characteristics" },
  WL: { pageMs: () => 24.47, massMs: 25, bankMs: 25, source: "DS13105 Flash memory characteristics" },
  // STM32L552 DS12736, U575 DS13737: page erase 24.47 ms / 2 ms class; the L4 maxima are assumed to cover both (not
  // confirmed).
  L5: { pageMs: () => 24.47, massMs: 25, bankMs: 25, source: "DS12736 Flash memory characteristics" },
  U5: { pageMs: () => 24.47, massMs: 25, bankMs: 25, source: "DS13737 Flash memory characteristics" },
  // STM32L053 DS10152, L152 DS8669: page (128/256 B) erase 3.28 ms max (Zephyr flash_stm32.c: 3.2 ms for the L0;
  // the larger figure is kept); no mass erase through the bootloader, the host erases page by page (the mass figure
  // is the whole 192 KiB / 512 KiB in pages, for Readout Unprotect; not a datasheet figure).
  L0: { pageMs: () => 3.28, massMs: 5_000, bankMs: 5_000, source: "DS10152 Flash memory characteristics" },
  L1: { pageMs: () => 3.28, massMs: 10_000, bankMs: 10_000, source: "DS8669 Flash memory characteristics" },
  // STM32H743 DS12110 Table 45, x8: 128 KiB sector erase 4 s max; bank erase 16 s, mass (both banks) 32 s. Not
  // confirmed at x8; at x32 an ST engineer quoting the table gives 2.2 s max for the sector, which 4 s covers.
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
