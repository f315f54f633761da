/**
 * STM32L5 and STM32U5 series (TrustZone parts whose bootloader exposes the option bytes as flash registers).
 * Facts: AN2606 (STM32L552xx/562xx and STM32U575xx/585xx bootloader sections, device-dependent bootloader
 * parameters table), RM0438 (L5) and RM0456 (U5) flash chapters (organisation by DBANK, option registers
 * FLASH_OPTR at 0x40022040, WRP1AR at 0x40022058, WRP2AR at 0x40022068) and device electronic signature chapters.
 * Flash sizes and flash-size register addresses cross-checked against OpenOCD `stm32l4x.c`; the 64-byte option
 * window at 0x40022040 and the U5 RAM size against ST's OpenBootloader configurations; L5 RAM and system memory
 * against the (commented-out) stm32flash `dev_table.c` entry.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { chipEntry, dualBank, KIB, type ProductParams } from "./common.ts";
import {
  optionField,
  OPTR_RESET_WATCHDOG_FIELDS,
  OPTR_SOFTWARE_BOOT0_FIELDS,
  OPTR_SRAM2_PE_FIELD,
  OPTR_SRAM2_RST_FIELD,
  optrBorLevelField,
  rdpField,
  wrpAreaFields,
} from "./option_fields.ts";

/** OPTR fields shared by L5 and U5 (RM0438 §6.9.15, RM0456 §7.9.15), at +0 of the 0x40022040 window. */
const COMMON_OPTR_FIELDS: OptionField[] = [
  rdpField(0x0, 0, "read protection: 0xAA = level 0, 0x55 = level 0.5, 0xCC = level 2, else 1"),
  optrBorLevelField(8),
  ...OPTR_RESET_WATCHDOG_FIELDS,
  optionField("SWAP_BANK", 0x0, 20, 1, "1 = bank 1 and bank 2 addresses swapped"),
  OPTR_SRAM2_RST_FIELD,
  ...OPTR_SOFTWARE_BOOT0_FIELDS,
  optionField("PA15_PUPEN", 0x0, 28, 1, "1 = PA15 pull-up enabled"),
  optionField("TZEN", 0x0, 31, 1, "1 = TrustZone enabled"),
  // WRPxyR registers sit at 0x40022058/5C (bank 1) and 0x40022068/6C (bank 2), +0x18/+0x1C/+0x28/+0x2C here.
  ...wrpAreaFields("WRP1A", 0x18, 7, "bank 1 write-protected area A", ["PSTRT", "PEND"]),
  ...wrpAreaFields("WRP1B", 0x1c, 7, "bank 1 write-protected area B", ["PSTRT", "PEND"]),
  ...wrpAreaFields("WRP2A", 0x28, 7, "bank 2 write-protected area A", ["PSTRT", "PEND"]),
  ...wrpAreaFields("WRP2B", 0x2c, 7, "bank 2 write-protected area B", ["PSTRT", "PEND"]),
];

/** L5 option fields: the common ones plus the L5 bank-mode and SRAM2 parity bits (RM0438 FLASH_OPTR). */
export const L5_OPTION_FIELDS: OptionField[] = [
  ...COMMON_OPTR_FIELDS,
  { name: "DB256K", offset: 0x0, shift: 21, width: 1, description: "1 = dual bank on 256 KiB parts" },
  { name: "DBANK", offset: 0x0, shift: 22, width: 1, description: "1 = dual-bank mode, 2 KiB pages" },
  OPTR_SRAM2_PE_FIELD,
];

/** U5 option fields: the common ones plus the U5 bank-mode and ECC bits (RM0456 FLASH_OPTR). */
export const U5_OPTION_FIELDS: OptionField[] = [
  ...COMMON_OPTR_FIELDS,
  { name: "SRAM1345_RST", offset: 0x0, shift: 15, width: 1, description: "0 = SRAM1/3/4/5 erased on system reset" },
  { name: "DUALBANK", offset: 0x0, shift: 21, width: 1, description: "1 = dual bank on 1 MiB / 256 KiB parts" },
  { name: "BKPRAM_ECC", offset: 0x0, shift: 22, width: 1, description: "0 = backup RAM ECC enabled" },
  { name: "SRAM3_ECC", offset: 0x0, shift: 23, width: 1, description: "0 = SRAM3 ECC enabled" },
  { name: "SRAM2_ECC", offset: 0x0, shift: 24, width: 1, description: "0 = SRAM2 ECC enabled" },
];

const OPTION_QUIRK = "Option bytes are the FLASH option registers (FLASH_OPTR at 0x40022040, 64 bytes): there are " +
  "no complement words, and writing them makes the bootloader launch option loading and reset.";
const TRUSTZONE_QUIRK = "With TZEN = 1 the bootloader refuses secure flash and SRAM: disable TrustZone (RDP " +
  "regression) before flashing non-secure images outside the watermarks.";

/** What the L5 and U5 entries share; `optionFields` is the series' own list. */
interface L5U5Params extends ProductParams {
  family: "L5" | "U5";
  sizeRegister: number;
  pageSize: number;
  programUnit: number;
  optionFields: OptionField[];
  uniqueIdAddress: number;
  quirks: string[];
}

function l5u5(p: L5U5Params): ChipInfo {
  return chipEntry({
    ...p,
    banks: dualBank(p.flashSize, p.pageSize),
    userStart: 0x2000_4000,
    systemMemory: { base: 0x0bf9_0000, size: 32 * KIB },
    optionBytes: { address: 0x4002_2040, size: 64, fields: p.optionFields },
    eraseCommand: 0x44,
  });
}

/** L5 products with a USART bootloader. */
export const L5_CHIPS: ChipInfo[] = [
  l5u5({
    pid: 0x472,
    name: "STM32L552xx/562xx",
    family: "L5",
    source: "AN2606 STM32L552xx/562xx bootloader (PID 0x472); RM0438 §6.3.1 (DBANK = 1: 2 x 128 pages of 2 KiB), " +
      "§6.9; OpenOCD stm32l4x.c; stm32flash dev_table.c",
    flashSize: 512 * KIB,
    sizeRegister: 0x0bfa_05e0,
    pageSize: 2 * KIB,
    programUnit: 8, // RM0438: double-word programming
    ramSize: 256 * KIB,
    optionFields: L5_OPTION_FIELDS,
    uniqueIdAddress: 0x0bfa_0590,
    versions: [0x90],
    quirks: [
      OPTION_QUIRK,
      TRUSTZONE_QUIRK,
      "Layout is for the default dual-bank mode (DBANK = 1, 2 KiB pages); with DBANK = 0 the flash is one bank " +
      "of 4 KiB pages.",
    ],
  }),
];

/** U5 products with a USART bootloader. */
export const U5_CHIPS: ChipInfo[] = [
  l5u5({
    pid: 0x482,
    name: "STM32U575xx/585xx",
    family: "U5",
    source: "AN2606 STM32U575xx/585xx bootloader (PID 0x482); RM0456 §7.3.1 (2 x 128 pages of 8 KiB, " +
      "128-bit flash word), §7.9; OpenOCD stm32l4x.c",
    flashSize: 2048 * KIB,
    sizeRegister: 0x0bfa_07a0,
    pageSize: 8 * KIB,
    programUnit: 16, // RM0456: quad-word programming
    ramSize: 768 * KIB,
    optionFields: U5_OPTION_FIELDS,
    uniqueIdAddress: 0x0bfa_0700,
    versions: [0x91],
    quirks: [OPTION_QUIRK, TRUSTZONE_QUIRK],
  }),
];
