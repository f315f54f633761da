/**
 * STM32L0 series. Facts: AN2606 (STM32L01xxx/02xxx, L031xx/041xx, L05xxx/06xxx, L07xxx/08xxx bootloader sections,
 * device-dependent bootloader parameters table), RM0377 (L0x1) / RM0367 (L0x2) / RM0376 (L0x3) §3.3 (128-byte pages,
 * 32-page sectors for write protection), §3.4.1 (option bytes), §28 (device electronic signature); RAM,
 * system-memory and option-byte ranges, and the missing mass erase, cross-checked against stm32flash `dev_table.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { dualBank, KIB, singleBank, SRAM_BASE } from "./common.ts";

/**
 * L0 option bytes as the bootloader reads them at 0x1FF80000 (32 bytes, RM0377 §3.4.1): each word holds a 16-bit
 * option value in bits 15:0 and its complement in bits 31:16. +0: FLASH_OPTR[15:0] (RDP, WPRMOD); +4:
 * FLASH_OPTR[31:16] (BOR_LEV, WDG_SW, nRST_STOP, nRST_STDBY, BFB2, nBOOT1); +8, +0xC, +0x10: write protection.
 */
export const L0_OPTION_FIELDS: OptionField[] = [
  {
    name: "RDP",
    offset: 0x0,
    shift: 0,
    width: 8,
    description: "read protection: 0xAA = level 0, 0xCC = level 2, else 1",
  },
  {
    name: "WPRMOD",
    offset: 0x0,
    shift: 8,
    width: 1,
    description: "1 = WRP bits select PCROP instead of write protection",
  },
  { name: "BOR_LEV", offset: 0x4, shift: 0, width: 4, description: "brown-out level: 0x0 = off, 0x8-0xC = levels 1-5" },
  { name: "WDG_SW", offset: 0x4, shift: 4, width: 1, description: "1 = software watchdog, 0 = hardware watchdog" },
  { name: "nRST_STOP", offset: 0x4, shift: 5, width: 1, description: "0 = reset when entering Stop mode" },
  { name: "nRST_STDBY", offset: 0x4, shift: 6, width: 1, description: "0 = reset when entering Standby mode" },
  { name: "BFB2", offset: 0x4, shift: 7, width: 1, description: "1 = boot from bank 2 if valid (L07x/L08x only)" },
  { name: "nBOOT1", offset: 0x4, shift: 15, width: 1, description: "with BOOT0 = 1: 1 = boot system memory, 0 = SRAM" },
  { name: "WRP1", offset: 0x8, shift: 0, width: 16, description: "write protection of sectors 0-15 (1 = protected)" },
  { name: "WRP2", offset: 0xc, shift: 0, width: 16, description: "write protection of sectors 16-31 (1 = protected)" },
  { name: "WRP3", offset: 0x10, shift: 0, width: 16, description: "write protection of sectors 32-47 (1 = protected)" },
];

const OPTION_BYTES = { address: 0x1ff8_0000, size: 32, fields: L0_OPTION_FIELDS };
const FLASH_SIZE_REGISTER = 0x1ff8_007c; // RM0377 §28.1.1 "Flash size register"
const UNIQUE_ID = 0x1ff8_0050; // RM0377 §28.2 "Unique device ID registers"

const NO_MASS_ERASE_QUIRK =
  "Extended Erase has no global/bank mass erase (0xFFFF/0xFFFE/0xFFFD are NACKed): erase by page numbers " +
  "(stm32flash F_NO_ME).";

interface L0Params {
  pid: number;
  name: string;
  source: string;
  flashSize: number;
  dualBank?: boolean;
  ramSize: number;
  userStart: number;
  systemMemorySize: number;
  versions: number[];
  quirks?: string[];
}

function l0(p: L0Params): ChipInfo {
  return {
    pid: p.pid,
    name: p.name,
    family: "L0",
    source: p.source,
    flash: {
      base: 0x0800_0000,
      maxSize: p.flashSize,
      sizeRegister: FLASH_SIZE_REGISTER,
      banks: p.dualBank ? dualBank(p.flashSize, 128) : singleBank(p.flashSize, 128),
      programUnit: 4, // RM0377 §3.3.4: word programming
    },
    ram: { base: SRAM_BASE, size: p.ramSize, userStart: p.userStart },
    systemMemory: { base: 0x1ff0_0000, size: p.systemMemorySize },
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: UNIQUE_ID,
    bootloaderVersions: p.versions,
    eraseCommand: 0x44,
    quirks: [NO_MASS_ERASE_QUIRK, ...(p.quirks ?? [])],
  };
}

/** L0 products with a USART bootloader. */
export const L0_CHIPS: ChipInfo[] = [
  l0({
    pid: 0x457,
    name: "STM32L01xxx/02xxx",
    source: "AN2606 STM32L01xxx/02xxx bootloader (PID 0x457); RM0377 §3.3, §3.4.1; stm32flash dev_table.c",
    flashSize: 16 * KIB,
    ramSize: 2 * KIB,
    userStart: 0x2000_0800,
    systemMemorySize: 4 * KIB,
    versions: [0xc3],
    quirks: ["The bootloader uses all 2 KiB of SRAM: RAM is not usable for Write Memory or Go to RAM."],
  }),
  l0({
    pid: 0x425,
    name: "STM32L031xx/041xx",
    source: "AN2606 STM32L031xx/041xx bootloader (PID 0x425); RM0377 §3.3, §3.4.1; stm32flash dev_table.c",
    flashSize: 32 * KIB,
    ramSize: 8 * KIB,
    userStart: 0x2000_1000,
    systemMemorySize: 4 * KIB,
    versions: [0xc0],
  }),
  l0({
    pid: 0x417,
    name: "STM32L05xxx/06xxx",
    source: "AN2606 STM32L05xxx/06xxx bootloader (PID 0x417); RM0367 §3.3, §3.4.1; stm32flash dev_table.c",
    flashSize: 64 * KIB,
    ramSize: 8 * KIB,
    userStart: 0x2000_1000,
    systemMemorySize: 4 * KIB,
    versions: [0xc0],
  }),
  l0({
    pid: 0x447,
    name: "STM32L07xxx/08xxx",
    source: "AN2606 STM32L07xxx/08xxx bootloader (PID 0x447); RM0376 §3.3 (two 96 KiB banks), §3.4.1; " +
      "stm32flash dev_table.c",
    flashSize: 192 * KIB,
    dualBank: true,
    ramSize: 20 * KIB,
    userStart: 0x2000_2000,
    systemMemorySize: 8 * KIB,
    versions: [0x41, 0xb2],
  }),
];
