/**
 * Option-byte fields that several series share, written once and placed by the family files. Each builder fixes
 * the field's name, width and meaning; the family file gives the word offset and bit where its reference manual
 * puts it. Field order inside a family's list is the family file's business (it is what `chip info` prints).
 *
 * @module
 */

import type { OptionField } from "../types.ts";

/** One field, with its keys in the order every database entry uses. */
export function optionField(
  name: string,
  offset: number,
  shift: number,
  width: number,
  description: string,
): OptionField {
  return { name, offset, shift, width, description };
}

/** RDP levels on every series without level 0.5 (RM0091 §4.1, RM0090 §3.6.1, RM0440 §3.4.1 ...). */
const RDP_LEVELS = "read protection: 0xAA = level 0, 0xCC = level 2, else 1";

/** The 8-bit RDP byte at bit `shift` of the word at `offset`; `description` for series with other levels. */
export function rdpField(offset: number, shift: number, description: string = RDP_LEVELS): OptionField {
  return optionField("RDP", offset, shift, 8, description);
}

/** `nRST_STOP`: reset on entering Stop mode (every series' USER / FLASH_OPTR). */
export function stopResetField(offset: number, shift: number): OptionField {
  return optionField("nRST_STOP", offset, shift, 1, "0 = reset when entering Stop mode");
}

/** `nRST_STDBY`: reset on entering Standby mode (every series' USER / FLASH_OPTR). */
export function standbyResetField(offset: number, shift: number): OptionField {
  return optionField("nRST_STDBY", offset, shift, 1, "0 = reset when entering Standby mode");
}

/** `nRST_STOP` then `nRST_STDBY` on consecutive bits from `shift` (F0/F1/F3, F2/F4/F7, L0/L1). */
export function stopStandbyResetFields(offset: number, shift: number): OptionField[] {
  return [stopResetField(offset, shift), standbyResetField(offset, shift + 1)];
}

/** `nRST_STOP`, `nRST_STDBY`, `nRST_SHDW` on consecutive bits of FLASH_OPTR from `shift` (G0, G4, L4, L5, U5, WB, WL). */
export function stopStandbyShutdownResetFields(shift: number): OptionField[] {
  return [
    ...stopStandbyResetFields(0x0, shift),
    optionField("nRST_SHDW", 0x0, shift + 2, 1, "0 = reset when entering Shutdown mode"),
  ];
}

/** A watchdog-select bit that means hardware vs software watchdog (F0/F1/F3 `WDG_SW`, F4, L0, L1 `IWDG_SW`). */
export function watchdogSelectField(name: string, offset: number, shift: number): OptionField {
  return optionField(name, offset, shift, 1, "1 = software watchdog, 0 = hardware watchdog");
}

/** `nBOOT1`: with BOOT0 = 1, system memory or SRAM (F0, F3, G0, G4, L0, L4, WB, WL). */
export function nBoot1Field(offset: number, shift: number): OptionField {
  return optionField("nBOOT1", offset, shift, 1, "with BOOT0 = 1: 1 = boot system memory, 0 = SRAM");
}

/** A parity-check enable bit for SRAM (F0 `RAM_PARITY_CHECK`, F3 `SRAM_PE`, G0, G4), bit 22 or 24. */
export function sramParityField(name: string, shift: number): OptionField {
  return optionField(name, 0x0, shift, 1, "0 = SRAM parity check enabled");
}

/**
 * USER bits 16-18 of the F0/F1/F3 option bytes, i.e. bits 0-2 of the USER byte (RM0091 §4.1, RM0008 §2.5,
 * RM0316 §4.1): watchdog select and the Stop / Standby resets.
 */
const BYTE_PAIR_USER_FIELDS: readonly OptionField[] = [
  watchdogSelectField("WDG_SW", 0x0, 16),
  ...stopStandbyResetFields(0x0, 17),
];

/** F0/F3 USER bit 5 (RM0091 §4.1, RM0316 §4.1). */
export const VDDA_MONITOR_FIELD: OptionField = optionField(
  "VDDA_MONITOR",
  0x0,
  21,
  1,
  "1 = VDDA power-supply supervisor on",
);

/**
 * The second to fourth words of the F0/F1/F3 option bytes, each byte followed by its complement:
 * `Data0 nData0 Data1 nData1 | WRP0 nWRP0 WRP1 nWRP1 | WRP2 nWRP2 WRP3 nWRP3` (RM0091 §4.1, RM0008 §2.5,
 * RM0316 §4.1).
 */
const BYTE_PAIR_DATA_WRP_FIELDS: readonly OptionField[] = [
  optionField("Data0", 0x4, 0, 8, "user data byte 0"),
  optionField("Data1", 0x4, 16, 8, "user data byte 1"),
  optionField("WRP0", 0x8, 0, 8, "write protection bits 0-7 (0 = protected)"),
  optionField("WRP1", 0x8, 16, 8, "write protection bits 8-15 (0 = protected)"),
  optionField("WRP2", 0xc, 0, 8, "write protection bits 16-23 (0 = protected)"),
  optionField("WRP3", 0xc, 16, 8, "write protection bits 24-31 (0 = protected)"),
];

/**
 * The option fields of a series that stores each option byte followed by its complement (F0, F1, F3):
 * `RDP nRDP USER nUSER | Data0 nData0 Data1 nData1 | WRP0 nWRP0 WRP1 nWRP1 | WRP2 nWRP2 WRP3 nWRP3`. `rdp` is the
 * series' RDP field; `userBits` are its own USER bits from bit 3 of the USER byte (bit 19 of the first word) up.
 */
export function bytePairOptionFields(rdp: OptionField, userBits: readonly OptionField[]): OptionField[] {
  return [rdp, ...BYTE_PAIR_USER_FIELDS, ...userBits, ...BYTE_PAIR_DATA_WRP_FIELDS];
}

/** F2/F4/F7 BOR_LEV, USER bits 3:2 of the first option word (RM0090 §3.6.1, RM0385 §3.4.1). */
export const F4_BOR_LEV_FIELD: OptionField = optionField(
  "BOR_LEV",
  0x0,
  2,
  2,
  "brown-out level: 3 = off, 2 = 1, 1 = 2, 0 = 3",
);

/** F2/F4/F7 nWRP, bits 11:0 of the word at +8 (RM0090 §3.6.1, RM0385 §3.4.1). */
export const F4_NWRP_FIELD: OptionField = optionField(
  "nWRP",
  0x8,
  0,
  12,
  "write protection of sectors 0-11 (0 = protected)",
);

/** L0/L1 BOR_LEV, bits 3:0 of the USER half-word at +4 (RM0377 §3.4.1, RM0038 §3.9.2). */
export const L0_BOR_LEV_FIELD: OptionField = optionField(
  "BOR_LEV",
  0x4,
  0,
  4,
  "brown-out level: 0x0 = off, 0x8-0xC = levels 1-5",
);

/**
 * L0/L1 write-protection words `WRP1`..`WRP<count>` from +8, 16 sectors each, one bit a sector (RM0377 §3.4.1,
 * RM0038 §3.9.2).
 */
export function sectorWrpWordFields(count: number): OptionField[] {
  return Array.from({ length: count }, (_, i) =>
    optionField(
      `WRP${i + 1}`,
      0x8 + 4 * i,
      0,
      16,
      `write protection of sectors ${16 * i}-${16 * i + 15} (1 = protected)`,
    ));
}

/** FLASH_OPTR BOR_LEV, 3 bits from `shift` (8 on G4, L4, L5, U5; 9 on WB, WL after ESE). */
export function optrBorLevelField(shift: number): OptionField {
  return optionField("BOR_LEV", 0x0, shift, 3, "brown-out reset level 0-4");
}

/** FLASH_OPTR bits 16-19: the independent and window watchdog options (G0, G4, L4, L5, U5, WB, WL). */
export const OPTR_WATCHDOG_FIELDS: readonly OptionField[] = [
  optionField("IWDG_SW", 0x0, 16, 1, "1 = software independent watchdog"),
  optionField("IWDG_STOP", 0x0, 17, 1, "0 = independent watchdog frozen in Stop mode"),
  optionField("IWDG_STDBY", 0x0, 18, 1, "0 = independent watchdog frozen in Standby"),
  optionField("WWDG_SW", 0x0, 19, 1, "1 = software window watchdog"),
];

/**
 * FLASH_OPTR bits 12-19 of the parts whose option bytes follow the L4 layout (G4, L4, L5, U5, WB, WL): the Stop /
 * Standby / Shutdown resets from bit 12, then the watchdog options (RM0440 §3.4.1, RM0394 §3.4.1, RM0434 §3.4.1).
 */
export const OPTR_RESET_WATCHDOG_FIELDS: readonly OptionField[] = [
  ...stopStandbyShutdownResetFields(12),
  ...OPTR_WATCHDOG_FIELDS,
];

/** FLASH_OPTR bit 24 SRAM2_PE (L4, L5, WB, WL). */
export const OPTR_SRAM2_PE_FIELD: OptionField = optionField("SRAM2_PE", 0x0, 24, 1, "0 = SRAM2 parity check enabled");

/** FLASH_OPTR bit 25 SRAM2_RST (L4, L5, U5, WB). */
export const OPTR_SRAM2_RST_FIELD: OptionField = optionField(
  "SRAM2_RST",
  0x0,
  25,
  1,
  "0 = SRAM2 erased on system reset",
);

/** FLASH_OPTR bits 26-27: software BOOT0 select and value (G4, L5, U5, WB, WL). */
export const OPTR_SOFTWARE_BOOT0_FIELDS: readonly OptionField[] = [
  optionField("nSWBOOT0", 0x0, 26, 1, "1 = BOOT0 pin, 0 = nBOOT0 bit selects boot"),
  optionField("nBOOT0", 0x0, 27, 1, "BOOT0 value when nSWBOOT0 = 0"),
];

/** FLASH_OPTR NRST_MODE (2 bits from `shift`) and IRHEN (at `shift + 2`): G0 from bit 27, G4 from bit 28. */
export function nrstPinFields(shift: number): OptionField[] {
  return [
    optionField("NRST_MODE", 0x0, shift, 2, "NRST pin: 1 = reset input, 2 = GPIO, 3 = both"),
    optionField("IRHEN", 0x0, shift + 2, 1, "1 = internal resets drive the NRST pin low"),
  ];
}

/**
 * One write-protected area's first and last page, `<area>_<startSuffix>` at bit 0 and `<area>_<endSuffix>` at bit 16
 * of the word at `offset`; `label` names the area in the descriptions ("write-protected area A").
 */
export function wrpAreaFields(
  area: string,
  offset: number,
  width: number,
  label: string,
  suffixes: readonly [string, string] = ["STRT", "END"],
): OptionField[] {
  return [
    optionField(`${area}_${suffixes[0]}`, offset, 0, width, `first page of ${label}`),
    optionField(`${area}_${suffixes[1]}`, offset, 16, width, `last page of ${label}`),
  ];
}

/**
 * Bank 1 write-protected areas A (WRP1AR image at +0x18) and B (WRP1BR image at +0x20) of the double-word option
 * layout at 0x1FFF7800 (RM0444, RM0440, RM0394, RM0434, RM0453 option-byte organisation tables). `width` is the
 * page-number width; `bank` is put before "write-protected" in the descriptions (`"bank 1 "` on L4).
 */
export function wrp1AreaFields(width: number, bank = ""): OptionField[] {
  return [
    ...wrpAreaFields("WRP1A", 0x18, width, `${bank}write-protected area A`),
    ...wrpAreaFields("WRP1B", 0x20, width, `${bank}write-protected area B`),
  ];
}
