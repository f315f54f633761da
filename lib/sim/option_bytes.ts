/**
 * The option-byte model of a simulated chip: where a family keeps read protection (RDP) and write protection
 * (WRP bits or WRP areas) in the bytes the bootloader reads, how the hardware completes them when they are
 * programmed (complements per `lib/chips/option_layout.ts`, `_CUR` copies of `_PRG` registers on H7), and the
 * factory contents. Field positions come from the chip database (`ChipInfo.optionBytes.fields`); this module only
 * adds the per-family facts the database has no field for.
 *
 * @module
 */

import { decodeOptionBytes, encodeOptionField } from "../chips/format.ts";
import { complementScheme } from "../chips/option_layout.ts";
import type { ChipInfo, OptionField } from "../chips/types.ts";

/** Write protection kept as one bit per page group; a cleared bit protects its group (F1, F4, H7). */
export interface WrpBits {
  /** Discriminant. */
  kind: "bits";
  /** Option fields holding the bits, lowest groups first (e.g. `WRP0`..`WRP3` on F1, `nWRP` on F4). */
  fields: string[];
  /** Pages (sectors) per bit: 4 on F1 medium density (RM0008 §2.5), 1 on F4 (RM0090 §3.6) and H7 (RM0433 §4.5). */
  pagesPerBit: number;
}

/**
 * Write protection kept as page ranges: each area protects pages `STRT..END` inclusive, and an area whose start
 * is above its end protects nothing (L4: RM0394 §3.5.2, G0: RM0444 §3.5.2).
 */
export interface WrpAreas {
  /** Discriminant. */
  kind: "areas";
  /** `[start field, end field]` of each area, e.g. `["WRP1A_STRT", "WRP1A_END"]`. */
  areas: [string, string][];
}

/** How a family keeps its protection in the option bytes. */
export interface OptionByteModel {
  /** RDP value of level 0 (no read protection): 0xA5 on F1 (RM0008 §2.5), 0xAA elsewhere. */
  rdpLevel0: number;
  /** RDP value the Readout Protect command programs (level 1: anything but level 0 and 0xCC). */
  rdpLevel1: number;
  /** Write protection. */
  wrp: WrpBits | WrpAreas;
  /**
   * Copies the hardware makes after option programming, `[from, to, length]` in bytes: H7 exposes the `_PRG`
   * registers and their `_CUR` copies side by side (RM0433 §4.9); a reset loads `_CUR` from `_PRG`.
   */
  mirrors: [number, number, number][];
  /** Factory contents as 32-bit little-endian words by offset; other value bytes read `fill`. */
  factory: { words: Record<number, number>; fill: number };
}

/** F1 (RM0008 §2.5, PM0075): RDP 0xA5 = level 0; WRP0..3, each bit 4 pages of 1 KiB on medium density. */
export const F1_MEDIUM_DENSITY_OPTIONS: OptionByteModel = {
  rdpLevel0: 0xa5,
  rdpLevel1: 0x00,
  wrp: { kind: "bits", fields: ["WRP0", "WRP1", "WRP2", "WRP3"], pagesPerBit: 4 },
  mirrors: [],
  // RDP=0xA5, USER=0xFF, Data0/1=0xFF, WRP0-3=0xFF; complements are filled in by the byte scheme.
  factory: { words: { 0x0: 0x00ff_00a5, 0x4: 0x00ff_00ff, 0x8: 0x00ff_00ff, 0xc: 0x00ff_00ff }, fill: 0xff },
};

/**
 * F1 high density (RM0008 §2.5): as medium density, but each WRP bit covers 2 pages of 2 KiB (WRP3 bit 7 covers
 * pages 62-255 on the real part; the model keeps 2 pages per bit throughout).
 */
export const F1_HIGH_DENSITY_OPTIONS: OptionByteModel = {
  ...F1_MEDIUM_DENSITY_OPTIONS,
  wrp: { kind: "bits", fields: ["WRP0", "WRP1", "WRP2", "WRP3"], pagesPerBit: 2 },
};

/** F2/F4 (RM0090 §3.6): RDP 0xAA = level 0; nWRP one bit per sector (sectors 0-11). */
export const F4_OPTIONS: OptionByteModel = {
  rdpLevel0: 0xaa,
  rdpLevel1: 0x55,
  wrp: { kind: "bits", fields: ["nWRP"], pagesPerBit: 1 },
  mirrors: [],
  // RM0090 §3.6.1 factory values: USER 0xEC (BOR off, software watchdog, no reset on Stop/Standby), RDP 0xAA,
  // nWRP 0xFFF; the complement half-words are filled in by the half-word scheme. Words +4 and +12 are reserved.
  factory: { words: { 0x0: 0xaaec, 0x4: 0xffff, 0x8: 0x0fff, 0xc: 0xffff }, fill: 0xff },
};

/** L4 (RM0394 §3.4.1): RDP 0xAA = level 0; write protection as areas WRP1A and WRP1B. */
export const L4_OPTIONS: OptionByteModel = {
  rdpLevel0: 0xaa,
  rdpLevel1: 0xbb,
  wrp: { kind: "areas", areas: [["WRP1A_STRT", "WRP1A_END"], ["WRP1B_STRT", "WRP1B_END"]] },
  mirrors: [],
  // RM0394 §3.7 register reset values: FLASH_OPTR 0xFFEFF8AA, PCROP1 start > end, WRP1AR/WRP1BR 0xFF00FFFF
  // (start 0xFF above end 0x00: no protection); complements by the word scheme.
  factory: {
    words: { 0x0: 0xffef_f8aa, 0x8: 0xffff_ffff, 0x10: 0x0000_0000, 0x18: 0xff00_ffff, 0x20: 0xff00_ffff },
    fill: 0xff,
  },
};

/** G0 (RM0444 §3.4.1): RDP 0xAA = level 0; write protection as areas WRP1A and WRP1B. */
export const G0_OPTIONS: OptionByteModel = {
  rdpLevel0: 0xaa,
  rdpLevel1: 0xbb,
  wrp: { kind: "areas", areas: [["WRP1A_STRT", "WRP1A_END"], ["WRP1B_STRT", "WRP1B_END"]] },
  mirrors: [],
  // RM0444 §3.7: FLASH_OPTR with RDP 0xAA, PCROP1A start > end, WRP1AR/WRP1BR start 0x7F above end 0.
  factory: {
    words: { 0x0: 0xffff_feaa, 0x8: 0xffff_ffff, 0x10: 0x0000_0000, 0x18: 0x0000_00ff, 0x20: 0x0000_00ff },
    fill: 0xff,
  },
};

/** H7 (RM0433 §4.9): RDP 0xAA = level 0 in OPTSR; WPSN one bit per bank 1 sector; `_PRG` mirrored to `_CUR`. */
export const H7_OPTIONS: OptionByteModel = {
  rdpLevel0: 0xaa,
  rdpLevel1: 0xbb,
  wrp: { kind: "bits", fields: ["WRPSn1"], pagesPerBit: 1 },
  // OPTSR_PRG -> OPTSR_CUR, PRAR_PRG1 -> PRAR_CUR1, SCAR_PRG1 -> SCAR_CUR1, WPSN_PRG1 -> WPSN_CUR1,
  // BOOT_PRG -> BOOT_CUR (offsets from OPTSR_CUR at 0x5200201C, RM0433 §4.9 register map).
  mirrors: [[0x4, 0x0, 4], [0x10, 0xc, 4], [0x18, 0x14, 4], [0x20, 0x1c, 4], [0x28, 0x24, 4]],
  // RDP 0xAA, IWDG1_SW, nRST_STOP/STBY_D1, FZ_IWDG_* set; no PCROP/secure areas (start above end); all
  // sectors unprotected; BOOT_ADD0 0x0800 (flash), BOOT_ADD1 0x1FF0 (system memory).
  factory: {
    words: {
      0x0: 0x0006_aad0,
      0x4: 0x0006_aad0,
      0x8: 0,
      0xc: 0xff,
      0x10: 0xff,
      0x14: 0xff,
      0x18: 0xff,
      0x1c: 0xff,
      0x20: 0xff,
      0x24: 0x1ff0_0800,
      0x28: 0x1ff0_0800,
    },
    fill: 0x00,
  },
};

function writeWord(bytes: Uint8Array, offset: number, word: number): void {
  for (let i = 0; i < 4; i++) bytes[offset + i] = (word >>> (8 * i)) & 0xff;
}

/**
 * Fills in what the hardware computes when option bytes are programmed: the complements of the family's scheme
 * (`lib/chips/option_layout.ts`) and the `_CUR` copies. Returns `bytes`, changed in place.
 */
export function completeOptionBytes(chip: ChipInfo, model: OptionByteModel, bytes: Uint8Array): Uint8Array {
  switch (complementScheme(chip)) {
    case "byte":
      for (let i = 0; i + 1 < bytes.length; i += 2) bytes[i + 1] = ~bytes[i] & 0xff;
      break;
    case "halfword":
      for (let i = 0; i + 3 < bytes.length; i += 4) {
        bytes[i + 2] = ~bytes[i] & 0xff;
        bytes[i + 3] = ~bytes[i + 1] & 0xff;
      }
      break;
    case "word":
      for (let i = 0; i + 7 < bytes.length; i += 8) {
        for (let j = 0; j < 4; j++) bytes[i + 4 + j] = ~bytes[i + j] & 0xff;
      }
      break;
    case "none":
      break;
  }
  for (const [from, to, length] of model.mirrors) bytes.copyWithin(to, from, from + length);
  return bytes;
}

/** The factory option bytes of `chip` under `model`, complements included. */
export function factoryOptionBytes(chip: ChipInfo, model: OptionByteModel): Uint8Array {
  const bytes = new Uint8Array(chip.optionBytes.size).fill(model.factory.fill);
  for (const [offset, word] of Object.entries(model.factory.words)) writeWord(bytes, Number(offset), word);
  return completeOptionBytes(chip, model, bytes);
}

function field(chip: ChipInfo, name: string): OptionField {
  const found = chip.optionBytes.fields.find((f) => f.name === name);
  if (!found) throw new Error(`the chip database has no option field ${name} for ${chip.name}`);
  return found;
}

function fieldValue(chip: ChipInfo, bytes: Uint8Array, name: string): number {
  const value = decodeOptionBytes(chip, bytes).find((v) => v.name === name);
  if (!value) throw new Error(`the chip database has no option field ${name} for ${chip.name}`);
  return value.value;
}

/** Byte offset of the RDP byte, from the database's `RDP` field (a whole byte on every family). */
export function rdpOffset(chip: ChipInfo): number {
  const rdp = field(chip, "RDP");
  return rdp.offset + rdp.shift / 8;
}

/** Indices of the pages write protection covers in `bytes`. */
export function writeProtectedPages(chip: ChipInfo, model: OptionByteModel, bytes: Uint8Array): Set<number> {
  const pages = new Set<number>();
  const { wrp } = model;
  if (wrp.kind === "bits") {
    let group = 0;
    for (const name of wrp.fields) {
      const { width } = field(chip, name);
      const value = fieldValue(chip, bytes, name);
      for (let bit = 0; bit < width; bit++, group++) {
        if (Math.floor(value / 2 ** bit) % 2 === 1) continue;
        for (let i = 0; i < wrp.pagesPerBit; i++) pages.add(group * wrp.pagesPerBit + i);
      }
    }
  } else {
    for (const [startName, endName] of wrp.areas) {
      const start = fieldValue(chip, bytes, startName);
      const end = fieldValue(chip, bytes, endName);
      for (let page = start; page <= end; page++) pages.add(page);
    }
  }
  return pages;
}

/**
 * Option bytes with write protection added for `codes` (AN3155 §3.9 "sector codes": WRP bit numbers where the
 * family has bits; page numbers where it has areas, which must form at most as many contiguous runs as there are
 * areas, and replace the areas). Returns `undefined` when the codes cannot be expressed (the device NACKs).
 */
export function withWriteProtection(
  chip: ChipInfo,
  model: OptionByteModel,
  bytes: Uint8Array,
  codes: readonly number[],
): Uint8Array | undefined {
  const { wrp } = model;
  let next: Uint8Array = bytes.slice();
  if (wrp.kind === "bits") {
    const fields = wrp.fields.map((name) => field(chip, name));
    for (const code of codes) {
      let base = 0;
      const holder = fields.find((f) => {
        if (code < base + f.width) return true;
        base += f.width;
        return false;
      });
      if (!holder) return undefined;
      const value = fieldValue(chip, next, holder.name);
      const bit = 2 ** (code - base);
      const cleared = Math.floor(value / bit) % 2 === 1 ? value - bit : value;
      next = encodeOptionField(chip, next, holder.name, cleared);
    }
    return completeOptionBytes(chip, model, next);
  }
  const sorted = [...new Set(codes)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const page of sorted) {
    const last = runs.at(-1);
    if (last && page === last[1] + 1) last[1] = page;
    else runs.push([page, page]);
  }
  if (runs.length > wrp.areas.length) return undefined;
  for (const [index, [startName, endName]] of wrp.areas.entries()) {
    const run = runs[index];
    const startWidth = field(chip, startName).width;
    if (run && run[1] >= 2 ** startWidth) return undefined;
    next = encodeOptionField(chip, next, startName, run ? run[0] : 2 ** startWidth - 1);
    next = encodeOptionField(chip, next, endName, run ? run[1] : 0);
  }
  return completeOptionBytes(chip, model, next);
}

/** Option bytes with all write protection removed (AN3155 §3.10). */
export function withoutWriteProtection(chip: ChipInfo, model: OptionByteModel, bytes: Uint8Array): Uint8Array {
  const { wrp } = model;
  let next: Uint8Array = bytes.slice();
  if (wrp.kind === "bits") {
    for (const name of wrp.fields) next = encodeOptionField(chip, next, name, 2 ** field(chip, name).width - 1);
  } else {
    for (const [startName, endName] of wrp.areas) {
      next = encodeOptionField(chip, next, startName, 2 ** field(chip, startName).width - 1);
      next = encodeOptionField(chip, next, endName, 0);
    }
  }
  return completeOptionBytes(chip, model, next);
}
