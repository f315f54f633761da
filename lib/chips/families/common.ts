/**
 * Small helpers shared by the per-family data files: size constants and builders for the common flash layouts.
 * They only compute numbers; every fact they are given comes from the family file that calls them.
 *
 * @module
 */

import type { FlashBank, FlashRegion } from "../types.ts";

/** One KiB. */
export const KIB = 1024;

/** One MiB. */
export const MIB = 1024 * KIB;

/** Start of main flash on every STM32 this database lists (RM memory maps). */
export const FLASH_BASE = 0x0800_0000;

/** Start of SRAM (SRAM1, or DTCM on H7) on every STM32 this database lists. */
export const SRAM_BASE = 0x2000_0000;

/** A bank made of `count` equal pages starting at `start`. */
export function uniformBank(name: string, start: number, pageSize: number, count: number): FlashBank {
  return { name, regions: [{ start, pageSize, count }] };
}

/**
 * A bank made of runs of sectors, given as `[size, count]` pairs in address order, e.g. the F4 layout
 * `[[16 * KIB, 4], [64 * KIB, 1], [128 * KIB, 7]]`.
 */
export function sectorBank(name: string, start: number, runs: readonly (readonly [number, number])[]): FlashBank {
  const regions: FlashRegion[] = [];
  let address = start;
  for (const [pageSize, count] of runs) {
    regions.push({ start: address, pageSize, count });
    address += pageSize * count;
  }
  return { name, regions };
}

/** The single bank of `size` bytes in equal pages at the flash base. */
export function singleBank(size: number, pageSize: number): FlashBank[] {
  return [uniformBank("bank 1", FLASH_BASE, pageSize, size / pageSize)];
}

/** Two equal banks of `size / 2` bytes each in equal pages, bank 2 right after bank 1. */
export function dualBank(size: number, pageSize: number): FlashBank[] {
  const half = size / 2;
  return [
    uniformBank("bank 1", FLASH_BASE, pageSize, half / pageSize),
    uniformBank("bank 2", FLASH_BASE + half, pageSize, half / pageSize),
  ];
}
