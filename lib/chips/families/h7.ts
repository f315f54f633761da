/**
 * STM32H7 series. Facts: AN2606 (STM32H74xxx/75xxx, H7A3xx/B3xx, H72xxx/73xxx bootloader sections,
 * device-dependent bootloader parameters table), RM0433 (H742/743/753/750) §4.3 (2 banks of 8 x 128 KiB sectors,
 * 256-bit flash word), §4.9 (option bytes), §61 (device electronic signature); RM0455 (H7A3/B3, 8 KiB sectors,
 * 128-bit flash word); RM0468 (H72x/H73x). Flash sizes, bank modes, program units and flash-size register addresses
 * cross-checked against OpenOCD `stm32h7x.c`; RAM and system memory against stm32flash `dev_table.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { chipEntry, flashBanks, KIB, type ProductParams } from "./common.ts";
import { optionField, rdpField } from "./option_fields.ts";

/**
 * H7 option bytes as the bootloader exposes them: the flash option registers from FLASH_OPTSR_CUR (0x5200201C) on,
 * the same window the ROM DFU lists as "@Option Bytes /0x5200201C". Offsets: OPTSR_CUR +0, OPTSR_PRG +4, OPTCCR +8,
 * PRAR_CUR1 +0xC, PRAR_PRG1 +0x10, SCAR_CUR1 +0x14, SCAR_PRG1 +0x18, WPSN_CUR1 +0x1C, WPSN_PRG1 +0x20,
 * BOOT_CUR +0x24, BOOT_PRG +0x28 (RM0433 §4.9 register map). Fields are named on the `_PRG` copies: they read the
 * same as `_CUR` until a change is pending, and they are what a write programs.
 */
function h7OptionFields(wrpWidth: number): OptionField[] {
  return [
    optionField("BOR_LEV", 0x4, 2, 2, "brown-out level: 0 = off, 1-3 = levels 1-3"),
    optionField("IWDG1_SW", 0x4, 4, 1, "1 = software independent watchdog"),
    optionField("nRST_STOP_D1", 0x4, 6, 1, "0 = reset when D1 enters Stop mode"),
    optionField("nRST_STBY_D1", 0x4, 7, 1, "0 = reset when D1 enters Standby mode"),
    rdpField(0x4, 8),
    optionField("FZ_IWDG_STOP", 0x4, 17, 1, "0 = watchdog frozen in Stop mode"),
    optionField("FZ_IWDG_SDBY", 0x4, 18, 1, "0 = watchdog frozen in Standby mode"),
    optionField("SECURITY", 0x4, 21, 1, "1 = secure access mode enabled"),
    optionField("IO_HSLV", 0x4, 29, 1, "1 = I/O high-speed at low voltage"),
    optionField("SWAP_BANK_OPT", 0x4, 31, 1, "1 = bank 1 and bank 2 addresses swapped"),
    optionField("WRPSn1", 0x20, 0, wrpWidth, "bank 1 sector write protection (0 = protected)"),
    optionField("BOOT_ADD0", 0x28, 0, 16, "boot address with BOOT0 = 0 (bits 31:16)"),
    optionField("BOOT_ADD1", 0x28, 16, 16, "boot address with BOOT0 = 1 (bits 31:16)"),
  ];
}

const OPTION_ADDRESS = 0x5200_201c;
const OPTION_QUIRK = "Option bytes are the FLASH option registers (OPTSR_CUR at 0x5200201C): writing them makes " +
  "the bootloader start option programming and reset; bank 2 protection (WPSN_PRG2 at 0x5200213C) is not in " +
  "this window.";

interface H7Params extends ProductParams {
  sizeRegister: number;
  dualBank: boolean;
  sectorSize: number;
  programUnit: number;
  systemMemorySize: number;
  optionSize: number;
  /** Width of WRPSn1: one bit per sector or per group of sectors. */
  wrpWidth: number;
  uniqueIdAddress: number;
  quirks: string[];
}

function h7(p: H7Params): ChipInfo {
  return chipEntry({
    ...p,
    family: "H7",
    banks: flashBanks(p.flashSize, p.sectorSize, p.dualBank),
    userStart: 0x2000_4100, // DTCM
    systemMemory: { base: 0x1ff0_0000, size: p.systemMemorySize },
    optionBytes: { address: OPTION_ADDRESS, size: p.optionSize, fields: h7OptionFields(p.wrpWidth) },
    eraseCommand: 0x44,
  });
}

/** H7 products with a USART bootloader. */
export const H7_CHIPS: ChipInfo[] = [
  h7({
    pid: 0x450,
    name: "STM32H74xxx/75xxx",
    source: "AN2606 STM32H74xxx/75xxx bootloader (PID 0x450); RM0433 §4.3.2 (2 x 8 x 128 KiB), §4.9, §61; " +
      "OpenOCD stm32h7x.c; stm32flash dev_table.c",
    flashSize: 2048 * KIB,
    sizeRegister: 0x1ff1_e880,
    dualBank: true,
    sectorSize: 128 * KIB,
    programUnit: 32, // RM0433 §4.3.9: 256-bit flash word
    ramSize: 128 * KIB, // DTCM
    systemMemorySize: 0x1_e800,
    optionSize: 0x80,
    wrpWidth: 8,
    uniqueIdAddress: 0x1ff1_e800,
    versions: [0x90],
    quirks: [
      OPTION_QUIRK,
      "Sector erase of a 128 KiB sector takes up to 4 s; mass erase of both banks much longer.",
    ],
  }),
  h7({
    pid: 0x480,
    name: "STM32H7A3xx/B3xx",
    source: "AN2606 STM32H7A3xx/B3xx bootloader (PID 0x480); RM0455 §4.3 (2 x 128 x 8 KiB, 128-bit flash word), " +
      "§4.9; OpenOCD stm32h7x.c; stm32flash dev_table.c",
    flashSize: 2048 * KIB,
    sizeRegister: 0x08ff_f80c,
    dualBank: true,
    sectorSize: 8 * KIB,
    programUnit: 16, // RM0455: 128-bit flash word
    ramSize: 128 * KIB, // DTCM
    systemMemorySize: 0x1_4000,
    optionSize: 0x80,
    wrpWidth: 32,
    uniqueIdAddress: 0x08ff_f800,
    versions: [0x92],
    quirks: [OPTION_QUIRK, "Write protection is per group of 4 sectors (WRPSn1 bit n = sectors 4n to 4n+3)."],
  }),
  h7({
    pid: 0x483,
    name: "STM32H72xxx/73xxx",
    source: "AN2606 STM32H72xxx/73xxx bootloader (PID 0x483); RM0468 §4.3 (1 x 8 x 128 KiB), §4.9; " +
      "OpenOCD stm32h7x.c; stm32flash dev_table.c",
    flashSize: 1024 * KIB,
    sizeRegister: 0x1ff1_e880,
    dualBank: false,
    sectorSize: 128 * KIB,
    programUnit: 32,
    ramSize: 128 * KIB, // DTCM
    systemMemorySize: 0x1_e800,
    optionSize: 88,
    wrpWidth: 8,
    uniqueIdAddress: 0x1ff1_e800,
    versions: [0x93],
    quirks: [OPTION_QUIRK],
  }),
];
