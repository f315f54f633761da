/**
 * STM32L1 series. Facts: AN2606 (STM32L1xxx6(8/B), 6(8/B)A, C, D, E bootloader sections, device-dependent
 * bootloader parameters table), RM0038 §3.2 (256-byte pages, 16-page sectors for write protection), §3.9
 * (option bytes), §31 (device electronic signature, whose addresses depend on the category); RAM, system-memory and
 * option-byte ranges, and the missing mass erase, cross-checked against stm32flash `dev_table.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { dualBank, KIB, singleBank, SRAM_BASE } from "./common.ts";

/**
 * L1 option bytes as the bootloader reads them at 0x1FF80000 (RM0038 §3.9.2): each word holds a 16-bit option
 * value in bits 15:0 and its complement in bits 31:16. +0: RDP; +4: USER (BOR_LEV, IWDG_SW, nRST_STOP,
 * nRST_STDBY, BFB2); +8 onwards: write protection, 16 sectors of 4 KiB per word.
 */
export const L1_OPTION_FIELDS: OptionField[] = [
  {
    name: "RDP",
    offset: 0x0,
    shift: 0,
    width: 8,
    description: "read protection: 0xAA = level 0, 0xCC = level 2, else 1",
  },
  { name: "BOR_LEV", offset: 0x4, shift: 0, width: 4, description: "brown-out level: 0x0 = off, 0x8-0xC = levels 1-5" },
  { name: "IWDG_SW", offset: 0x4, shift: 4, width: 1, description: "1 = software watchdog, 0 = hardware watchdog" },
  { name: "nRST_STOP", offset: 0x4, shift: 5, width: 1, description: "0 = reset when entering Stop mode" },
  { name: "nRST_STDBY", offset: 0x4, shift: 6, width: 1, description: "0 = reset when entering Standby mode" },
  { name: "BFB2", offset: 0x4, shift: 7, width: 1, description: "1 = boot from bank 2 if valid (categories 4, 5)" },
  { name: "WRP1", offset: 0x8, shift: 0, width: 16, description: "write protection of sectors 0-15 (1 = protected)" },
  { name: "WRP2", offset: 0xc, shift: 0, width: 16, description: "write protection of sectors 16-31 (1 = protected)" },
  { name: "WRP3", offset: 0x10, shift: 0, width: 16, description: "write protection of sectors 32-47 (1 = protected)" },
  { name: "WRP4", offset: 0x14, shift: 0, width: 16, description: "write protection of sectors 48-63 (1 = protected)" },
];

const NO_MASS_ERASE_QUIRK =
  "Extended Erase has no global/bank mass erase (0xFFFF/0xFFFE/0xFFFD are NACKed): erase by page numbers " +
  "(stm32flash F_NO_ME).";

interface L1Params {
  pid: number;
  name: string;
  source: string;
  flashSize: number;
  dualBank?: boolean;
  ramSize: number;
  userStart: number;
  systemMemorySize: number;
  optionSize: number;
  /** Categories 1 and 2 keep the signature at 0x1FF8004C/50, categories 3-5 at 0x1FF800CC/D0 (RM0038 §31). */
  highSignature: boolean;
  versions: number[];
  eraseCommand: 0x43 | 0x44;
}

function l1(p: L1Params): ChipInfo {
  return {
    pid: p.pid,
    name: p.name,
    family: "L1",
    source: p.source,
    flash: {
      base: 0x0800_0000,
      maxSize: p.flashSize,
      sizeRegister: p.highSignature ? 0x1ff8_00cc : 0x1ff8_004c,
      banks: p.dualBank ? dualBank(p.flashSize, 256) : singleBank(p.flashSize, 256),
      programUnit: 4, // RM0038 §3.4.4: word programming
    },
    ram: { base: SRAM_BASE, size: p.ramSize, userStart: p.userStart },
    systemMemory: { base: 0x1ff0_0000, size: p.systemMemorySize },
    optionBytes: { address: 0x1ff8_0000, size: p.optionSize, fields: L1_OPTION_FIELDS },
    uniqueIdAddress: p.highSignature ? 0x1ff8_00d0 : 0x1ff8_0050,
    bootloaderVersions: p.versions,
    eraseCommand: p.eraseCommand,
    quirks: [NO_MASS_ERASE_QUIRK],
  };
}

/** L1 products with a USART bootloader. */
export const L1_CHIPS: ChipInfo[] = [
  l1({
    pid: 0x416,
    name: "STM32L1xxx6(8/B) (category 1)",
    source: "AN2606 STM32L1xxx6(8/B) bootloader (PID 0x416); RM0038 §3.2, §3.9, §31; stm32flash dev_table.c",
    flashSize: 128 * KIB,
    ramSize: 16 * KIB,
    userStart: 0x2000_0800,
    systemMemorySize: 4 * KIB,
    optionSize: 32,
    highSignature: false,
    versions: [0x20],
    eraseCommand: 0x43, // bootloader V2.0 < V3.0 (AN3155 §3.7)
  }),
  l1({
    pid: 0x429,
    name: "STM32L1xxx6(8/B)A (category 2)",
    source: "AN2606 STM32L1xxx6(8/B)A bootloader (PID 0x429); RM0038 §3.2, §3.9, §31; stm32flash dev_table.c",
    flashSize: 128 * KIB,
    ramSize: 32 * KIB,
    userStart: 0x2000_1000,
    systemMemorySize: 4 * KIB,
    optionSize: 32,
    highSignature: false,
    versions: [0x20],
    eraseCommand: 0x43, // bootloader V2.0 < V3.0 (AN3155 §3.7)
  }),
  l1({
    pid: 0x427,
    name: "STM32L1xxxC (category 3)",
    source: "AN2606 STM32L1xxxC bootloader (PID 0x427); RM0038 §3.2, §3.9, §31; stm32flash dev_table.c",
    flashSize: 256 * KIB,
    ramSize: 32 * KIB,
    userStart: 0x2000_1000,
    systemMemorySize: 8 * KIB,
    optionSize: 32,
    highSignature: true,
    versions: [0x40],
    eraseCommand: 0x44,
  }),
  l1({
    pid: 0x436,
    name: "STM32L1xxxD (category 4)",
    source: "AN2606 STM32L1xxxD bootloader (PID 0x436); RM0038 §3.2 (two 192 KiB banks), §3.9, §31; " +
      "stm32flash dev_table.c",
    flashSize: 384 * KIB,
    dualBank: true,
    ramSize: 48 * KIB,
    userStart: 0x2000_1000,
    systemMemorySize: 8 * KIB,
    optionSize: 0xa0,
    highSignature: true,
    versions: [0x45],
    eraseCommand: 0x44,
  }),
  l1({
    pid: 0x437,
    name: "STM32L1xxxE (category 5)",
    source: "AN2606 STM32L1xxxE bootloader (PID 0x437); RM0038 §3.2 (two 256 KiB banks), §3.9, §31; " +
      "stm32flash dev_table.c",
    flashSize: 512 * KIB,
    dualBank: true,
    ramSize: 80 * KIB,
    userStart: 0x2000_1000,
    systemMemorySize: 8 * KIB,
    optionSize: 0xa0,
    highSignature: true,
    versions: [0x40],
    eraseCommand: 0x44,
  }),
];
