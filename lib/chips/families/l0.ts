/**
 * STM32L0 series. Facts: AN2606 (STM32L01xxx/02xxx, L031xx/041xx, L05xxx/06xxx, L07xxx/08xxx bootloader sections,
 * device-dependent bootloader parameters table), RM0377 (L0x1) / RM0367 (L0x2) / RM0376 (L0x3) §3.3 (128-byte pages,
 * 32-page sectors for write protection), §3.4.1 (option bytes), §28 (device electronic signature); RAM,
 * system-memory and option-byte ranges, and the missing mass erase, cross-checked against stm32flash `dev_table.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { chipEntry, flashBanks, KIB, NO_MASS_ERASE_QUIRK, type ProductParams } from "./common.ts";
import {
  L0_BOR_LEV_FIELD,
  nBoot1Field,
  optionField,
  rdpField,
  sectorWrpWordFields,
  stopStandbyResetFields,
  watchdogSelectField,
} from "./option_fields.ts";

/**
 * L0 option bytes as the bootloader reads them at 0x1FF80000 (32 bytes, RM0377 §3.4.1): each word holds a 16-bit
 * option value in bits 15:0 and its complement in bits 31:16. +0: FLASH_OPTR[15:0] (RDP, WPRMOD); +4:
 * FLASH_OPTR[31:16] (BOR_LEV, WDG_SW, nRST_STOP, nRST_STDBY, BFB2, nBOOT1); +8, +0xC, +0x10: write protection.
 */
export const L0_OPTION_FIELDS: OptionField[] = [
  rdpField(0x0, 0),
  optionField("WPRMOD", 0x0, 8, 1, "1 = WRP bits select PCROP instead of write protection"),
  L0_BOR_LEV_FIELD,
  watchdogSelectField("WDG_SW", 0x4, 4),
  ...stopStandbyResetFields(0x4, 5),
  optionField("BFB2", 0x4, 7, 1, "1 = boot from bank 2 if valid (L07x/L08x only)"),
  nBoot1Field(0x4, 15),
  ...sectorWrpWordFields(3),
];

const OPTION_BYTES = { address: 0x1ff8_0000, size: 32, fields: L0_OPTION_FIELDS };
const FLASH_SIZE_REGISTER = 0x1ff8_007c; // RM0377 §28.1.1 "Flash size register"
const UNIQUE_ID = 0x1ff8_0050; // RM0377 §28.2 "Unique device ID registers"
/** RM0377 §28.2: U_ID(31:0) at offset 0x00, U_ID(63:32) at 0x04, U_ID(95:64) at 0x14. */
const UNIQUE_ID_WORDS = [0x00, 0x04, 0x14] as const;

interface L0Params extends ProductParams {
  dualBank?: boolean;
  userStart: number;
  systemMemorySize: number;
  quirks?: string[];
}

function l0(p: L0Params): ChipInfo {
  return chipEntry({
    ...p,
    family: "L0",
    sizeRegister: FLASH_SIZE_REGISTER,
    banks: flashBanks(p.flashSize, 128, p.dualBank),
    programUnit: 4, // RM0377 §3.3.4: word programming
    systemMemory: { base: 0x1ff0_0000, size: p.systemMemorySize },
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: UNIQUE_ID,
    uniqueIdWordOffsets: UNIQUE_ID_WORDS,
    eraseCommand: 0x44,
    quirks: [NO_MASS_ERASE_QUIRK, ...(p.quirks ?? [])],
  });
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
