/**
 * STM32F3 series. Facts: AN2606 (STM32F3 bootloader sections, device-dependent bootloader parameters table),
 * RM0316 (F303/F302/F301/F334/F358/F398) and RM0313 (F373/F378) §3 (flash, 2 KiB pages) and §4 (option bytes,
 * "Option byte organization"); RAM, system-memory and option-byte ranges cross-checked against stm32flash
 * `dev_table.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { chipEntry, KIB, type ProductParams, singleBank } from "./common.ts";
import { bytePairOptionFields, nBoot1Field, rdpField, sramParityField, VDDA_MONITOR_FIELD } from "./option_fields.ts";

/**
 * F3 option bytes as the bootloader reads them at 0x1FFFF800 (16 bytes): each byte followed by its complement,
 * `RDP nRDP USER nUSER | Data0 nData0 Data1 nData1 | WRP0 nWRP0 WRP1 nWRP1 | WRP2 nWRP2 WRP3 nWRP3`
 * (RM0316 §4.1 Table 13, RM0313 §4 Table 9). USER bits 4-6 differ slightly between F37x and the others.
 */
export const F3_OPTION_FIELDS: OptionField[] = bytePairOptionFields(rdpField(0x0, 0), [
  nBoot1Field(0x0, 20),
  VDDA_MONITOR_FIELD,
  sramParityField("SRAM_PE", 22),
]);

const OPTION_BYTES = { address: 0x1fff_f800, size: 16, fields: F3_OPTION_FIELDS };
const FLASH_SIZE_REGISTER = 0x1fff_f7cc; // RM0316 §34.2 "Memory size data register"
const UNIQUE_ID = 0x1fff_f7ac; // RM0316 §34.1 "Unique device ID register"
const SYSTEM_MEMORY = { base: 0x1fff_d800, size: 8 * KIB }; // RM0316 Table 4: 0x1FFFD800-0x1FFFF7FF

interface F3Params extends ProductParams {
  userStart: number;
}

function f3(p: F3Params): ChipInfo {
  return chipEntry({
    ...p,
    family: "F3",
    sizeRegister: FLASH_SIZE_REGISTER,
    banks: singleBank(p.flashSize, 2 * KIB),
    programUnit: 2, // RM0316 §3.3.4: half-word programming
    programOverData: "refused", // RM0316 §3.3.4: a location not erased is skipped with PGERR (0x0000 excepted)
    systemMemory: SYSTEM_MEMORY,
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: UNIQUE_ID,
    eraseCommand: 0x44, // bootloader V4.x/V5.x >= V3.0 (AN3155 §3.8)
    quirks: [],
  });
}

/** F3 products with a USART bootloader. */
export const F3_CHIPS: ChipInfo[] = [
  f3({
    pid: 0x432,
    name: "STM32F373xx/F378xx",
    source: "AN2606 STM32F373xx/378xx bootloader (PID 0x432); RM0313 §3, §4; stm32flash dev_table.c",
    flashSize: 256 * KIB,
    ramSize: 32 * KIB,
    userStart: 0x2000_1400,
    versions: [0x41],
  }),
  f3({
    pid: 0x422,
    name: "STM32F302xB(C)/F303xB(C)/F358xx",
    source: "AN2606 STM32F302xB(C)/303xB(C) and STM32F358xx bootloader (PID 0x422); RM0316 §3, §4; " +
      "stm32flash dev_table.c",
    flashSize: 256 * KIB,
    ramSize: 40 * KIB,
    userStart: 0x2000_1400,
    versions: [0x41],
  }),
  f3({
    pid: 0x439,
    name: "STM32F301xx/F302x4(6/8)/F318xx",
    source: "AN2606 STM32F301xx/302x4(6/8) and STM32F318xx bootloader (PID 0x439); RM0366 §3, §4; " +
      "stm32flash dev_table.c",
    flashSize: 64 * KIB,
    ramSize: 16 * KIB,
    userStart: 0x2000_1800,
    versions: [0x40],
  }),
  f3({
    pid: 0x438,
    name: "STM32F303x4(6/8)/F334xx/F328xx",
    source: "AN2606 STM32F303x4(6/8)/334xx and STM32F328xx bootloader (PID 0x438); RM0364 §3, §4; " +
      "stm32flash dev_table.c",
    flashSize: 64 * KIB,
    ramSize: 12 * KIB,
    userStart: 0x2000_1800,
    versions: [0x50],
  }),
  f3({
    pid: 0x446,
    name: "STM32F302xD(E)/F303xD(E)/F398xx",
    source: "AN2606 STM32F302xD(E)/303xD(E) and STM32F398xx bootloader (PID 0x446); RM0316 §3, §4; " +
      "stm32flash dev_table.c",
    flashSize: 512 * KIB,
    ramSize: 64 * KIB,
    userStart: 0x2000_1800,
    versions: [0x40],
  }),
];
