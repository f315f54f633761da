/**
 * STM32F7 series. Facts: AN2606 (STM32F72xxx/73xxx, F74xxx/75xxx, F76xxx/77xxx bootloader sections,
 * device-dependent bootloader parameters table), RM0431 (F72x/F73x), RM0385 (F74x/F75x), RM0410 (F76x/F77x)
 * §3.3 (sectors), §3.4 (option bytes), §45 (device electronic signature); RAM, system-memory and option-byte ranges
 * cross-checked against stm32flash `dev_table.c`, sector layouts against OpenOCD `stm32f2x.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { chipEntry, FLASH_BASE, KIB, type ProductParams, sectorBank } from "./common.ts";
import { F4_BOR_LEV_FIELD, F4_NWRP_FIELD, optionField, rdpField, stopStandbyResetFields } from "./option_fields.ts";

/**
 * F7 option bytes as the bootloader reads them at 0x1FFF0000 (32 bytes, RM0385 §3.4.1 Table 6): four 16-bit option
 * values at +0, +8, +0x10, +0x18, each with its complement in bits 31:16 of the same word (words +4, +0xC, +0x14,
 * +0x1C are reserved).
 */
export const F7_OPTION_FIELDS: OptionField[] = [
  F4_BOR_LEV_FIELD,
  optionField("WWDG_SW", 0x0, 4, 1, "1 = software window watchdog"),
  optionField("IWDG_SW", 0x0, 5, 1, "1 = software independent watchdog"),
  ...stopStandbyResetFields(0x0, 6),
  rdpField(0x0, 8),
  F4_NWRP_FIELD,
  optionField("nDBOOT", 0x8, 12, 1, "0 = dual boot enabled (F76x/F77x only)"),
  optionField("nDBANK", 0x8, 13, 1, "1 = single bank, 0 = dual bank (F76x/F77x only)"),
  optionField("IWDG_STDBY", 0x8, 14, 1, "0 = watchdog frozen in Standby mode"),
  optionField("IWDG_STOP", 0x8, 15, 1, "0 = watchdog frozen in Stop mode"),
  optionField("BOOT_ADD0", 0x10, 0, 16, "boot address with BOOT0 = 0 (bits 29:14)"),
  optionField("BOOT_ADD1", 0x18, 0, 16, "boot address with BOOT0 = 1 (bits 29:14)"),
];

const OPTION_BYTES = { address: 0x1fff_0000, size: 32, fields: F7_OPTION_FIELDS };
// AN2606 gives the F7 system memory as 0x1FF00000-0x1FF0EDBF.
const SYSTEM_MEMORY = { base: 0x1ff0_0000, size: 0xedc0 };

interface F7Params extends ProductParams {
  runs: [number, number][];
  sizeRegister: number;
  uniqueIdAddress: number;
  quirks?: string[];
}

function f7(p: F7Params): ChipInfo {
  return chipEntry({
    ...p,
    family: "F7",
    banks: [sectorBank("bank 1", FLASH_BASE, p.runs)],
    programUnit: 4, // word programming at the bootloader's assumed 2.7-3.6 V
    userStart: 0x2000_4000,
    systemMemory: SYSTEM_MEMORY,
    optionBytes: OPTION_BYTES,
    eraseCommand: 0x44,
    quirks: [
      "Sector erase of a 256 KiB sector takes up to 4 s and mass erase up to 32 s: use long erase timeouts.",
      ...(p.quirks ?? []),
    ],
  });
}

/** F7 products with a USART bootloader. */
export const F7_CHIPS: ChipInfo[] = [
  f7({
    pid: 0x452,
    name: "STM32F72xxx/73xxx",
    source: "AN2606 STM32F72xxx/73xxx bootloader (PID 0x452); RM0431 §3.3, §3.4, §45; stm32flash dev_table.c",
    flashSize: 512 * KIB,
    runs: [[16 * KIB, 4], [64 * KIB, 1], [128 * KIB, 3]],
    ramSize: 256 * KIB,
    sizeRegister: 0x1ff0_7a22,
    uniqueIdAddress: 0x1ff0_7a10,
    versions: [0x90],
  }),
  f7({
    pid: 0x449,
    name: "STM32F74xxx/75xxx",
    source: "AN2606 STM32F74xxx/75xxx bootloader (PID 0x449); RM0385 §3.3 Table 3, §3.4, §41; stm32flash dev_table.c",
    flashSize: 1024 * KIB,
    runs: [[32 * KIB, 4], [128 * KIB, 1], [256 * KIB, 3]],
    ramSize: 320 * KIB,
    sizeRegister: 0x1ff0_f442,
    uniqueIdAddress: 0x1ff0_f420,
    versions: [0x70, 0x90],
  }),
  f7({
    pid: 0x451,
    name: "STM32F76xxx/77xxx",
    source: "AN2606 STM32F76xxx/77xxx bootloader (PID 0x451); RM0410 §3.3 (single-bank mode), §3.4, §45; " +
      "stm32flash dev_table.c",
    flashSize: 2048 * KIB,
    runs: [[32 * KIB, 4], [128 * KIB, 1], [256 * KIB, 7]],
    ramSize: 512 * KIB,
    sizeRegister: 0x1ff0_f442,
    uniqueIdAddress: 0x1ff0_f420,
    versions: [0x93],
    quirks: [
      "Layout is for the default single-bank mode (nDBANK = 1); with nDBANK = 0 the flash is two 1 MiB banks of " +
      "4 x 16 KiB, 1 x 64 KiB and 7 x 128 KiB sectors.",
    ],
  }),
];
