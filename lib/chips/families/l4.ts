/**
 * STM32L4 and STM32L4+ series. Facts: AN2606 (STM32L41xxx/42xxx, L43xxx/44xxx, L45xxx/46xxx, L47xxx/48xxx,
 * L496xx/4A6xx, L4Rxx/4Sxx, L4P5xx/Q5xx bootloader sections, device-dependent bootloader parameters table),
 * RM0394 (L41-L46) / RM0351 (L47-L4A) / RM0432 (L4R-L4Q) §3.3.1 (flash organisation), §3.4 (option bytes), device
 * electronic signature chapter; RAM, system-memory and option-byte base cross-checked against stm32flash
 * `dev_table.c`, flash sizes and bank modes against OpenOCD `stm32l4x.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { dualBank, KIB, singleBank, SRAM_BASE } from "./common.ts";

/**
 * L4 option bytes as the bootloader reads them at 0x1FFF7800 (RM0394 §3.4.1 Table 12): double-words of a 32-bit
 * value followed by its complement; FLASH_OPTR image at +0 (complement at +4), PCROP1 start/end at +8/+0x10,
 * WRP1A at +0x18, WRP1B at +0x20. 40 bytes are described here so that the bank 1 WRP areas are reachable
 * (stm32flash lists only 0x1FFF7800-0x1FFF780F; see the report).
 */
export const L4_OPTION_FIELDS: OptionField[] = [
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
  { name: "BFB2", offset: 0x0, shift: 20, width: 1, description: "1 = boot from bank 2 (dual-bank parts only)" },
  { name: "DUALBANK", offset: 0x0, shift: 21, width: 1, description: "1 = dual bank on 256/512 KiB L47x/L49x parts" },
  { name: "DBANK", offset: 0x0, shift: 22, width: 1, description: "1 = dual-bank mode (L4R/L4S/L4P/L4Q only)" },
  { name: "nBOOT1", offset: 0x0, shift: 23, width: 1, description: "with BOOT0 = 1: 1 = boot system memory, 0 = SRAM" },
  { name: "SRAM2_PE", offset: 0x0, shift: 24, width: 1, description: "0 = SRAM2 parity check enabled" },
  { name: "SRAM2_RST", offset: 0x0, shift: 25, width: 1, description: "0 = SRAM2 erased on system reset" },
  { name: "nSWBOOT0", offset: 0x0, shift: 26, width: 1, description: "1 = BOOT0 pin, 0 = nBOOT0 bit (not L47x/L48x)" },
  { name: "nBOOT0", offset: 0x0, shift: 27, width: 1, description: "BOOT0 value when nSWBOOT0 = 0 (not L47x/L48x)" },
  { name: "WRP1A_STRT", offset: 0x18, shift: 0, width: 8, description: "first page of bank 1 write-protected area A" },
  { name: "WRP1A_END", offset: 0x18, shift: 16, width: 8, description: "last page of bank 1 write-protected area A" },
  { name: "WRP1B_STRT", offset: 0x20, shift: 0, width: 8, description: "first page of bank 1 write-protected area B" },
  { name: "WRP1B_END", offset: 0x20, shift: 16, width: 8, description: "last page of bank 1 write-protected area B" },
];

const OPTION_BYTES = { address: 0x1fff_7800, size: 0x28, fields: L4_OPTION_FIELDS };
const FLASH_SIZE_REGISTER = 0x1fff_75e0; // RM0394 §47.2 "Flash size data register"
const UNIQUE_ID = 0x1fff_7590; // RM0394 §47.1 "Unique device ID register"
const SYSTEM_MEMORY = { base: 0x1fff_0000, size: 28 * KIB }; // RM0394 Table 7: 0x1FFF0000-0x1FFF6FFF

const BANK2_OPTION_QUIRK = "Bank 2 option bytes (PCROP2, WRP2A, WRP2B) are a second area at 0x1FFFF800, " +
  "outside the area described here.";

interface L4Params {
  pid: number;
  name: string;
  source: string;
  flashSize: number;
  pageSize?: number;
  dualBank?: boolean;
  ramSize: number;
  userStart: number;
  versions: number[];
  quirks?: string[];
}

function l4(p: L4Params): ChipInfo {
  const pageSize = p.pageSize ?? 2 * KIB;
  return {
    pid: p.pid,
    name: p.name,
    family: "L4",
    source: p.source,
    flash: {
      base: 0x0800_0000,
      maxSize: p.flashSize,
      sizeRegister: FLASH_SIZE_REGISTER,
      banks: p.dualBank ? dualBank(p.flashSize, pageSize) : singleBank(p.flashSize, pageSize),
      programUnit: 8, // RM0394 §3.3.7: double-word programming
    },
    ram: { base: SRAM_BASE, size: p.ramSize, userStart: p.userStart },
    systemMemory: SYSTEM_MEMORY,
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: UNIQUE_ID,
    bootloaderVersions: p.versions,
    eraseCommand: 0x44,
    quirks: p.quirks ?? [],
  };
}

/** L4 and L4+ products with a USART bootloader. */
export const L4_CHIPS: ChipInfo[] = [
  l4({
    pid: 0x464,
    name: "STM32L41xxx/42xxx",
    source: "AN2606 STM32L41xxx/42xxx bootloader (PID 0x464); RM0394 §3.3.1, §3.4; stm32flash dev_table.c",
    flashSize: 128 * KIB,
    ramSize: 32 * KIB,
    userStart: 0x2000_3100,
    versions: [0xd1],
  }),
  l4({
    pid: 0x435,
    name: "STM32L43xxx/44xxx",
    source: "AN2606 STM32L43xxx/44xxx bootloader (PID 0x435); RM0394 §3.3.1 (128 pages of 2 KiB), §3.4; " +
      "stm32flash dev_table.c",
    flashSize: 256 * KIB,
    ramSize: 48 * KIB,
    userStart: 0x2000_3100,
    versions: [0xa1],
  }),
  l4({
    pid: 0x462,
    name: "STM32L45xxx/46xxx",
    source: "AN2606 STM32L45xxx/46xxx bootloader (PID 0x462); RM0394 §3.3.1, §3.4; stm32flash dev_table.c",
    flashSize: 512 * KIB,
    ramSize: 128 * KIB,
    userStart: 0x2000_3100,
    versions: [0x92],
    quirks: [
      "Empty-flash boot: the EMPTY flag is latched at power-on, so after programming an empty chip a reset " +
      "re-enters the bootloader; use Go or power-cycle (stm32flash F_PEMPTY).",
    ],
  }),
  l4({
    pid: 0x415,
    name: "STM32L47xxx/48xxx",
    source: "AN2606 STM32L47xxx/48xxx bootloader (PID 0x415); RM0351 §3.3.1 (two 512 KiB banks), §3.4; " +
      "stm32flash dev_table.c",
    flashSize: 1024 * KIB,
    dualBank: true,
    ramSize: 96 * KIB,
    userStart: 0x2000_3100,
    versions: [0xa3],
    quirks: [BANK2_OPTION_QUIRK],
  }),
  l4({
    pid: 0x461,
    name: "STM32L496xx/4A6xx",
    source: "AN2606 STM32L496xx/4A6xx bootloader (PID 0x461); RM0351 §3.3.1 (two 512 KiB banks), §3.4; " +
      "stm32flash dev_table.c",
    flashSize: 1024 * KIB,
    dualBank: true,
    ramSize: 256 * KIB,
    userStart: 0x2000_3100,
    versions: [0x93],
    quirks: [BANK2_OPTION_QUIRK],
  }),
  l4({
    pid: 0x470,
    name: "STM32L4Rxx/4Sxx",
    source: "AN2606 STM32L4Rxx/4Sxx bootloader (PID 0x470); RM0432 §3.3.1 (DBANK = 1: two 1 MiB banks of " +
      "4 KiB pages), §3.4; OpenOCD stm32l4x.c; stm32flash dev_table.c (RAM only)",
    flashSize: 2048 * KIB,
    pageSize: 4 * KIB,
    dualBank: true,
    ramSize: 640 * KIB,
    userStart: 0x2000_3200,
    versions: [0x95],
    quirks: [
      "Layout is for the default dual-bank mode (DBANK = 1, 4 KiB pages); with DBANK = 0 the flash is one bank " +
      "of 8 KiB pages.",
      BANK2_OPTION_QUIRK,
    ],
  }),
  l4({
    pid: 0x471,
    name: "STM32L4P5xx/Q5xx",
    source: "AN2606 STM32L4P5xx/Q5xx bootloader (PID 0x471); RM0432 §3.3.1 (DBANK = 1: two 512 KiB banks of " +
      "2 KiB pages), §3.4; OpenOCD stm32l4x.c",
    flashSize: 1024 * KIB,
    dualBank: true,
    ramSize: 320 * KIB,
    userStart: 0x2000_4000,
    versions: [0x90],
    quirks: [
      "Layout is for the default dual-bank mode (DBANK = 1, 2 KiB pages); with DBANK = 0 the flash is one bank " +
      "of 4 KiB pages.",
      BANK2_OPTION_QUIRK,
    ],
  }),
];
