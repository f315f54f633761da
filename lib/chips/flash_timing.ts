/**
 * Typical flash durations per product family, from each datasheet's "Flash memory characteristics" table. The
 * simulator waits this long (lib/sim/timing.ts), and the host shows erase progress against them
 * (lib/target/erase_progress.ts): a bootloader says nothing while it erases, for 16 s on an F4 mass erase.
 *
 * @module
 */

import type { ChipInfo } from "./types.ts";
import { flashPages } from "./layout.ts";

/** Flash durations of a product family, from its datasheet's "Flash memory characteristics" table (typical). */
export interface FlashTiming {
  /** Time to program one program unit, in microseconds. */
  programUnitUs: number;
  /** Time to erase one page/sector of the given size, in milliseconds. */
  eraseMs(pageSize: number): number;
  /** Time of a mass erase, in milliseconds. */
  massEraseMs: number;
  /** Where the figures come from. */
  source: string;
}

/** Typical flash timings per family. */
export const FLASH_TIMING: Readonly<Record<string, FlashTiming>> = {
  // STM32F103x8/B datasheet DS5319 Table 28: tPROG 52.5 µs (16-bit), tERASE 20 ms (page), tME 20 ms.
  F1: { programUnitUs: 52.5, eraseMs: () => 20, massEraseMs: 20, source: "DS5319 Table 28" },
  // STM32F405 datasheet DS8626 Table 42 (x32 parallelism): tPROG 16 µs/word; sector erase 16 KiB 400 ms,
  // 64 KiB 1100 ms, 128 KiB 2000 ms; mass erase 16 s.
  F4: {
    programUnitUs: 16,
    eraseMs: (size) => size <= 16 * 1024 ? 400 : size <= 64 * 1024 ? 1100 : 2000,
    massEraseMs: 16_000,
    source: "DS8626 Table 42",
  },
  // STM32L433 datasheet DS11453 Table 50: 64-bit programming 81.69 µs, page (2 KiB) erase 22.02 ms,
  // mass erase 22.13 ms.
  L4: { programUnitUs: 81.69, eraseMs: () => 22.02, massEraseMs: 22.13, source: "DS11453 Table 50" },
  // STM32G071 datasheet DS12232 Table 37: 64-bit programming 85 µs, page erase 22 ms, mass erase 22.1 ms.
  G0: { programUnitUs: 85, eraseMs: () => 22, massEraseMs: 22.1, source: "DS12232 Table 37" },
  // STM32H743 datasheet DS12110 Table 45 (x64 parallelism): 256-bit word 16 µs ... sector erase 128 KiB 1 s,
  // bank erase 8 s.
  H7: { programUnitUs: 16, eraseMs: () => 1000, massEraseMs: 8000, source: "DS12110 Table 45" },
};

/**
 * How long erasing takes on `chip` (typical, ms): all of its `flashSize` flash (`pages` absent), or the pages
 * `pages` lists. `undefined` when the family's figures are not in {@linkcode FLASH_TIMING}.
 */
export function expectedEraseMs(chip: ChipInfo, flashSize: number, pages?: readonly number[]): number | undefined {
  const timing = FLASH_TIMING[chip.family];
  if (!timing) return undefined;
  if (pages === undefined) return timing.massEraseMs;
  const layout = flashPages(chip, flashSize);
  return pages.reduce((sum, index) => sum + timing.eraseMs(layout[index]?.size ?? 0), 0);
}
