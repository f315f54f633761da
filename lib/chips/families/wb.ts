/**
 * STM32WB series. Facts: AN2606 (STM32WB10xx/15xx and STM32WB30xx/35xx/50xx/55xx bootloader sections,
 * device-dependent bootloader parameters table), RM0434 (WB55/WB35) and RM0473 (WB15/WB10) §3.3.1 (flash
 * organisation), §3.4 (option bytes), device electronic signature chapter. Product IDs, flash sizes and
 * flash-size/UID addresses cross-checked against OpenOCD `stm32l4x.c` (0x494 = WB1x, 0x495 = WB5x), RAM and
 * system memory against the (commented-out) stm32flash `dev_table.c` entries.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { KIB, singleBank, SRAM_BASE } from "./common.ts";

/**
 * WB option bytes as the bootloader reads them at 0x1FFF7800 (128 bytes, RM0434 §3.4.1): double-words of a 32-bit
 * value followed by its complement; FLASH_OPTR image at +0, PCROP1A start/end at +8/+0x10, WRP1A at +0x18,
 * WRP1B at +0x20, CPU2 security options further up.
 */
export const WB_OPTION_FIELDS: OptionField[] = [
  {
    name: "RDP",
    offset: 0x0,
    shift: 0,
    width: 8,
    description: "read protection: 0xAA = level 0, 0xCC = level 2, else 1",
  },
  { name: "ESE", offset: 0x0, shift: 8, width: 1, description: "1 = CPU2 security enabled (read-only for the user)" },
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
  { name: "SRAM2_RST", offset: 0x0, shift: 25, width: 1, description: "0 = SRAM2 erased on system reset" },
  { name: "nSWBOOT0", offset: 0x0, shift: 26, width: 1, description: "1 = BOOT0 pin, 0 = nBOOT0 bit selects boot" },
  { name: "nBOOT0", offset: 0x0, shift: 27, width: 1, description: "BOOT0 value when nSWBOOT0 = 0" },
  { name: "AGC_TRIM", offset: 0x0, shift: 29, width: 3, description: "radio automatic gain control trimming" },
  { name: "WRP1A_STRT", offset: 0x18, shift: 0, width: 8, description: "first page of write-protected area A" },
  { name: "WRP1A_END", offset: 0x18, shift: 16, width: 8, description: "last page of write-protected area A" },
  { name: "WRP1B_STRT", offset: 0x20, shift: 0, width: 8, description: "first page of write-protected area B" },
  { name: "WRP1B_END", offset: 0x20, shift: 16, width: 8, description: "last page of write-protected area B" },
];

const OPTION_BYTES = { address: 0x1fff_7800, size: 0x80, fields: WB_OPTION_FIELDS };
const CPU2_QUIRK = "The CPU2 wireless stack and FUS own the top of flash from SFSA (FLASH_SFR) up: the " +
  "bootloader refuses to erase or write those secure pages, so a mass erase leaves them intact.";

/** WB products with a USART bootloader. */
export const WB_CHIPS: ChipInfo[] = [
  {
    pid: 0x494,
    name: "STM32WB10xx/15xx",
    family: "WB",
    source: "AN2606 STM32WB10xx/15xx bootloader (PID 0x494); RM0473 §3.3.1 (160 pages of 2 KiB), §3.4; " +
      "OpenOCD stm32l4x.c",
    flash: {
      base: 0x0800_0000,
      maxSize: 320 * KIB,
      sizeRegister: 0x1fff_75e0,
      banks: singleBank(320 * KIB, 2 * KIB),
      programUnit: 8,
    },
    ram: { base: SRAM_BASE, size: 48 * KIB, userStart: 0x2000_4000 },
    systemMemory: { base: 0x1fff_0000, size: 28 * KIB },
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: 0x1fff_7590,
    bootloaderVersions: [0xd5],
    eraseCommand: 0x44,
    quirks: [CPU2_QUIRK],
  },
  {
    pid: 0x495,
    name: "STM32WB30xx/35xx/50xx/55xx",
    family: "WB",
    source: "AN2606 STM32WB30xx/35xx/50xx/55xx bootloader (PID 0x495); RM0434 §3.3.1 (256 pages of 4 KiB), §3.4; " +
      "OpenOCD stm32l4x.c",
    flash: {
      base: 0x0800_0000,
      maxSize: 1024 * KIB,
      sizeRegister: 0x1fff_75e0,
      banks: singleBank(1024 * KIB, 4 * KIB),
      programUnit: 8, // RM0434 §3.3.7: double-word programming
    },
    ram: { base: SRAM_BASE, size: 256 * KIB, userStart: 0x2000_5000 },
    systemMemory: { base: 0x1fff_0000, size: 28 * KIB },
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: 0x1fff_7590,
    bootloaderVersions: [0xd5],
    eraseCommand: 0x44,
    quirks: [CPU2_QUIRK],
  },
];
