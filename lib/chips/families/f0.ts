/**
 * STM32F0 series. Facts: AN2606 (STM32F0 bootloader sections and the device-dependent bootloader parameters table),
 * RM0091 (F0x1/F0x2/F0x8) and RM0360 (F030/F070) §3 (flash) and §4 (option bytes); RAM, system-memory and
 * option-byte ranges cross-checked against stm32flash `dev_table.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { chipEntry, KIB, type ProductParams, singleBank } from "./common.ts";
import {
  bytePairOptionFields,
  nBoot1Field,
  optionField,
  rdpField,
  sramParityField,
  VDDA_MONITOR_FIELD,
} from "./option_fields.ts";

/**
 * F0 option bytes as the bootloader reads them at 0x1FFFF800 (16 bytes): each byte followed by its complement,
 * `RDP nRDP USER nUSER | Data0 nData0 Data1 nData1 | WRP0 nWRP0 WRP1 nWRP1 | WRP2 nWRP2 WRP3 nWRP3`
 * (RM0091 §4.1 Table "Option byte organization"). USER bits: RM0091 §4.1.
 */
export const F0_OPTION_FIELDS: OptionField[] = bytePairOptionFields(rdpField(0x0, 0), [
  optionField("nBOOT0", 0x0, 19, 1, "BOOT0 value when BOOT_SEL = 0 (F04x, F09x only)"),
  nBoot1Field(0x0, 20),
  VDDA_MONITOR_FIELD,
  sramParityField("RAM_PARITY_CHECK", 22),
  optionField("BOOT_SEL", 0x0, 23, 1, "1 = BOOT0 pin, 0 = nBOOT0 bit (F04x, F09x only)"),
]);

const OPTION_BYTES = { address: 0x1fff_f800, size: 16, fields: F0_OPTION_FIELDS };
const FLASH_SIZE_REGISTER = 0x1fff_f7cc; // RM0091 §33.1 "Memory size data register"
const UNIQUE_ID = 0x1fff_f7ac; // RM0091 §33.2 "Unique device ID register"

interface F0Params extends ProductParams {
  pageSize: number;
  userStart: number;
  systemMemory: number;
  eraseCommand: 0x43 | 0x44;
  quirks?: string[];
}

function f0(p: F0Params): ChipInfo {
  return chipEntry({
    ...p,
    family: "F0",
    sizeRegister: FLASH_SIZE_REGISTER,
    banks: singleBank(p.flashSize, p.pageSize),
    programUnit: 2, // RM0091 §3.2.2: half-word programming
    programOverData: "refused", // RM0091 §3.2.2: a location not erased is skipped with PGERR (0x0000 excepted)
    // System memory ends where the option bytes start (0x1FFFF800) on every F0.
    systemMemory: { base: p.systemMemory, size: 0x1fff_f800 - p.systemMemory },
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: UNIQUE_ID,
    quirks: p.quirks ?? [],
  });
}

/** F0 products with a USART bootloader. */
export const F0_CHIPS: ChipInfo[] = [
  f0({
    pid: 0x444,
    name: "STM32F03xx4/6",
    source: "AN2606 STM32F03xx4/6 bootloader (PID 0x444); RM0091 §3, §4; stm32flash dev_table.c",
    flashSize: 32 * KIB,
    pageSize: 1 * KIB,
    ramSize: 4 * KIB,
    userStart: 0x2000_0800,
    systemMemory: 0x1fff_ec00,
    versions: [0x10],
    eraseCommand: 0x43,
  }),
  f0({
    pid: 0x440,
    name: "STM32F030x8/F05xxx",
    source: "AN2606 STM32F05xxx and STM32F030x8 bootloader (PID 0x440); RM0091 §3, §4; RM0360; stm32flash dev_table.c",
    flashSize: 64 * KIB,
    pageSize: 1 * KIB,
    ramSize: 8 * KIB,
    userStart: 0x2000_0800,
    systemMemory: 0x1fff_ec00,
    versions: [0x21],
    eraseCommand: 0x43,
  }),
  f0({
    pid: 0x445,
    name: "STM32F04xxx/F070x6",
    source: "AN2606 STM32F04xxx and STM32F070x6 bootloader (PID 0x445); RM0091 §3, §4; RM0360; stm32flash dev_table.c",
    flashSize: 32 * KIB,
    pageSize: 1 * KIB,
    ramSize: 6 * KIB,
    userStart: 0x2000_1800,
    systemMemory: 0x1fff_c400,
    versions: [0xa0, 0xa2],
    eraseCommand: 0x44,
    quirks: [
      "The bootloader itself uses the first 6 KiB of SRAM, which is all of it: RAM is not usable for " +
      "Write Memory or Go to RAM.",
    ],
  }),
  f0({
    pid: 0x448,
    name: "STM32F070xB/F071xx/F072xx",
    source: "AN2606 STM32F07xxx and STM32F070xB bootloader (PID 0x448); RM0091 §3, §4; RM0360; stm32flash dev_table.c",
    flashSize: 128 * KIB,
    pageSize: 2 * KIB,
    ramSize: 16 * KIB,
    userStart: 0x2000_1800,
    systemMemory: 0x1fff_c800,
    versions: [0xa1, 0xa2],
    eraseCommand: 0x44,
  }),
  f0({
    pid: 0x442,
    name: "STM32F030xC/F09xxx",
    source: "AN2606 STM32F09xxx and STM32F030xC bootloader (PID 0x442); RM0091 §3, §4; RM0360; stm32flash dev_table.c",
    flashSize: 256 * KIB,
    pageSize: 2 * KIB,
    ramSize: 32 * KIB,
    userStart: 0x2000_1800,
    systemMemory: 0x1fff_d800,
    versions: [0x50],
    eraseCommand: 0x44,
    quirks: [
      "A core reset (SYSRESETREQ) does not reload the option bytes; new option bytes take effect only after " +
      "OBL_LAUNCH (FLASH_CR bit 13) or a power cycle (stm32flash F_OBLL).",
    ],
  }),
];
