/**
 * The products reachable through the DfuSe bootloader that this layer knows, as chip-database entries, and how
 * to recognise them from what the bootloader shows. The DfuSe bootloader does not report the AN2606 product ID
 * (there is no Get ID command in AN3156, and DBGMCU_IDCODE is outside every readable alternate setting), so a
 * product is recognised from the memory layouts of its alternate settings, or named by the user.
 *
 * These entries complement `lib/chips/database.ts` (which the USART layer fills); a lookup there wins.
 *
 * @module
 */

import type { ChipInfo, OptionField, PartInfo } from "../../chips/types.ts";

const KIB = 1024;

/** STM32F4 user option bytes as the 16 bytes at 0x1FFFC000 hold them (RM0090 Rev 19 §3.7.1 Table 16). */
const F4_OPTION_FIELDS: OptionField[] = [
  { name: "BOR_LEV", offset: 0x0, shift: 2, width: 2, description: "brown-out reset level (11 = off)" },
  { name: "WDG_SW", offset: 0x0, shift: 5, width: 1, description: "1 = software watchdog, 0 = hardware watchdog" },
  { name: "nRST_STOP", offset: 0x0, shift: 6, width: 1, description: "0 = reset when entering Stop mode" },
  { name: "nRST_STDBY", offset: 0x0, shift: 7, width: 1, description: "0 = reset when entering Standby mode" },
  { name: "RDP", offset: 0x0, shift: 8, width: 8, description: "read protection: 0xAA level 0, 0xCC level 2, else 1" },
  { name: "nWRP", offset: 0x8, shift: 0, width: 12, description: "write protection of sectors 0-11 (0 = protected)" },
];

/** STM32L4 FLASH_OPTR as the first word at 0x1FFF7800 holds it (RM0394 Rev 4 §3.4.1, §3.7.8). */
const L4_OPTION_FIELDS: OptionField[] = [
  { name: "RDP", offset: 0x0, shift: 0, width: 8, description: "read protection: 0xAA level 0, 0xCC level 2, else 1" },
  { name: "BOR_LEV", offset: 0x0, shift: 8, width: 3, description: "brown-out reset level" },
  { name: "nRST_STOP", offset: 0x0, shift: 12, width: 1, description: "0 = reset when entering Stop mode" },
  { name: "nRST_STDBY", offset: 0x0, shift: 13, width: 1, description: "0 = reset when entering Standby mode" },
  { name: "nRST_SHDW", offset: 0x0, shift: 14, width: 1, description: "0 = reset when entering Shutdown mode" },
  { name: "IWDG_SW", offset: 0x0, shift: 16, width: 1, description: "1 = software independent watchdog" },
  { name: "nBOOT1", offset: 0x0, shift: 23, width: 1, description: "boot configuration with BOOT0" },
  { name: "SRAM2_RST", offset: 0x0, shift: 25, width: 1, description: "0 = SRAM2 erased on system reset" },
  { name: "nSWBOOT0", offset: 0x0, shift: 26, width: 1, description: "0 = BOOT0 taken from nBOOT0" },
  { name: "nBOOT0", offset: 0x0, shift: 27, width: 1, description: "BOOT0 value when nSWBOOT0 = 0" },
];

/** Products this layer knows, in `ChipInfo` form. */
export const DFU_CHIPS: readonly ChipInfo[] = [
  {
    pid: 0x413,
    name: "STM32F405xx/07xx and STM32F415xx/17xx",
    family: "F4",
    source: "AN2606 (STM32F40xxx/41xxx); RM0090 Rev 19 §3.3 Table 5, §3.7.1 Table 16, §39.1; DS8626",
    flash: {
      base: 0x0800_0000,
      maxSize: 1024 * KIB,
      sizeRegister: 0x1fff_7a22, // RM0090 §39.2 "Flash size" register
      banks: [{
        name: "bank 1",
        regions: [
          { start: 0x0800_0000, pageSize: 16 * KIB, count: 4 },
          { start: 0x0801_0000, pageSize: 64 * KIB, count: 1 },
          { start: 0x0802_0000, pageSize: 128 * KIB, count: 7 },
        ],
      }],
      programUnit: 4, // x32 parallelism at 2.7-3.6 V (RM0090 §3.6.2), the bootloader's setting
    },
    ram: { base: 0x2000_0000, size: 128 * KIB, userStart: 0x2000_3000 }, // AN2606: RAM from 0x20003000
    systemMemory: { base: 0x1fff_0000, size: 30 * KIB }, // RM0090 Table 5: 0x1FFF0000-0x1FFF77FF
    optionBytes: { address: 0x1fff_c000, size: 16, fields: F4_OPTION_FIELDS },
    uniqueIdAddress: 0x1fff_7a10, // RM0090 §39.1
    bootloaderVersions: [0x31],
    eraseCommand: 0x44,
    quirks: [
      "DfuSe reports bwPollTimeout 100 ms for a mass erase that takes up to 32 s (dfu-util dfuse.c)",
    ],
  },
  {
    pid: 0x435,
    name: "STM32L43xxx/44xxx",
    family: "L4",
    source: "AN2606 (STM32L43xxx/44xxx); RM0394 Rev 4 §3.3.1, §3.4.1, §47.1; DS11453",
    flash: {
      base: 0x0800_0000,
      maxSize: 256 * KIB,
      sizeRegister: 0x1fff_75e0, // RM0394 §47.2 "Flash size data register"
      banks: [{ name: "bank 1", regions: [{ start: 0x0800_0000, pageSize: 2 * KIB, count: 128 }] }],
      programUnit: 8, // double-word programming (RM0394 §3.3.7)
    },
    ram: { base: 0x2000_0000, size: 64 * KIB, userStart: 0x2000_3000 },
    systemMemory: { base: 0x1fff_0000, size: 28 * KIB }, // RM0394 Table 7
    optionBytes: { address: 0x1fff_7800, size: 40, fields: L4_OPTION_FIELDS },
    uniqueIdAddress: 0x1fff_7590, // RM0394 §47.1
    bootloaderVersions: [],
    eraseCommand: 0x44,
    quirks: ["some L4 bootloaders stall GETSTATUS while busy (dfu-util dfuse.c retries)"],
  },
];

/** Part numbers of the products above. */
export const DFU_PARTS: readonly PartInfo[] = [
  { part: "stm32f405rg", pid: 0x413, flashSize: 1024 * KIB },
  { part: "stm32f405vg", pid: 0x413, flashSize: 1024 * KIB },
  { part: "stm32f415rg", pid: 0x413, flashSize: 1024 * KIB },
  { part: "stm32l433rc", pid: 0x435, flashSize: 256 * KIB },
  { part: "stm32l433cc", pid: 0x435, flashSize: 256 * KIB },
];

/**
 * How a product shows itself through DfuSe: the memory names and base addresses of its option-byte and OTP
 * alternate settings, which differ between series (captures of real bootloaders: `dfu-util -l`).
 */
export interface DfuSignature {
  /** Product ID it identifies. */
  pid: number;
  /** Start address of the `Option Bytes` alternate setting. */
  optionBytes: number;
  /** Start address of the `OTP Memory` alternate setting. */
  otp: number;
  /** Sizes in bytes the `Internal Flash` alternate setting may have on this product. */
  flashSizes: number[];
}

/**
 * Signatures by product. F4: option bytes 0x1FFFC000, OTP 0x1FFF7800; L4: 0x1FFF7800 and 0x1FFF7000. Other
 * products share these (e.g. STM32F412 also has 1 MiB with the F4 addresses), so a match means "consistent with",
 * among the products listed here; naming the part removes the doubt.
 */
export const DFU_SIGNATURES: readonly DfuSignature[] = [
  { pid: 0x413, optionBytes: 0x1fff_c000, otp: 0x1fff_7800, flashSizes: [512 * KIB, 1024 * KIB] },
  { pid: 0x435, optionBytes: 0x1fff_7800, otp: 0x1fff_7000, flashSizes: [128 * KIB, 256 * KIB] },
];
