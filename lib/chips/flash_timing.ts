/**
 * How long the flash of each product family takes to program and erase: ONE table of chip data, typical and maximum
 * figure side by side, each with the datasheet table it comes from. Everything that needs a flash duration reads it
 * here (probe-rs keeps chip data as data):
 * - the host's erase timeouts use the maximum, with margin (lib/chips/erase_times.ts);
 * - the host's erase progress uses the typical figure (lib/target/erase_progress.ts): a bootloader says nothing
 *   while it erases, for seconds on an F4 sector;
 * - the simulated chips wait the typical figure (lib/sim/timing.ts), so simulated runs take realistic time.
 *
 * Where a figure could not be re-read in its datasheet here (no datasheet electrical table was reachable through the
 * research tools), the entry's `confirmed` says so and `notes` says what backs it instead. A family missing from the
 * table (the generic profile of an unknown product ID) gets {@linkcode CONSERVATIVE}: the largest figures of any
 * family, so that its timeouts are long enough and its progress still moves.
 *
 * @module
 */

import type { ChipInfo } from "./types.ts";
import { flashPages } from "./layout.ts";

/** A datasheet duration: its typical and its maximum value. */
export interface TypMax {
  /** Typical value (the datasheet's "Typ" column, or its minimum where it gives no typical, see the entry's notes). */
  typ: number;
  /** Maximum value (the datasheet's "Max" column). */
  max: number;
}

/** Erase duration of pages or sectors up to `upTo` bytes. */
export interface SizedErase extends TypMax {
  /** Largest page/sector size in bytes these figures apply to (the smallest row that fits is used). */
  upTo: number;
}

/** Programming and erase durations of one product family. */
export interface FamilyFlashTiming {
  /** Time to program one program unit (`ChipInfo.flash.programUnit` bytes), µs. */
  programUnitUs: TypMax;
  /** Time to erase one page or sector, ms, by size (ascending `upTo`); the last row covers anything larger. */
  pageEraseMs: readonly SizedErase[];
  /** Time of a mass erase (all banks), ms. */
  massEraseMs: TypMax;
  /** Time of a single-bank erase, ms (the mass erase on single-bank families). */
  bankEraseMs: TypMax;
  /** Datasheet document and table the figures come from. */
  source: string;
  /** Whether the figures were re-read in that table (false: recalled or taken from a secondary source, see notes). */
  confirmed: boolean;
  /** What backs the figures where they were not confirmed, and the conditions they assume. */
  notes: string;
}

/** Which of the two figures to use: `typ` for estimates and the simulator, `max` for timeouts. */
export type Bound = keyof TypMax;

const KIB = 1024;

/** The F2 and F4 share one flash macro and one datasheet table (x8 figures; see the F4 entry's notes). */
const F2_F4_FLASH: Omit<FamilyFlashTiming, "source" | "confirmed" | "notes"> = {
  programUnitUs: { typ: 16, max: 100 },
  pageEraseMs: [
    { upTo: 16 * KIB, typ: 400, max: 800 },
    { upTo: 64 * KIB, typ: 1100, max: 2400 },
    { upTo: 128 * KIB, typ: 2000, max: 4000 },
  ],
  massEraseMs: { typ: 16_000, max: 32_000 },
  bankEraseMs: { typ: 16_000, max: 32_000 },
};

/** F0/F1/F3 flash (one controller design): half-word program, 1-2 KiB page and mass erase in 20-40 ms. */
function f1Style(programTypUs: number, programMaxUs: number, source: string, notes: string): FamilyFlashTiming {
  return {
    programUnitUs: { typ: programTypUs, max: programMaxUs },
    pageEraseMs: [{ upTo: 2 * KIB, typ: 20, max: 40 }],
    massEraseMs: { typ: 20, max: 40 },
    bankEraseMs: { typ: 20, max: 40 },
    source,
    confirmed: false,
    notes,
  };
}

/** L4-class flash (L4, G4, WB, WL, L5): double-word program ~82 µs, 2-4 KiB page erase ~22 ms, mass ~22 ms. */
function l4Style(source: string, notes: string, pageUpTo = 2 * KIB): FamilyFlashTiming {
  return {
    programUnitUs: { typ: 81.69, max: 90.76 },
    pageEraseMs: [{ upTo: pageUpTo, typ: 22.02, max: 24.47 }],
    massEraseMs: { typ: 22.13, max: 25 },
    bankEraseMs: { typ: 22.13, max: 25 },
    source,
    confirmed: false,
    notes,
  };
}

/**
 * Flash timing per family. `confirmed: false` everywhere: no datasheet "Flash memory characteristics" table could be
 * opened through the research tools available here (searches of the docs, pages and code corpora return reference
 * manuals and forum threads, not the datasheets' electrical tables). The notes name what does back each figure.
 */
export const FLASH_FIGURES: Readonly<Record<string, FamilyFlashTiming>> = {
  F0: f1Style(
    53.5,
    60,
    "STM32F030 datasheet DS9773, Flash memory characteristics table (tPROG, tERASE, tME)",
    "Recalled, not re-read: tPROG 16-bit 53.5 µs typ / 60 µs max; tERASE page and tME 20 ms min / 40 ms max (the " +
      "datasheet gives no typical: the minimum stands in). Zephyr drivers/flash/flash_stm32.c confirms the " +
      "40 ms page-erase maximum; the mass-erase maximum is not confirmed.",
  ),
  F1: f1Style(
    52.5,
    70,
    "STM32F103x8/B datasheet DS5319, Table 28 Flash memory characteristics",
    "tPROG 40 / 52.5 / 70 µs (min/typ/max), tERASE 20 / - / 40 ms, tME 20 / - / 40 ms, as quoted in the team brief " +
      "from DS5319 (the minimum stands in for the missing typical); not re-read here. Zephyr flash_stm32.c " +
      "confirms the 40 ms page-erase maximum; the mass-erase maximum is not confirmed.",
  ),
  F3: f1Style(
    53.5,
    60,
    "STM32F303xB/C datasheet DS9118, Flash memory characteristics table",
    "Recalled, not re-read: same controller and figures as the F0 (tPROG 53.5 / 60 µs, tERASE and tME 20 / 40 ms). " +
      "Zephyr flash_stm32.c confirms the 40 ms page-erase maximum for the F3; the mass maximum is not confirmed.",
  ),
  // F2/F4 typ: the x32 parallelism the bootloader uses at 2.7-3.6 V would be about half of these; the simulator has
  // paced F4 runs with these figures since the benches' anchors were measured, so they stay until re-checked.
  F2: {
    ...F2_F4_FLASH,
    source: "STM32F205 datasheet DS6329, Flash memory programming table",
    confirmed: false,
    notes: "Recalled, not re-read: the F2 shares the F4's flash and its table (see F4).",
  },
  F4: {
    ...F2_F4_FLASH,
    source: "STM32F405/407 datasheet DS8626, Table 42 Flash memory programming",
    confirmed: false,
    notes: "Maxima at x8 parallelism (the slowest the bootloader may run with): 16 KiB 800 ms, 64 KiB 2.4 s, " +
      "128 KiB 4 s, mass 32 s; Zephyr flash_stm32.c agrees on 4 s for a 128 KiB sector. The team brief quotes " +
      "DS8626's 16 KiB sector erase as 250-500 ms at x32. Only the 128 KiB maximum is confirmed (Zephyr); the " +
      "16/64 KiB and mass maxima are not. Typicals are the simulator's figures so far (x8 class); " +
      "word program 16 µs typ / 100 µs max recalled.",
  },
  F7: {
    programUnitUs: { typ: 16, max: 100 },
    pageEraseMs: [
      { upTo: 32 * KIB, typ: 500, max: 1000 },
      { upTo: 128 * KIB, typ: 2000, max: 4000 },
      { upTo: 256 * KIB, typ: 4000, max: 8000 },
    ],
    massEraseMs: { typ: 16_000, max: 32_000 },
    bankEraseMs: { typ: 16_000, max: 32_000 },
    source: "STM32F746 datasheet DS10916, Flash memory programming table",
    confirmed: false,
    notes: "Maxima at x8 recalled (32 KiB 1 s, 128 KiB 4 s, 256 KiB 8 s, mass 32 s); Zephyr flash_stm32.c gives 4 s " +
      "for a 256 KiB sector (at x32, presumably), below the x8 figure kept here. Typicals taken as half the " +
      "maxima, the ratio of the F4 table: not from the datasheet.",
  },
  G0: {
    programUnitUs: { typ: 85, max: 125 },
    pageEraseMs: [{ upTo: 2 * KIB, typ: 22, max: 40 }],
    massEraseMs: { typ: 22.1, max: 40 },
    bankEraseMs: { typ: 22.1, max: 40 },
    source: "STM32G071 datasheet DS12232, Table 37 Flash memory characteristics",
    confirmed: false,
    notes: "64-bit programming 85 µs typ (max recalled as 125 µs), page erase 22 / 40 ms, mass erase 22.1 / 40 ms; " +
      "Zephyr flash_stm32.c confirms the G0 page erase 40 ms max; a public STM32 driver comments 'Page (2 KB) " +
      "erase time typ 22 ms, max 40 ms'. The mass maximum is not confirmed.",
  },
  G4: l4Style(
    "STM32G431 datasheet DS12589, Flash memory characteristics table",
    "L4-class flash: 64-bit programming 81.69 / 90.76 µs, page erase 22.02 / 24.47 ms, mass 22.13 / 25 ms, recalled. " +
      "The 24.47 ms page maximum is confirmed by Zephyr flash_stm32.c for the G4 (it replaces the 40 ms used " +
      "before); the mass maximum is not confirmed.",
    4 * KIB,
  ),
  L4: l4Style(
    "STM32L433 datasheet DS11453, Table 50 Flash memory characteristics",
    "64-bit programming 81.69 / 90.76 µs, page (2 KiB) erase 22.02 / 24.47 ms, mass erase 22.13 / 25 ms; Zephyr " +
      "flash_stm32.c confirms the 24.47 ms page-erase maximum; the rest is recalled.",
  ),
  WB: l4Style(
    "STM32WB55 datasheet DS11929, Flash memory characteristics table",
    "Recalled as the L4 figures; Zephyr flash_stm32.c: WB 24.5 ms maximum for a 4 KiB page.",
    4 * KIB,
  ),
  WL: l4Style(
    "STM32WLE5 datasheet DS13105, Flash memory characteristics table",
    "Recalled as the L4 figures (same flash generation); not re-read.",
  ),
  L5: l4Style(
    "STM32L552 datasheet DS12736, Flash memory characteristics table",
    "Recalled as the L4 figures; not re-read.",
    4 * KIB,
  ),
  U5: {
    ...l4Style(
      "STM32U575 datasheet DS13737, Flash memory characteristics table",
      "Not confirmed: the U5's 8 KiB page and quad-word (128-bit) programming differ from the L4; the L4 maxima " +
        "are used as an upper bound and the L4 typicals as the estimate (likely pessimistic: real U5 page erases " +
        "are believed faster).",
      8 * KIB,
    ),
    programUnitUs: { typ: 118, max: 130 },
  },
  // L0/L1: word programming, half-page programming and page erase each take one 3.2 ms cycle (tprog); the USART
  // bootloader's programming mode is not documented (AN2606), so the per-word figure is the half-page cycle shared
  // out over its words (word by word would be 16 times slower on a write, never on an erase).
  L0: {
    programUnitUs: { typ: 3200 / 16, max: 3280 / 16 },
    pageEraseMs: [{ upTo: 128, typ: 3.2, max: 3.28 }],
    // No mass erase through the bootloader: the host erases page by page; the figures are 1536 pages (192 KiB).
    massEraseMs: { typ: 1536 * 3.2, max: 5_000 },
    bankEraseMs: { typ: 1536 * 3.2, max: 5_000 },
    source: "STM32L053 datasheet DS10152, Flash memory and data EEPROM characteristics table (tprog)",
    confirmed: false,
    notes: "tprog 3.2 ms typ / 3.28 ms max recalled; Zephyr flash_stm32.c: L0 page erase 3.2 ms max for 128 B; an " +
      "STM32L0 programming article: page erase, word and half-page programming all about 3.2 ms 'as in the data " +
      "sheet'.",
  },
  L1: {
    programUnitUs: { typ: 3200 / 32, max: 3280 / 32 },
    pageEraseMs: [{ upTo: 256, typ: 3.2, max: 3.28 }],
    // As on the L0: page by page, here the whole 512 KiB (2048 pages of 256 B).
    massEraseMs: { typ: 2048 * 3.2, max: 10_000 },
    bankEraseMs: { typ: 2048 * 3.2, max: 10_000 },
    source: "STM32L152 datasheet DS8669, Flash memory and data EEPROM characteristics table (tprog)",
    confirmed: false,
    notes: "Recalled as the L0's 3.2 / 3.28 ms cycle (256 B page, 128 B half-page); not re-read.",
  },
  H7: {
    programUnitUs: { typ: 16, max: 100 },
    pageEraseMs: [{ upTo: 128 * KIB, typ: 1000, max: 4000 }],
    massEraseMs: { typ: 16_000, max: 32_000 },
    bankEraseMs: { typ: 8000, max: 16_000 },
    source: "STM32H743 datasheet DS12110, Table 45 Flash memory programming",
    confirmed: false,
    notes: "Recalled: 256-bit word program 16 µs typ; 128 KiB sector erase 1 s typ (x64) / 4 s max (x8); bank " +
      "erase 8 s typ / 16 s max, mass (both banks) 32 s max, its typical taken as two bank erases. An ST engineer " +
      "quoting the DS12110 table on community.st.com ('STM32H743 Flash EraseSector Reset Problem') gives the " +
      "128 KiB sector at x32 as 1.1 s typical, 2.2 s maximum, which these cover; the x8 and bank figures are not " +
      "confirmed.",
  },
};

/** The larger of two figures, column by column. */
function larger(a: TypMax, b: TypMax): TypMax {
  return { typ: Math.max(a.typ, b.typ), max: Math.max(a.max, b.max) };
}

/**
 * The largest figures of any family, computed from the table (every size any family lists, at the largest figure any
 * family gives a page of that size): an unknown family's timeouts are then long enough and its progress moves.
 */
export const CONSERVATIVE: FamilyFlashTiming = (() => {
  const all = Object.values(FLASH_FIGURES);
  const sizes = [...new Set(all.flatMap((timing) => timing.pageEraseMs.map((row) => row.upTo)))].sort((a, b) => a - b);
  const zero = { typ: 0, max: 0 };
  return {
    programUnitUs: all.reduce((acc, timing) => larger(acc, timing.programUnitUs), zero),
    pageEraseMs: sizes.map((upTo) => ({
      upTo,
      ...all.reduce(
        (acc, timing) => larger(acc, { typ: pageEraseMs(timing, upTo, "typ"), max: pageEraseMs(timing, upTo, "max") }),
        zero,
      ),
    })),
    massEraseMs: all.reduce((acc, timing) => larger(acc, timing.massEraseMs), zero),
    bankEraseMs: all.reduce((acc, timing) => larger(acc, timing.bankEraseMs), zero),
    source: "the largest figures of lib/chips/flash_timing.ts, size by size",
    confirmed: false,
    notes: "For a family not in the table (the generic profile of an unknown product ID).",
  };
})();

/** The flash figures of `chip`'s family ({@linkcode CONSERVATIVE} for a family not in the table). */
export function familyTiming(chip: Pick<ChipInfo, "family">): FamilyFlashTiming {
  return FLASH_FIGURES[chip.family] ?? CONSERVATIVE;
}

/** Erase time of one page/sector of `size` bytes, ms: the smallest row of `timing` that fits, else the largest. */
export function pageEraseMs(timing: FamilyFlashTiming, size: number, bound: Bound): number {
  const rows = timing.pageEraseMs;
  return (rows.find((row) => size <= row.upTo) ?? rows[rows.length - 1])[bound];
}

/** Time to program `bytes` bytes in units of `programUnit` bytes, ms. */
export function programMs(timing: FamilyFlashTiming, bytes: number, programUnit: number, bound: Bound): number {
  return (Math.ceil(bytes / Math.max(1, programUnit)) * timing.programUnitUs[bound]) / 1000;
}

/**
 * The typical figures of a family, as the simulators consume them (one program unit in µs, one erase by size in
 * ms, a mass erase in ms).
 */
export interface FlashTiming {
  /** Typical time to program one program unit, µs. */
  programUnitUs: number;
  /** Typical time to erase one page/sector of the given size, ms. */
  eraseMs(pageSize: number): number;
  /** Typical time of a mass erase, ms. */
  massEraseMs: number;
  /** Where the figures come from. */
  source: string;
}

/** The typical view of `timing`. */
export function typicalTiming(timing: FamilyFlashTiming): FlashTiming {
  return {
    programUnitUs: timing.programUnitUs.typ,
    eraseMs: (size) => pageEraseMs(timing, size, "typ"),
    massEraseMs: timing.massEraseMs.typ,
    source: timing.source,
  };
}

/** Typical flash timings per family (the simulators' pace), derived from {@linkcode FLASH_FIGURES}. */
export const FLASH_TIMING: Readonly<Record<string, FlashTiming>> = Object.fromEntries(
  Object.entries(FLASH_FIGURES).map(([family, timing]) => [family, typicalTiming(timing)]),
);

/**
 * How long erasing takes on `chip` (typical, ms): all of its `flashSize` flash (`pages` absent, a mass erase), or
 * the pages `pages` lists. Every family has a figure (an unknown one the conservative figures), so every erase's
 * progress can move by the time gone.
 */
export function expectedEraseMs(chip: ChipInfo, flashSize: number, pages?: readonly number[]): number {
  const timing = familyTiming(chip);
  if (pages === undefined) return timing.massEraseMs.typ;
  const layout = flashPages(chip, flashSize);
  return pages.reduce((sum, index) => sum + pageEraseMs(timing, layout[index]?.size ?? 0, "typ"), 0);
}
