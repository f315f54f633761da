/**
 * STM32G0 series. Facts: AN2606 (STM32G03xxx/04xxx, G05xxx/061xx, G07xxx/08xxx, G0B0/B1/C1xx bootloader sections,
 * device-dependent bootloader parameters table), RM0444 (G0x1) and RM0454 (G0x0) §3.3 (2 KiB pages, 64-bit
 * programming), §3.4 (option bytes), §40 (device electronic signature); RAM, system-memory and option-byte ranges
 * cross-checked against stm32flash `dev_table.c`, flash sizes against OpenOCD `stm32l4x.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { dualBank, KIB, singleBank, SRAM_BASE } from "./common.ts";

/**
 * G0 option bytes as the bootloader reads them at 0x1FFF7800 (128 bytes, RM0444 §3.4.1 Table 18): double-words of
 * a 32-bit value followed by its complement; FLASH_OPTR image at +0, PCROP1A start/end at +8/+0x10, WRP1A at
 * +0x18, WRP1B at +0x20. ST's OpenBootloader for the G0 serves the same 0x1FFF7800-0x1FFF787F window.
 */
export const G0_OPTION_FIELDS: OptionField[] = [
  {
    name: "RDP",
    offset: 0x0,
    shift: 0,
    width: 8,
    description: "read protection: 0xAA = level 0, 0xCC = level 2, else 1",
  },
  { name: "BORR_EN", offset: 0x0, shift: 8, width: 1, description: "1 = brown-out reset enabled" },
  { name: "BORF_LEV", offset: 0x0, shift: 9, width: 2, description: "brown-out falling threshold level 0-3" },
  { name: "BORR_LEV", offset: 0x0, shift: 11, width: 2, description: "brown-out rising threshold level 0-3" },
  { name: "nRST_STOP", offset: 0x0, shift: 13, width: 1, description: "0 = reset when entering Stop mode" },
  { name: "nRST_STDBY", offset: 0x0, shift: 14, width: 1, description: "0 = reset when entering Standby mode" },
  { name: "nRST_SHDW", offset: 0x0, shift: 15, width: 1, description: "0 = reset when entering Shutdown mode" },
  { name: "IWDG_SW", offset: 0x0, shift: 16, width: 1, description: "1 = software independent watchdog" },
  { name: "IWDG_STOP", offset: 0x0, shift: 17, width: 1, description: "0 = independent watchdog frozen in Stop mode" },
  { name: "IWDG_STDBY", offset: 0x0, shift: 18, width: 1, description: "0 = independent watchdog frozen in Standby" },
  { name: "WWDG_SW", offset: 0x0, shift: 19, width: 1, description: "1 = software window watchdog" },
  { name: "nSWAP_BANK", offset: 0x0, shift: 20, width: 1, description: "0 = banks swapped (G0B/G0C only)" },
  { name: "DUAL_BANK", offset: 0x0, shift: 21, width: 1, description: "1 = dual-bank mode (G0B/G0C only)" },
  { name: "RAM_PARITY_CHECK", offset: 0x0, shift: 22, width: 1, description: "0 = SRAM parity check enabled" },
  { name: "nBOOT_SEL", offset: 0x0, shift: 24, width: 1, description: "1 = BOOT0 pin, 0 = nBOOT0 bit selects boot" },
  { name: "nBOOT1", offset: 0x0, shift: 25, width: 1, description: "with BOOT0 = 1: 1 = boot system memory, 0 = SRAM" },
  { name: "nBOOT0", offset: 0x0, shift: 26, width: 1, description: "BOOT0 value when nBOOT_SEL = 0" },
  { name: "NRST_MODE", offset: 0x0, shift: 27, width: 2, description: "NRST pin: 1 = reset input, 2 = GPIO, 3 = both" },
  { name: "IRHEN", offset: 0x0, shift: 29, width: 1, description: "1 = internal resets drive the NRST pin low" },
  { name: "WRP1A_STRT", offset: 0x18, shift: 0, width: 7, description: "first page of write-protected area A" },
  { name: "WRP1A_END", offset: 0x18, shift: 16, width: 7, description: "last page of write-protected area A" },
  { name: "WRP1B_STRT", offset: 0x20, shift: 0, width: 7, description: "first page of write-protected area B" },
  { name: "WRP1B_END", offset: 0x20, shift: 16, width: 7, description: "last page of write-protected area B" },
];

const OPTION_BYTES = { address: 0x1fff_7800, size: 0x80, fields: G0_OPTION_FIELDS };
const FLASH_SIZE_REGISTER = 0x1fff_75e0; // RM0444 §40.1 "Flash memory size data register"
const UNIQUE_ID = 0x1fff_7590; // RM0444 §40.2 "Unique device ID register"

const EMPTY_CHECK_QUIRK =
  "Empty-flash boot: the EMPTY flag is latched at power-on, so after programming an empty chip a reset re-enters " +
  "the bootloader; use Go or power-cycle to start the new firmware.";

interface G0Params {
  pid: number;
  name: string;
  source: string;
  flashSize: number;
  dualBank?: boolean;
  ramSize: number;
  userStart: number;
  systemMemorySize: number;
  versions: number[];
}

function g0(p: G0Params): ChipInfo {
  return {
    pid: p.pid,
    name: p.name,
    family: "G0",
    source: p.source,
    flash: {
      base: 0x0800_0000,
      maxSize: p.flashSize,
      sizeRegister: FLASH_SIZE_REGISTER,
      banks: p.dualBank ? dualBank(p.flashSize, 2 * KIB) : singleBank(p.flashSize, 2 * KIB),
      programUnit: 8, // RM0444 §3.3.7: double-word programming
    },
    ram: { base: SRAM_BASE, size: p.ramSize, userStart: p.userStart },
    systemMemory: { base: 0x1fff_0000, size: p.systemMemorySize },
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: UNIQUE_ID,
    bootloaderVersions: p.versions,
    eraseCommand: 0x44,
    quirks: [EMPTY_CHECK_QUIRK],
  };
}

/** G0 products with a USART bootloader. */
export const G0_CHIPS: ChipInfo[] = [
  g0({
    pid: 0x466,
    name: "STM32G03xxx/04xxx",
    source: "AN2606 STM32G03xxx/04xxx bootloader (PID 0x466); RM0444 §3.3, §3.4; stm32flash dev_table.c",
    flashSize: 64 * KIB,
    ramSize: 8 * KIB,
    userStart: 0x2000_1000,
    systemMemorySize: 8 * KIB,
    versions: [0x52],
  }),
  g0({
    pid: 0x456,
    name: "STM32G05xxx/061xx",
    source: "AN2606 STM32G05xxx/061xx bootloader (PID 0x456); RM0444 §3.3, §3.4; stm32flash dev_table.c",
    flashSize: 64 * KIB,
    ramSize: 18 * KIB,
    userStart: 0x2000_1000,
    systemMemorySize: 8 * KIB,
    versions: [0x51],
  }),
  g0({
    pid: 0x460,
    name: "STM32G07xxx/08xxx",
    source: "AN2606 STM32G07xxx/08xxx bootloader (PID 0x460); RM0444 §3.3, §3.4; stm32flash dev_table.c",
    flashSize: 128 * KIB,
    ramSize: 36 * KIB,
    userStart: 0x2000_2700,
    systemMemorySize: 28 * KIB,
    versions: [0xb0, 0xb2],
  }),
  g0({
    pid: 0x467,
    name: "STM32G0B0/B1/C1xx",
    source: "AN2606 STM32G0B0xx/B1xx/C1xx bootloader (PID 0x467); RM0444 §3.3 (two 256 KiB banks), §3.4; " +
      "stm32flash dev_table.c",
    flashSize: 512 * KIB,
    dualBank: true,
    ramSize: 128 * KIB,
    userStart: 0x2000_4000,
    systemMemorySize: 28 * KIB,
    versions: [0x92],
  }),
];
