/**
 * STM32G4 series. Facts: AN2606 (STM32G431xx/441xx, G47xxx/48xxx, G491xx/4A1xx bootloader sections,
 * device-dependent bootloader parameters table), RM0440 §3.3.1 (flash organisation by category and DBANK),
 * §3.4 (option bytes), §48 (device electronic signature); RAM, system-memory and option-byte ranges cross-checked
 * against stm32flash `dev_table.c`, flash sizes and bank modes against OpenOCD `stm32l4x.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { dualBank, KIB, singleBank, SRAM_BASE } from "./common.ts";

/**
 * G4 option bytes as the bootloader reads them at 0x1FFF7800 (48 bytes, RM0440 §3.4.1 Table 11): double-words of a
 * 32-bit value followed by its complement; FLASH_OPTR image at +0, PCROP1 start/end at +8/+0x10, WRP1A at +0x18,
 * WRP1B at +0x20, SEC1 at +0x28; 48 bytes is also what ST's OpenBootloader for the G4 serves.
 */
export const G4_OPTION_FIELDS: OptionField[] = [
  {
    name: "RDP",
    offset: 0x0,
    shift: 0,
    width: 8,
    description: "read protection: 0xAA = level 0, 0xCC = level 2, else 1",
  },
  { name: "BOR_LEV", offset: 0x0, shift: 8, width: 3, description: "brown-out reset level 0-4" },
  { name: "nRST_STOP", offset: 0x0, shift: 12, width: 1, description: "0 = reset when entering Stop mode" },
  { name: "nRST_STDBY", offset: 0x0, shift: 13, width: 1, description: "0 = reset when entering Standby mode" },
  { name: "nRST_SHDW", offset: 0x0, shift: 14, width: 1, description: "0 = reset when entering Shutdown mode" },
  { name: "IWDG_SW", offset: 0x0, shift: 16, width: 1, description: "1 = software independent watchdog" },
  { name: "IWDG_STOP", offset: 0x0, shift: 17, width: 1, description: "0 = independent watchdog frozen in Stop mode" },
  { name: "IWDG_STDBY", offset: 0x0, shift: 18, width: 1, description: "0 = independent watchdog frozen in Standby" },
  { name: "WWDG_SW", offset: 0x0, shift: 19, width: 1, description: "1 = software window watchdog" },
  { name: "BFB2", offset: 0x0, shift: 20, width: 1, description: "1 = boot from bank 2 (dual-bank G47x/G48x only)" },
  { name: "DBANK", offset: 0x0, shift: 22, width: 1, description: "1 = dual bank, 2 KiB pages (G47x/G48x only)" },
  { name: "nBOOT1", offset: 0x0, shift: 23, width: 1, description: "with BOOT0 = 1: 1 = boot system memory, 0 = SRAM" },
  { name: "SRAM_PE", offset: 0x0, shift: 24, width: 1, description: "0 = SRAM parity check enabled" },
  { name: "CCMSRAM_RST", offset: 0x0, shift: 25, width: 1, description: "0 = CCM SRAM erased on system reset" },
  { name: "nSWBOOT0", offset: 0x0, shift: 26, width: 1, description: "1 = BOOT0 pin, 0 = nBOOT0 bit selects boot" },
  { name: "nBOOT0", offset: 0x0, shift: 27, width: 1, description: "BOOT0 value when nSWBOOT0 = 0" },
  { name: "NRST_MODE", offset: 0x0, shift: 28, width: 2, description: "NRST pin: 1 = reset input, 2 = GPIO, 3 = both" },
  { name: "IRHEN", offset: 0x0, shift: 30, width: 1, description: "1 = internal resets drive the NRST pin low" },
  { name: "WRP1A_STRT", offset: 0x18, shift: 0, width: 7, description: "first page of write-protected area A" },
  { name: "WRP1A_END", offset: 0x18, shift: 16, width: 7, description: "last page of write-protected area A" },
  { name: "WRP1B_STRT", offset: 0x20, shift: 0, width: 7, description: "first page of write-protected area B" },
  { name: "WRP1B_END", offset: 0x20, shift: 16, width: 7, description: "last page of write-protected area B" },
];

const OPTION_BYTES = { address: 0x1fff_7800, size: 0x30, fields: G4_OPTION_FIELDS };
const FLASH_SIZE_REGISTER = 0x1fff_75e0; // RM0440 §48.2 "Flash size data register"
const UNIQUE_ID = 0x1fff_7590; // RM0440 §48.1 "Unique device ID register"
const SYSTEM_MEMORY = { base: 0x1fff_0000, size: 28 * KIB }; // RM0440 Table 4: 0x1FFF0000-0x1FFF6FFF

interface G4Params {
  pid: number;
  name: string;
  source: string;
  flashSize: number;
  dualBank?: boolean;
  ramSize: number;
  versions: number[];
  quirks?: string[];
}

function g4(p: G4Params): ChipInfo {
  return {
    pid: p.pid,
    name: p.name,
    family: "G4",
    source: p.source,
    flash: {
      base: 0x0800_0000,
      maxSize: p.flashSize,
      sizeRegister: FLASH_SIZE_REGISTER,
      banks: p.dualBank ? dualBank(p.flashSize, 2 * KIB) : singleBank(p.flashSize, 2 * KIB),
      programUnit: 8, // RM0440 §3.3.7: double-word programming
    },
    ram: { base: SRAM_BASE, size: p.ramSize, userStart: 0x2000_4000 },
    systemMemory: SYSTEM_MEMORY,
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: UNIQUE_ID,
    bootloaderVersions: p.versions,
    eraseCommand: 0x44,
    quirks: p.quirks ?? [],
  };
}

/** G4 products with a USART bootloader. */
export const G4_CHIPS: ChipInfo[] = [
  g4({
    pid: 0x468,
    name: "STM32G431xx/441xx",
    source: "AN2606 STM32G431xx/441xx bootloader (PID 0x468); RM0440 §3.3.1 (category 2), §3.4; " +
      "stm32flash dev_table.c",
    flashSize: 128 * KIB,
    ramSize: 22 * KIB,
    versions: [0xd4],
  }),
  g4({
    pid: 0x469,
    name: "STM32G47xxx/48xxx",
    source: "AN2606 STM32G47xxx/48xxx bootloader (PID 0x469); RM0440 §3.3.1 (category 3, DBANK = 1), §3.4; " +
      "stm32flash dev_table.c; OpenOCD stm32l4x.c",
    flashSize: 512 * KIB,
    dualBank: true,
    ramSize: 96 * KIB,
    versions: [0xd4],
    quirks: [
      "Layout is for the default dual-bank mode (DBANK = 1, 2 x 128 pages of 2 KiB); with DBANK = 0 the flash is " +
      "one bank of 128 pages of 4 KiB.",
      "Bank 2 option bytes (PCROP2, WRP2A, WRP2B) are a second 48-byte area at 0x1FFFF800, outside the area " +
      "described here.",
    ],
  }),
  g4({
    pid: 0x479,
    name: "STM32G491xx/4A1xx",
    source: "AN2606 STM32G491xx/4A1xx bootloader (PID 0x479); RM0440 §3.3.1 (category 4), §3.4; " +
      "stm32flash dev_table.c",
    flashSize: 512 * KIB,
    ramSize: 112 * KIB,
    versions: [0xd4],
  }),
];
