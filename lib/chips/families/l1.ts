/**
 * STM32L1 series. Facts: AN2606 (STM32L1xxx6(8/B), 6(8/B)A, C, D, E bootloader sections, device-dependent
 * bootloader parameters table), RM0038 §3.2 (256-byte pages, 16-page sectors for write protection), §3.9
 * (option bytes), §31 (device electronic signature, whose addresses depend on the category); RAM, system-memory and
 * option-byte ranges, and the missing mass erase, cross-checked against stm32flash `dev_table.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { chipEntry, flashBanks, KIB, NO_MASS_ERASE_QUIRK, type ProductParams } from "./common.ts";
import {
  L0_BOR_LEV_FIELD,
  optionField,
  rdpField,
  sectorWrpWordFields,
  stopStandbyResetFields,
  watchdogSelectField,
} from "./option_fields.ts";

/**
 * L1 option bytes as the bootloader reads them at 0x1FF80000 (RM0038 §3.9.2): each word holds a 16-bit option
 * value in bits 15:0 and its complement in bits 31:16. +0: RDP; +4: USER (BOR_LEV, IWDG_SW, nRST_STOP,
 * nRST_STDBY, BFB2); +8 onwards: write protection, 16 sectors of 4 KiB per word.
 */
export const L1_OPTION_FIELDS: OptionField[] = [
  rdpField(0x0, 0),
  L0_BOR_LEV_FIELD,
  watchdogSelectField("IWDG_SW", 0x4, 4),
  ...stopStandbyResetFields(0x4, 5),
  optionField("BFB2", 0x4, 7, 1, "1 = boot from bank 2 if valid (categories 4, 5)"),
  ...sectorWrpWordFields(4),
];

/** Density categories 1-5, as RM0038 and AN2606 name the L1 products. */
type L1Category = 1 | 2 | 3 | 4 | 5;

/** What the density category fixes on an L1. */
interface CategoryFacts {
  /** Categories 1 and 2 keep the signature at 0x1FF8004C/50, categories 3-5 at 0x1FF800CC/D0 (RM0038 §31). */
  highSignature: boolean;
  /** Two banks on categories 4 and 5 (RM0038 §3.2). */
  dualBank: boolean;
  /** System memory size (AN2606 device-dependent bootloader parameters; stm32flash dev_table.c). */
  systemMemorySize: number;
  /** Option-byte area the bootloader reads: 32 bytes, 0xA0 with the bank 2 protection of categories 4-5. */
  optionSize: number;
}

const CATEGORIES: Record<L1Category, CategoryFacts> = {
  1: { highSignature: false, dualBank: false, systemMemorySize: 4 * KIB, optionSize: 32 },
  2: { highSignature: false, dualBank: false, systemMemorySize: 4 * KIB, optionSize: 32 },
  3: { highSignature: true, dualBank: false, systemMemorySize: 8 * KIB, optionSize: 32 },
  4: { highSignature: true, dualBank: true, systemMemorySize: 8 * KIB, optionSize: 0xa0 },
  5: { highSignature: true, dualBank: true, systemMemorySize: 8 * KIB, optionSize: 0xa0 },
};

interface L1Params extends ProductParams {
  category: L1Category;
  userStart: number;
  eraseCommand: 0x43 | 0x44;
}

function l1(p: L1Params): ChipInfo {
  const c = CATEGORIES[p.category];
  return chipEntry({
    ...p,
    family: "L1",
    sizeRegister: c.highSignature ? 0x1ff8_00cc : 0x1ff8_004c,
    banks: flashBanks(p.flashSize, 256, c.dualBank),
    programUnit: 4, // RM0038 §3.4.4: word programming
    systemMemory: { base: 0x1ff0_0000, size: c.systemMemorySize },
    optionBytes: { address: 0x1ff8_0000, size: c.optionSize, fields: L1_OPTION_FIELDS },
    uniqueIdAddress: c.highSignature ? 0x1ff8_00d0 : 0x1ff8_0050,
    // RM0038 "Unique device ID registers (96 bits)": U_ID(31:0) at offset 0x00, U_ID(63:32) at 0x04, U_ID(95:64) at 0x14.
    uniqueIdWordOffsets: [0x00, 0x04, 0x14],
    quirks: [NO_MASS_ERASE_QUIRK],
  });
}

/** L1 products with a USART bootloader. */
export const L1_CHIPS: ChipInfo[] = [
  l1({
    pid: 0x416,
    name: "STM32L1xxx6(8/B) (category 1)",
    category: 1,
    source: "AN2606 STM32L1xxx6(8/B) bootloader (PID 0x416); RM0038 §3.2, §3.9, §31; stm32flash dev_table.c",
    flashSize: 128 * KIB,
    ramSize: 16 * KIB,
    userStart: 0x2000_0800,
    versions: [0x20],
    eraseCommand: 0x43, // bootloader V2.0 < V3.0 (AN3155 §3.7)
  }),
  l1({
    pid: 0x429,
    name: "STM32L1xxx6(8/B)A (category 2)",
    category: 2,
    source: "AN2606 STM32L1xxx6(8/B)A bootloader (PID 0x429); RM0038 §3.2, §3.9, §31; stm32flash dev_table.c",
    flashSize: 128 * KIB,
    ramSize: 32 * KIB,
    userStart: 0x2000_1000,
    versions: [0x20],
    eraseCommand: 0x43, // bootloader V2.0 < V3.0 (AN3155 §3.7)
  }),
  l1({
    pid: 0x427,
    name: "STM32L1xxxC (category 3)",
    category: 3,
    source: "AN2606 STM32L1xxxC bootloader (PID 0x427); RM0038 §3.2, §3.9, §31; stm32flash dev_table.c",
    flashSize: 256 * KIB,
    ramSize: 32 * KIB,
    userStart: 0x2000_1000,
    versions: [0x40],
    eraseCommand: 0x44,
  }),
  l1({
    pid: 0x436,
    name: "STM32L1xxxD (category 4)",
    category: 4,
    source: "AN2606 STM32L1xxxD bootloader (PID 0x436); RM0038 §3.2 (two 192 KiB banks), §3.9, §31; " +
      "stm32flash dev_table.c",
    flashSize: 384 * KIB,
    ramSize: 48 * KIB,
    userStart: 0x2000_1000,
    versions: [0x45],
    eraseCommand: 0x44,
  }),
  l1({
    pid: 0x437,
    name: "STM32L1xxxE (category 5)",
    category: 5,
    source: "AN2606 STM32L1xxxE bootloader (PID 0x437); RM0038 §3.2 (two 256 KiB banks), §3.9, §31; " +
      "stm32flash dev_table.c",
    flashSize: 512 * KIB,
    ramSize: 80 * KIB,
    userStart: 0x2000_1000,
    versions: [0x40],
    eraseCommand: 0x44,
  }),
];
