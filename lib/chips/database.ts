/**
 * The chip database: every product the tool knows, as data, and lookups by product ID and part name.
 * Facts are from ST AN2606 (system memory boot mode) and the reference manual each entry names.
 *
 * @module
 */

import type { ChipInfo, PartInfo } from "./types.ts";

const KIB = 1024;

/** Option-byte fields of the F1 series (RM0008 §2.5 "Option byte description"). */
const F1_OPTION_FIELDS = [
  { name: "RDP", offset: 0x0, shift: 0, width: 8, description: "read protection: 0xA5 = off, anything else = on" },
  { name: "WDG_SW", offset: 0x0, shift: 16, width: 1, description: "1 = software watchdog, 0 = hardware watchdog" },
  { name: "nRST_STOP", offset: 0x0, shift: 17, width: 1, description: "0 = reset when entering Stop mode" },
  { name: "nRST_STDBY", offset: 0x0, shift: 18, width: 1, description: "0 = reset when entering Standby mode" },
  { name: "Data0", offset: 0x4, shift: 0, width: 8, description: "user data byte 0" },
  { name: "Data1", offset: 0x4, shift: 16, width: 8, description: "user data byte 1" },
  { name: "WRP0", offset: 0x8, shift: 0, width: 8, description: "write protection, pages 0-15 (0 = protected)" },
  { name: "WRP1", offset: 0x8, shift: 16, width: 8, description: "write protection, pages 16-31" },
  { name: "WRP2", offset: 0xc, shift: 0, width: 8, description: "write protection, pages 32-47" },
  { name: "WRP3", offset: 0xc, shift: 16, width: 8, description: "write protection, pages 48-127" },
];

/** Every product in the database. */
export const CHIPS: readonly ChipInfo[] = [
  {
    pid: 0x410,
    name: "STM32F10xxx medium-density",
    family: "F1",
    source: "AN2606 Rev 64 Table 3 (STM32F10xxx); RM0008 Rev 21 §3.3.3, §2.5",
    flash: {
      base: 0x0800_0000,
      maxSize: 128 * KIB,
      sizeRegister: 0x1fff_f7e0,
      banks: [{ name: "bank 1", regions: [{ start: 0x0800_0000, pageSize: 1 * KIB, count: 128 }] }],
      programUnit: 2,
    },
    ram: { base: 0x2000_0000, size: 20 * KIB, userStart: 0x2000_0200 },
    systemMemory: { base: 0x1fff_f000, size: 2 * KIB },
    optionBytes: { address: 0x1fff_f800, size: 16, fields: F1_OPTION_FIELDS },
    uniqueIdAddress: 0x1fff_f7e8,
    bootloaderVersions: [0x22],
    eraseCommand: 0x43,
    quirks: [],
  },
];

/** Part numbers with their flash sizes, for `--simulate` and expected-chip checks. */
export const PARTS: readonly PartInfo[] = [
  { part: "stm32f103c8", pid: 0x410, flashSize: 64 * KIB },
  { part: "stm32f103cb", pid: 0x410, flashSize: 128 * KIB },
];

/** Returns the product with this bootloader product ID, or `undefined`. */
export function chipByPid(pid: number): ChipInfo | undefined {
  return CHIPS.find((chip) => chip.pid === pid);
}

/** Returns the part with this name (case-insensitive, e.g. `STM32F103C8`), or `undefined`. */
export function partByName(name: string): PartInfo | undefined {
  const wanted = name.toLowerCase();
  return PARTS.find((part) => part.part === wanted);
}

/** Formats a product ID as AN2606 does, e.g. `0x410`. */
export function formatPid(pid: number): string {
  return `0x${pid.toString(16).padStart(3, "0")}`;
}
