/**
 * STM32WL series. Facts: AN2606 (STM32WLE5xx/WL55xx bootloader section, device-dependent bootloader parameters
 * table), RM0461 (WLEx) / RM0453 (WL5x) §3.3.1 (128 pages of 2 KiB), §3.4 (option bytes at 0x1FFF7800), device
 * electronic signature chapter. Flash size and flash-size/UID addresses cross-checked against OpenOCD
 * `stm32l4x.c`, option-byte size against ST's OpenBootloader configuration for 0x497, RAM and system memory against the (commented-out) stm32flash `dev_table.c` entry.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { chipEntry, KIB, singleBank } from "./common.ts";
import {
  nBoot1Field,
  optionField,
  OPTR_RESET_WATCHDOG_FIELDS,
  OPTR_SOFTWARE_BOOT0_FIELDS,
  OPTR_SRAM2_PE_FIELD,
  optrBorLevelField,
  rdpField,
  wrp1AreaFields,
} from "./option_fields.ts";

/**
 * WL option bytes as the bootloader reads them at 0x1FFF7800 (112 bytes, RM0453 §4.4.1; the size ST's
 * OpenBootloader for PID 0x497 serves): double-words of a 32-bit
 * value followed by its complement; FLASH_OPTR image at +0, PCROP1A start/end at +8/+0x10, WRP1A at +0x18,
 * WRP1B at +0x20.
 */
export const WL_OPTION_FIELDS: OptionField[] = [
  rdpField(0x0, 0),
  optionField("ESE", 0x0, 8, 1, "1 = system security enabled"),
  optrBorLevelField(9),
  ...OPTR_RESET_WATCHDOG_FIELDS,
  nBoot1Field(0x0, 23),
  OPTR_SRAM2_PE_FIELD,
  optionField("SRAM_RST", 0x0, 25, 1, "0 = SRAM1/SRAM2 erased on system reset"),
  ...OPTR_SOFTWARE_BOOT0_FIELDS,
  optionField("BOOT_LOCK", 0x0, 30, 1, "1 = CPU1 always boots from main flash"),
  optionField("C2BOOT_LOCK", 0x0, 31, 1, "1 = CPU2 always boots from main flash"),
  ...wrp1AreaFields(7),
];

/** WL products with a USART bootloader. */
export const WL_CHIPS: ChipInfo[] = [
  chipEntry({
    pid: 0x497,
    name: "STM32WLE5xx/WL55xx",
    family: "WL",
    source: "AN2606 STM32WLE5xx/WL55xx bootloader (PID 0x497); RM0453 §4.3.1, §4.4; OpenOCD stm32l4x.c",
    flashSize: 256 * KIB,
    sizeRegister: 0x1fff_75e0,
    banks: singleBank(256 * KIB, 2 * KIB),
    programUnit: 8,
    ramSize: 64 * KIB,
    userStart: 0x2000_2000,
    systemMemory: { base: 0x1fff_0000, size: 16 * KIB },
    optionBytes: { address: 0x1fff_7800, size: 0x70, fields: WL_OPTION_FIELDS },
    uniqueIdAddress: 0x1fff_7590,
    versions: [0xc4],
    eraseCommand: 0x44,
    quirks: [],
  }),
];
