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
import { dualBank, KIB, SRAM_BASE } from "./common.ts";

/** OPTR fields shared by L5 and U5 (RM0438 §6.9.15, RM0456 §7.9.15), at +0 of the 0x40022040 window. */
const COMMON_OPTR_FIELDS: OptionField[] = [
  {
    name: "RDP",
    offset: 0x0,
    shift: 0,
    width: 8,
    description: "read protection: 0xAA = level 0, 0x55 = level 0.5, 0xCC = level 2, else 1",
  },
  { name: "BOR_LEV", offset: 0x0, shift: 8, width: 3, description: "brown-out reset level 0-4" },
  { name: "nRST_STOP", offset: 0x0, shift: 12, width: 1, description: "0 = reset when entering Stop mode" },
  { name: "nRST_STDBY", offset: 0x0, shift: 13, width: 1, description: "0 = reset when entering Standby mode" },
  { name: "nRST_SHDW", offset: 0x0, shift: 14, width: 1, description: "0 = reset when entering Shutdown mode" },
  { name: "IWDG_SW", offset: 0x0, shift: 16, width: 1, description: "1 = software independent watchdog" },
  { name: "IWDG_STOP", offset: 0x0, shift: 17, width: 1, description: "0 = independent watchdog frozen in Stop mode" },
  { name: "IWDG_STDBY", offset: 0x0, shift: 18, width: 1, description: "0 = independent watchdog frozen in Standby" },
  { name: "WWDG_SW", offset: 0x0, shift: 19, width: 1, description: "1 = software window watchdog" },
  { name: "SWAP_BANK", offset: 0x0, shift: 20, width: 1, description: "1 = bank 1 and bank 2 addresses swapped" },
  { name: "SRAM2_RST", offset: 0x0, shift: 25, width: 1, description: "0 = SRAM2 erased on system reset" },
  { name: "nSWBOOT0", offset: 0x0, shift: 26, width: 1, description: "1 = BOOT0 pin, 0 = nBOOT0 bit selects boot" },
  { name: "nBOOT0", offset: 0x0, shift: 27, width: 1, description: "BOOT0 value when nSWBOOT0 = 0" },
  { name: "PA15_PUPEN", offset: 0x0, shift: 28, width: 1, description: "1 = PA15 pull-up enabled" },
  { name: "TZEN", offset: 0x0, shift: 31, width: 1, description: "1 = TrustZone enabled" },
  { name: "WRP1A_PSTRT", offset: 0x18, shift: 0, width: 7, description: "first page of bank 1 write-protected area A" },
  { name: "WRP1A_PEND", offset: 0x18, shift: 16, width: 7, description: "last page of bank 1 write-protected area A" },
  { name: "WRP1B_PSTRT", offset: 0x1c, shift: 0, width: 7, description: "first page of bank 1 write-protected area B" },
  { name: "WRP1B_PEND", offset: 0x1c, shift: 16, width: 7, description: "last page of bank 1 write-protected area B" },
  { name: "WRP2A_PSTRT", offset: 0x28, shift: 0, width: 7, description: "first page of bank 2 write-protected area A" },
  { name: "WRP2A_PEND", offset: 0x28, shift: 16, width: 7, description: "last page of bank 2 write-protected area A" },
  { name: "WRP2B_PSTRT", offset: 0x2c, shift: 0, width: 7, description: "first page of bank 2 write-protected area B" },
  { name: "WRP2B_PEND", offset: 0x2c, shift: 16, width: 7, description: "last page of bank 2 write-protected area B" },
];

/** L5 option fields: the common ones plus the L5 bank-mode and SRAM2 parity bits (RM0438 FLASH_OPTR). */
export const L5_OPTION_FIELDS: OptionField[] = [
  ...COMMON_OPTR_FIELDS,
  { name: "DB256K", offset: 0x0, shift: 21, width: 1, description: "1 = dual bank on 256 KiB parts" },
  { name: "DBANK", offset: 0x0, shift: 22, width: 1, description: "1 = dual-bank mode, 2 KiB pages" },
  { name: "SRAM2_PE", offset: 0x0, shift: 24, width: 1, description: "0 = SRAM2 parity check enabled" },
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

/** L5 and U5 products with a USART bootloader. */
export const L5_CHIPS: ChipInfo[] = [
  {
    pid: 0x472,
    name: "STM32L552xx/562xx",
    family: "L5",
    source: "AN2606 STM32L552xx/562xx bootloader (PID 0x472); RM0438 §6.3.1 (DBANK = 1: 2 x 128 pages of 2 KiB), " +
      "§6.9; OpenOCD stm32l4x.c; stm32flash dev_table.c",
    flash: {
      base: 0x0800_0000,
      maxSize: 512 * KIB,
      sizeRegister: 0x0bfa_05e0,
      banks: dualBank(512 * KIB, 2 * KIB),
      programUnit: 8, // RM0438: double-word programming
    },
    ram: { base: SRAM_BASE, size: 256 * KIB, userStart: 0x2000_4000 },
    systemMemory: { base: 0x0bf9_0000, size: 32 * KIB },
    optionBytes: { address: 0x4002_2040, size: 64, fields: L5_OPTION_FIELDS },
    uniqueIdAddress: 0x0bfa_0590,
    bootloaderVersions: [0x90],
    eraseCommand: 0x44,
    quirks: [
      OPTION_QUIRK,
      TRUSTZONE_QUIRK,
      "Layout is for the default dual-bank mode (DBANK = 1, 2 KiB pages); with DBANK = 0 the flash is one bank " +
      "of 4 KiB pages.",
    ],
  },
];

/** U5 products with a USART bootloader. */
export const U5_CHIPS: ChipInfo[] = [
  {
    pid: 0x482,
    name: "STM32U575xx/585xx",
    family: "U5",
    source: "AN2606 STM32U575xx/585xx bootloader (PID 0x482); RM0456 §7.3.1 (2 x 128 pages of 8 KiB, " +
      "128-bit flash word), §7.9; OpenOCD stm32l4x.c",
    flash: {
      base: 0x0800_0000,
      maxSize: 2048 * KIB,
      sizeRegister: 0x0bfa_07a0,
      banks: dualBank(2048 * KIB, 8 * KIB),
      programUnit: 16, // RM0456: quad-word programming
    },
    ram: { base: SRAM_BASE, size: 768 * KIB, userStart: 0x2000_4000 },
    systemMemory: { base: 0x0bf9_0000, size: 32 * KIB },
    optionBytes: { address: 0x4002_2040, size: 64, fields: U5_OPTION_FIELDS },
    uniqueIdAddress: 0x0bfa_0700,
    bootloaderVersions: [0x91],
    eraseCommand: 0x44,
    quirks: [OPTION_QUIRK, TRUSTZONE_QUIRK],
  },
];
