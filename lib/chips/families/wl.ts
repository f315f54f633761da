/**
 * STM32WL series. Facts: AN2606 (STM32WLE5xx/WL55xx bootloader section, device-dependent bootloader parameters
 * table), RM0461 (WLEx) / RM0453 (WL5x) §3.3.1 (128 pages of 2 KiB), §3.4 (option bytes at 0x1FFF7800), device
 * electronic signature chapter. Flash size and flash-size/UID addresses cross-checked against OpenOCD
 * `stm32l4x.c`, option-byte size against ST's OpenBootloader configuration for 0x497, RAM and system memory against the (commented-out) stm32flash `dev_table.c` entry.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { KIB, singleBank, SRAM_BASE } from "./common.ts";

/**
 * WL option bytes as the bootloader reads them at 0x1FFF7800 (112 bytes, RM0453 §4.4.1; the size ST's
 * OpenBootloader for PID 0x497 serves): double-words of a 32-bit
 * value followed by its complement; FLASH_OPTR image at +0, PCROP1A start/end at +8/+0x10, WRP1A at +0x18,
 * WRP1B at +0x20.
 */
export const WL_OPTION_FIELDS: OptionField[] = [
  {
    name: "RDP",
    offset: 0x0,
    shift: 0,
    width: 8,
    description: "read protection: 0xAA = level 0, 0xCC = level 2, else 1",
  },
  { name: "ESE", offset: 0x0, shift: 8, width: 1, description: "1 = system security enabled" },
  { name: "BOR_LEV", offset: 0x0, shift: 9, width: 3, description: "brown-out reset level 0-4" },
  { name: "nRST_STOP", offset: 0x0, shift: 12, width: 1, description: "0 = reset when entering Stop mode" },
  { name: "nRST_STDBY", offset: 0x0, shift: 13, width: 1, description: "0 = reset when entering Standby mode" },
  { name: "nRST_SHDW", offset: 0x0, shift: 14, width: 1, description: "0 = reset when entering Shutdown mode" },
  { name: "IWDG_SW", offset: 0x0, shift: 16, width: 1, description: "1 = software independent watchdog" },
  { name: "IWDG_STOP", offset: 0x0, shift: 17, width: 1, description: "0 = independent watchdog frozen in Stop mode" },
  { name: "IWDG_STDBY", offset: 0x0, shift: 18, width: 1, description: "0 = independent watchdog frozen in Standby" },
  { name: "WWDG_SW", offset: 0x0, shift: 19, width: 1, description: "1 = software window watchdog" },
  { name: "nBOOT1", offset: 0x0, shift: 23, width: 1, description: "with BOOT0 = 1: 1 = boot system memory, 0 = SRAM" },
  { name: "SRAM2_PE", offset: 0x0, shift: 24, width: 1, description: "0 = SRAM2 parity check enabled" },
  { name: "SRAM_RST", offset: 0x0, shift: 25, width: 1, description: "0 = SRAM1/SRAM2 erased on system reset" },
  { name: "nSWBOOT0", offset: 0x0, shift: 26, width: 1, description: "1 = BOOT0 pin, 0 = nBOOT0 bit selects boot" },
  { name: "nBOOT0", offset: 0x0, shift: 27, width: 1, description: "BOOT0 value when nSWBOOT0 = 0" },
  { name: "BOOT_LOCK", offset: 0x0, shift: 30, width: 1, description: "1 = CPU1 always boots from main flash" },
  { name: "C2BOOT_LOCK", offset: 0x0, shift: 31, width: 1, description: "1 = CPU2 always boots from main flash" },
  { name: "WRP1A_STRT", offset: 0x18, shift: 0, width: 7, description: "first page of write-protected area A" },
  { name: "WRP1A_END", offset: 0x18, shift: 16, width: 7, description: "last page of write-protected area A" },
  { name: "WRP1B_STRT", offset: 0x20, shift: 0, width: 7, description: "first page of write-protected area B" },
  { name: "WRP1B_END", offset: 0x20, shift: 16, width: 7, description: "last page of write-protected area B" },
];

/** WL products with a USART bootloader. */
export const WL_CHIPS: ChipInfo[] = [
  {
    pid: 0x497,
    name: "STM32WLE5xx/WL55xx",
    family: "WL",
    source: "AN2606 STM32WLE5xx/WL55xx bootloader (PID 0x497); RM0453 §4.3.1, §4.4; OpenOCD stm32l4x.c",
    flash: {
      base: 0x0800_0000,
      maxSize: 256 * KIB,
      sizeRegister: 0x1fff_75e0,
      banks: singleBank(256 * KIB, 2 * KIB),
      programUnit: 8,
    },
    ram: { base: SRAM_BASE, size: 64 * KIB, userStart: 0x2000_2000 },
    systemMemory: { base: 0x1fff_0000, size: 16 * KIB },
    optionBytes: { address: 0x1fff_7800, size: 0x70, fields: WL_OPTION_FIELDS },
    uniqueIdAddress: 0x1fff_7590,
    bootloaderVersions: [0xc4],
    eraseCommand: 0x44,
    quirks: [],
  },
];
