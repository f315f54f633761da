/**
 * STM32G0 series. Facts: AN2606 (STM32G03xxx/04xxx, G05xxx/061xx, G07xxx/08xxx, G0B0/B1/C1xx bootloader sections,
 * device-dependent bootloader parameters table), RM0444 (G0x1) and RM0454 (G0x0) §3.3 (2 KiB pages, 64-bit
 * programming), §3.4 (option bytes), §40 (device electronic signature); RAM, system-memory and option-byte ranges
 * cross-checked against stm32flash `dev_table.c`, flash sizes against OpenOCD `stm32l4x.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { chipEntry, flashBanks, KIB, type ProductParams } from "./common.ts";
import {
  nBoot1Field,
  nrstPinFields,
  optionField,
  OPTR_WATCHDOG_FIELDS,
  rdpField,
  sramParityField,
  stopStandbyShutdownResetFields,
  wrp1AreaFields,
} from "./option_fields.ts";

/**
 * G0 option bytes as the bootloader reads them at 0x1FFF7800 (128 bytes, RM0444 §3.4.1 Table 18): double-words of
 * a 32-bit value followed by its complement; FLASH_OPTR image at +0, PCROP1A start/end at +8/+0x10, WRP1A at
 * +0x18, WRP1B at +0x20. ST's OpenBootloader for the G0 serves the same 0x1FFF7800-0x1FFF787F window.
 */
export const G0_OPTION_FIELDS: OptionField[] = [
  rdpField(0x0, 0),
  optionField("BORR_EN", 0x0, 8, 1, "1 = brown-out reset enabled"),
  optionField("BORF_LEV", 0x0, 9, 2, "brown-out falling threshold level 0-3"),
  optionField("BORR_LEV", 0x0, 11, 2, "brown-out rising threshold level 0-3"),
  ...stopStandbyShutdownResetFields(13),
  ...OPTR_WATCHDOG_FIELDS,
  optionField("nSWAP_BANK", 0x0, 20, 1, "0 = banks swapped (G0B/G0C only)"),
  optionField("DUAL_BANK", 0x0, 21, 1, "1 = dual-bank mode (G0B/G0C only)"),
  sramParityField("RAM_PARITY_CHECK", 22),
  optionField("nBOOT_SEL", 0x0, 24, 1, "1 = BOOT0 pin, 0 = nBOOT0 bit selects boot"),
  nBoot1Field(0x0, 25),
  optionField("nBOOT0", 0x0, 26, 1, "BOOT0 value when nBOOT_SEL = 0"),
  ...nrstPinFields(27),
  ...wrp1AreaFields(7),
];

const OPTION_BYTES = { address: 0x1fff_7800, size: 0x80, fields: G0_OPTION_FIELDS };
const FLASH_SIZE_REGISTER = 0x1fff_75e0; // RM0444 §40.1 "Flash memory size data register"
const UNIQUE_ID = 0x1fff_7590; // RM0444 §40.2 "Unique device ID register"

const EMPTY_CHECK_QUIRK =
  "Empty-flash boot: the EMPTY flag is latched at power-on, so after programming an empty chip a reset re-enters " +
  "the bootloader; use Go or power-cycle to start the new firmware.";

interface G0Params extends ProductParams {
  dualBank?: boolean;
  userStart: number;
  systemMemorySize: number;
}

function g0(p: G0Params): ChipInfo {
  return chipEntry({
    ...p,
    family: "G0",
    sizeRegister: FLASH_SIZE_REGISTER,
    banks: flashBanks(p.flashSize, 2 * KIB, p.dualBank),
    programUnit: 8, // RM0444 §3.3.7: double-word programming
    programOverData: "refused", // RM0444 FLASH_SR PROGERR: the double word was not erased
    systemMemory: { base: 0x1fff_0000, size: p.systemMemorySize },
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: UNIQUE_ID,
    eraseCommand: 0x44,
    quirks: [EMPTY_CHECK_QUIRK],
  });
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
