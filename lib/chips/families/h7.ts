/**
 * STM32H7 series. Facts: AN2606 (STM32H74xxx/75xxx, H7A3xx/B3xx, H72xxx/73xxx bootloader sections,
 * device-dependent bootloader parameters table), RM0433 (H742/743/753/750) §4.3 (2 banks of 8 x 128 KiB sectors,
 * 256-bit flash word), §4.9 (option bytes), §61 (device electronic signature); RM0455 (H7A3/B3, 8 KiB sectors,
 * 128-bit flash word); RM0468 (H72x/H73x). Flash sizes, bank modes, program units and flash-size register addresses
 * cross-checked against OpenOCD `stm32h7x.c`; RAM and system memory against stm32flash `dev_table.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { dualBank, KIB, singleBank, SRAM_BASE } from "./common.ts";

/**
 * H7 option bytes as the bootloader exposes them: the flash option registers from FLASH_OPTSR_CUR (0x5200201C) on,
 * the same window the ROM DFU lists as "@Option Bytes /0x5200201C". Offsets: OPTSR_CUR +0, OPTSR_PRG +4, OPTCCR +8,
 * PRAR_CUR1 +0xC, PRAR_PRG1 +0x10, SCAR_CUR1 +0x14, SCAR_PRG1 +0x18, WPSN_CUR1 +0x1C, WPSN_PRG1 +0x20,
 * BOOT_CUR +0x24, BOOT_PRG +0x28 (RM0433 §4.9 register map). Fields are named on the `_PRG` copies: they read the
 * same as `_CUR` until a change is pending, and they are what a write programs.
 */
function h7OptionFields(wrpWidth: number): OptionField[] {
  return [
    { name: "BOR_LEV", offset: 0x4, shift: 2, width: 2, description: "brown-out level: 0 = off, 1-3 = levels 1-3" },
    { name: "IWDG1_SW", offset: 0x4, shift: 4, width: 1, description: "1 = software independent watchdog" },
    { name: "nRST_STOP_D1", offset: 0x4, shift: 6, width: 1, description: "0 = reset when D1 enters Stop mode" },
    { name: "nRST_STBY_D1", offset: 0x4, shift: 7, width: 1, description: "0 = reset when D1 enters Standby mode" },
    {
      name: "RDP",
      offset: 0x4,
      shift: 8,
      width: 8,
      description: "read protection: 0xAA = level 0, 0xCC = level 2, else 1",
    },
    { name: "FZ_IWDG_STOP", offset: 0x4, shift: 17, width: 1, description: "0 = watchdog frozen in Stop mode" },
    { name: "FZ_IWDG_SDBY", offset: 0x4, shift: 18, width: 1, description: "0 = watchdog frozen in Standby mode" },
    { name: "SECURITY", offset: 0x4, shift: 21, width: 1, description: "1 = secure access mode enabled" },
    { name: "IO_HSLV", offset: 0x4, shift: 29, width: 1, description: "1 = I/O high-speed at low voltage" },
    { name: "SWAP_BANK_OPT", offset: 0x4, shift: 31, width: 1, description: "1 = bank 1 and bank 2 addresses swapped" },
    {
      name: "WRPSn1",
      offset: 0x20,
      shift: 0,
      width: wrpWidth,
      description: "bank 1 sector write protection (0 = protected)",
    },
    { name: "BOOT_ADD0", offset: 0x28, shift: 0, width: 16, description: "boot address with BOOT0 = 0 (bits 31:16)" },
    { name: "BOOT_ADD1", offset: 0x28, shift: 16, width: 16, description: "boot address with BOOT0 = 1 (bits 31:16)" },
  ];
}

const OPTION_ADDRESS = 0x5200_201c;
const OPTION_QUIRK = "Option bytes are the FLASH option registers (OPTSR_CUR at 0x5200201C): writing them makes " +
  "the bootloader start option programming and reset; bank 2 protection (WPSN_PRG2 at 0x5200213C) is not in " +
  "this window.";

/** H7 products with a USART bootloader. */
export const H7_CHIPS: ChipInfo[] = [
  {
    pid: 0x450,
    name: "STM32H74xxx/75xxx",
    family: "H7",
    source: "AN2606 STM32H74xxx/75xxx bootloader (PID 0x450); RM0433 §4.3.2 (2 x 8 x 128 KiB), §4.9, §61; " +
      "OpenOCD stm32h7x.c; stm32flash dev_table.c",
    flash: {
      base: 0x0800_0000,
      maxSize: 2048 * KIB,
      sizeRegister: 0x1ff1_e880,
      banks: dualBank(2048 * KIB, 128 * KIB),
      programUnit: 32, // RM0433 §4.3.9: 256-bit flash word
    },
    ram: { base: SRAM_BASE, size: 128 * KIB, userStart: 0x2000_4100 }, // DTCM
    systemMemory: { base: 0x1ff0_0000, size: 0x1_e800 },
    optionBytes: { address: OPTION_ADDRESS, size: 0x80, fields: h7OptionFields(8) },
    uniqueIdAddress: 0x1ff1_e800,
    bootloaderVersions: [0x90],
    eraseCommand: 0x44,
    quirks: [
      OPTION_QUIRK,
      "Sector erase of a 128 KiB sector takes up to 4 s; mass erase of both banks much longer.",
    ],
  },
  {
    pid: 0x480,
    name: "STM32H7A3xx/B3xx",
    family: "H7",
    source: "AN2606 STM32H7A3xx/B3xx bootloader (PID 0x480); RM0455 §4.3 (2 x 128 x 8 KiB, 128-bit flash word), " +
      "§4.9; OpenOCD stm32h7x.c; stm32flash dev_table.c",
    flash: {
      base: 0x0800_0000,
      maxSize: 2048 * KIB,
      sizeRegister: 0x08ff_f80c,
      banks: dualBank(2048 * KIB, 8 * KIB),
      programUnit: 16, // RM0455: 128-bit flash word
    },
    ram: { base: SRAM_BASE, size: 128 * KIB, userStart: 0x2000_4100 }, // DTCM
    systemMemory: { base: 0x1ff0_0000, size: 0x1_4000 },
    optionBytes: { address: OPTION_ADDRESS, size: 0x80, fields: h7OptionFields(32) },
    uniqueIdAddress: 0x08ff_f800,
    bootloaderVersions: [0x92],
    eraseCommand: 0x44,
    quirks: [OPTION_QUIRK, "Write protection is per group of 4 sectors (WRPSn1 bit n = sectors 4n to 4n+3)."],
  },
  {
    pid: 0x483,
    name: "STM32H72xxx/73xxx",
    family: "H7",
    source: "AN2606 STM32H72xxx/73xxx bootloader (PID 0x483); RM0468 §4.3 (1 x 8 x 128 KiB), §4.9; " +
      "OpenOCD stm32h7x.c; stm32flash dev_table.c",
    flash: {
      base: 0x0800_0000,
      maxSize: 1024 * KIB,
      sizeRegister: 0x1ff1_e880,
      banks: singleBank(1024 * KIB, 128 * KIB),
      programUnit: 32,
    },
    ram: { base: SRAM_BASE, size: 128 * KIB, userStart: 0x2000_4100 }, // DTCM
    systemMemory: { base: 0x1ff0_0000, size: 0x1_e800 },
    optionBytes: { address: OPTION_ADDRESS, size: 88, fields: h7OptionFields(8) },
    uniqueIdAddress: 0x1ff1_e800,
    bootloaderVersions: [0x93],
    eraseCommand: 0x44,
    quirks: [OPTION_QUIRK],
  },
];
