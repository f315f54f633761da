/**
 * Small helpers shared by the per-family data files: size constants, builders for the common flash layouts and the
 * one builder every entry goes through. They only compute numbers and arrange keys; every fact they are given comes
 * from the family file that calls them.
 *
 * @module
 */

import type { ChipInfo, FlashBank, FlashRegion, OptionBytesInfo } from "../types.ts";

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

/** `dualBank` when `dual` is set, else `singleBank`: the bank-mode choice most family builders offer. */
export function flashBanks(size: number, pageSize: number, dual = false): FlashBank[] {
  return dual ? dualBank(size, pageSize) : singleBank(size, pageSize);
}

/** What every family says about one of its products: the per-product part of a family builder's parameters. */
export interface ProductParams {
  /** Product ID (AN2606 device-dependent bootloader parameters table). */
  pid: number;
  /** Human name, e.g. `STM32F10xxx medium-density`. */
  name: string;
  /** Documents the entry's facts come from. */
  source: string;
  /** Largest flash size of any part with this product ID, in bytes. */
  flashSize: number;
  /** Smallest flash size of any part with this product ID, where a document defines the range. */
  minFlashSize?: number;
  /** SRAM size in bytes. */
  ramSize: number;
  /** USART bootloader versions seen on this product. */
  versions: number[];
}

/** Everything `chipEntry` needs: a product's parameters plus the family facts a family builder adds. */
export interface ChipEntryParams extends ProductParams {
  /** Series, e.g. `F1`. */
  family: string;
  /** Address of the flash-size register. */
  sizeRegister: number;
  /** Erase units per bank. */
  banks: FlashBank[];
  /** Smallest programmable unit in bytes. */
  programUnit: number;
  /** What programming a unit that is not erased does, where the reference manual says. */
  programOverData?: "refused" | "and";
  /** First SRAM address the bootloader leaves free. */
  userStart: number;
  /** Where the ROM bootloader lives. */
  systemMemory: { base: number; size: number };
  /** The option-byte area. */
  optionBytes: OptionBytesInfo;
  /** Address of the 96-bit unique device ID. */
  uniqueIdAddress: number;
  /** Offsets of its three words where they are not contiguous. */
  uniqueIdWordOffsets?: readonly [number, number, number];
  /** Erase command the USART bootloader offers. */
  eraseCommand: 0x43 | 0x44;
  /** Known deviations from AN3155. */
  quirks: string[];
}

/**
 * A database entry with flash at `FLASH_BASE` and SRAM at `SRAM_BASE` (true of every product listed), its keys in
 * the order every entry uses.
 */
export function chipEntry(p: ChipEntryParams): ChipInfo {
  return {
    pid: p.pid,
    name: p.name,
    family: p.family,
    source: p.source,
    flash: {
      base: FLASH_BASE,
      maxSize: p.flashSize,
      ...(p.minFlashSize ? { minSize: p.minFlashSize } : {}),
      sizeRegister: p.sizeRegister,
      banks: p.banks,
      programUnit: p.programUnit,
      ...(p.programOverData ? { programOverData: p.programOverData } : {}),
    },
    ram: { base: SRAM_BASE, size: p.ramSize, userStart: p.userStart },
    systemMemory: p.systemMemory,
    optionBytes: p.optionBytes,
    uniqueIdAddress: p.uniqueIdAddress,
    ...(p.uniqueIdWordOffsets ? { uniqueIdWordOffsets: p.uniqueIdWordOffsets } : {}),
    bootloaderVersions: p.versions,
    eraseCommand: p.eraseCommand,
    quirks: p.quirks,
  };
}

/** L0 and L1 bootloaders NACK every Extended Erase mass-erase code (stm32flash `dev_table.c` F_NO_ME). */
export const NO_MASS_ERASE_QUIRK =
  "Extended Erase has no global/bank mass erase (0xFFFF/0xFFFE/0xFFFD are NACKed): erase by page numbers " +
  "(stm32flash F_NO_ME).";
