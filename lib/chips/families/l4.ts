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
import { chipEntry, flashBanks, KIB, type ProductParams } from "./common.ts";
import {
  nBoot1Field,
  optionField,
  OPTR_RESET_WATCHDOG_FIELDS,
  OPTR_SRAM2_PE_FIELD,
  OPTR_SRAM2_RST_FIELD,
  optrBorLevelField,
  rdpField,
  wrp1AreaFields,
} from "./option_fields.ts";

/**
 * L4 option bytes as the bootloader reads them at 0x1FFF7800 (RM0394 §3.4.1 Table 12): double-words of a 32-bit
 * value followed by its complement; FLASH_OPTR image at +0 (complement at +4), PCROP1 start/end at +8/+0x10,
 * WRP1A at +0x18, WRP1B at +0x20. 40 bytes are described here so that the bank 1 WRP areas are reachable
 * (stm32flash lists only 0x1FFF7800-0x1FFF780F; see the report).
 */
export const L4_OPTION_FIELDS: OptionField[] = [
  rdpField(0x0, 0),
  optrBorLevelField(8),
  ...OPTR_RESET_WATCHDOG_FIELDS,
  optionField("BFB2", 0x0, 20, 1, "1 = boot from bank 2 (dual-bank parts only)"),
  optionField("DUALBANK", 0x0, 21, 1, "1 = dual bank on 256/512 KiB L47x/L49x parts"),
  optionField("DBANK", 0x0, 22, 1, "1 = dual-bank mode (L4R/L4S/L4P/L4Q only)"),
  nBoot1Field(0x0, 23),
  OPTR_SRAM2_PE_FIELD,
  OPTR_SRAM2_RST_FIELD,
  // L47x/L48x have no software BOOT0, hence their own wording of the G4/WB fields.
  optionField("nSWBOOT0", 0x0, 26, 1, "1 = BOOT0 pin, 0 = nBOOT0 bit (not L47x/L48x)"),
  optionField("nBOOT0", 0x0, 27, 1, "BOOT0 value when nSWBOOT0 = 0 (not L47x/L48x)"),
  ...wrp1AreaFields(8, "bank 1 "),
];

const OPTION_BYTES = { address: 0x1fff_7800, size: 0x28, fields: L4_OPTION_FIELDS };
const FLASH_SIZE_REGISTER = 0x1fff_75e0; // RM0394 §47.2 "Flash size data register"
const UNIQUE_ID = 0x1fff_7590; // RM0394 §47.1 "Unique device ID register"
const SYSTEM_MEMORY = { base: 0x1fff_0000, size: 28 * KIB }; // RM0394 Table 7: 0x1FFF0000-0x1FFF6FFF

const BANK2_OPTION_QUIRK = "Bank 2 option bytes (PCROP2, WRP2A, WRP2B) are a second area at 0x1FFFF800, " +
  "outside the area described here.";

interface L4Params extends ProductParams {
  pageSize?: number;
  dualBank?: boolean;
  userStart: number;
  quirks?: string[];
}

function l4(p: L4Params): ChipInfo {
  return chipEntry({
    ...p,
    family: "L4",
    sizeRegister: FLASH_SIZE_REGISTER,
    banks: flashBanks(p.flashSize, p.pageSize ?? 2 * KIB, p.dualBank),
    programUnit: 8, // RM0394 §3.3.7: double-word programming
    programOverData: "refused", // RM0394 FLASH_SR PROGERR: the double word was not erased
    systemMemory: SYSTEM_MEMORY,
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: UNIQUE_ID,
    eraseCommand: 0x44,
    quirks: p.quirks ?? [],
  });
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
