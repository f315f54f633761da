/**
 * STM32G4 series. Facts: AN2606 (STM32G431xx/441xx, G47xxx/48xxx, G491xx/4A1xx bootloader sections,
 * device-dependent bootloader parameters table), RM0440 §3.3.1 (flash organisation by category and DBANK),
 * §3.4 (option bytes), §48 (device electronic signature); RAM, system-memory and option-byte ranges cross-checked
 * against stm32flash `dev_table.c`, flash sizes and bank modes against OpenOCD `stm32l4x.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { chipEntry, flashBanks, KIB, type ProductParams } from "./common.ts";
import {
  nBoot1Field,
  nrstPinFields,
  optionField,
  OPTR_RESET_WATCHDOG_FIELDS,
  OPTR_SOFTWARE_BOOT0_FIELDS,
  optrBorLevelField,
  rdpField,
  sramParityField,
  wrp1AreaFields,
} from "./option_fields.ts";

/**
 * G4 option bytes as the bootloader reads them at 0x1FFF7800 (48 bytes, RM0440 §3.4.1 Table 11): double-words of a
 * 32-bit value followed by its complement; FLASH_OPTR image at +0, PCROP1 start/end at +8/+0x10, WRP1A at +0x18,
 * WRP1B at +0x20, SEC1 at +0x28; 48 bytes is also what ST's OpenBootloader for the G4 serves.
 */
export const G4_OPTION_FIELDS: OptionField[] = [
  rdpField(0x0, 0),
  optrBorLevelField(8),
  ...OPTR_RESET_WATCHDOG_FIELDS,
  optionField("BFB2", 0x0, 20, 1, "1 = boot from bank 2 (dual-bank G47x/G48x only)"),
  optionField("DBANK", 0x0, 22, 1, "1 = dual bank, 2 KiB pages (G47x/G48x only)"),
  nBoot1Field(0x0, 23),
  sramParityField("SRAM_PE", 24),
  optionField("CCMSRAM_RST", 0x0, 25, 1, "0 = CCM SRAM erased on system reset"),
  ...OPTR_SOFTWARE_BOOT0_FIELDS,
  ...nrstPinFields(28),
  ...wrp1AreaFields(7),
];

const OPTION_BYTES = { address: 0x1fff_7800, size: 0x30, fields: G4_OPTION_FIELDS };
const FLASH_SIZE_REGISTER = 0x1fff_75e0; // RM0440 §48.2 "Flash size data register"
const UNIQUE_ID = 0x1fff_7590; // RM0440 §48.1 "Unique device ID register"
const SYSTEM_MEMORY = { base: 0x1fff_0000, size: 28 * KIB }; // RM0440 Table 4: 0x1FFF0000-0x1FFF6FFF

interface G4Params extends ProductParams {
  dualBank?: boolean;
  quirks?: string[];
}

function g4(p: G4Params): ChipInfo {
  return chipEntry({
    ...p,
    family: "G4",
    sizeRegister: FLASH_SIZE_REGISTER,
    banks: flashBanks(p.flashSize, 2 * KIB, p.dualBank),
    programUnit: 8, // RM0440 §3.3.7: double-word programming
    programOverData: "refused", // RM0440 FLASH_SR PROGERR: the double word was not erased
    userStart: 0x2000_4000,
    systemMemory: SYSTEM_MEMORY,
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: UNIQUE_ID,
    eraseCommand: 0x44,
    quirks: p.quirks ?? [],
  });
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
