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
import { chipEntry, KIB, type ProductParams, singleBank } from "./common.ts";
import {
  nBoot1Field,
  optionField,
  OPTR_RESET_WATCHDOG_FIELDS,
  OPTR_SOFTWARE_BOOT0_FIELDS,
  OPTR_SRAM2_PE_FIELD,
  OPTR_SRAM2_RST_FIELD,
  optrBorLevelField,
  rdpField,
  wrp1AreaFields,
} from "./option_fields.ts";

/**
 * WB option bytes as the bootloader reads them at 0x1FFF7800 (128 bytes, RM0434 §3.4.1): double-words of a 32-bit
 * value followed by its complement; FLASH_OPTR image at +0, PCROP1A start/end at +8/+0x10, WRP1A at +0x18,
 * WRP1B at +0x20, CPU2 security options further up.
 */
export const WB_OPTION_FIELDS: OptionField[] = [
  rdpField(0x0, 0),
  optionField("ESE", 0x0, 8, 1, "1 = CPU2 security enabled (read-only for the user)"),
  optrBorLevelField(9),
  ...OPTR_RESET_WATCHDOG_FIELDS,
  nBoot1Field(0x0, 23),
  OPTR_SRAM2_PE_FIELD,
  OPTR_SRAM2_RST_FIELD,
  ...OPTR_SOFTWARE_BOOT0_FIELDS,
  optionField("AGC_TRIM", 0x0, 29, 3, "radio automatic gain control trimming"),
  ...wrp1AreaFields(8),
];

const OPTION_BYTES = { address: 0x1fff_7800, size: 0x80, fields: WB_OPTION_FIELDS };
const CPU2_QUIRK = "The CPU2 wireless stack and FUS own the top of flash from SFSA (FLASH_SFR) up: the " +
  "bootloader refuses to erase or write those secure pages, so a mass erase leaves them intact.";

interface WbParams extends ProductParams {
  pageSize: number;
  userStart: number;
}

function wb(p: WbParams): ChipInfo {
  return chipEntry({
    ...p,
    family: "WB",
    sizeRegister: 0x1fff_75e0,
    banks: singleBank(p.flashSize, p.pageSize),
    programUnit: 8, // RM0434 §3.3.7: double-word programming
    programOverData: "refused", // RM0434 FLASH_SR PROGERR: the double word was not erased
    systemMemory: { base: 0x1fff_0000, size: 28 * KIB },
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: 0x1fff_7590,
    eraseCommand: 0x44,
    quirks: [CPU2_QUIRK],
  });
}

/** WB products with a USART bootloader. */
export const WB_CHIPS: ChipInfo[] = [
  wb({
    pid: 0x494,
    name: "STM32WB10xx/15xx",
    source: "AN2606 STM32WB10xx/15xx bootloader (PID 0x494); RM0473 §3.3.1 (160 pages of 2 KiB), §3.4; " +
      "OpenOCD stm32l4x.c",
    flashSize: 320 * KIB,
    pageSize: 2 * KIB,
    ramSize: 48 * KIB,
    userStart: 0x2000_4000,
    versions: [0xd5],
  }),
  wb({
    pid: 0x495,
    name: "STM32WB30xx/35xx/50xx/55xx",
    source: "AN2606 STM32WB30xx/35xx/50xx/55xx bootloader (PID 0x495); RM0434 §3.3.1 (256 pages of 4 KiB), §3.4; " +
      "OpenOCD stm32l4x.c",
    flashSize: 1024 * KIB,
    pageSize: 4 * KIB,
    ramSize: 256 * KIB,
    userStart: 0x2000_5000,
    versions: [0xd5],
  }),
];
