/**
 * The chip database: every product the tool knows, as data, and lookups by product ID and part name.
 * Facts are from ST AN2606 (system memory boot mode) and the reference manual each entry names; the entries live in
 * one file per series under `families/`, and this module concatenates them.
 *
 * @module
 */

import type { ChipInfo, PartInfo } from "./types.ts";
import { KIB } from "./families/common.ts";
import { resolvePartName } from "./part_number.ts";
import { F0_CHIPS } from "./families/f0.ts";
import { F1_CHIPS } from "./families/f1.ts";
import { F3_CHIPS } from "./families/f3.ts";
import { F2_CHIPS, F4_CHIPS } from "./families/f4.ts";
import { F7_CHIPS } from "./families/f7.ts";
import { G0_CHIPS } from "./families/g0.ts";
import { G4_CHIPS } from "./families/g4.ts";
import { H7_CHIPS } from "./families/h7.ts";
import { L0_CHIPS } from "./families/l0.ts";
import { L1_CHIPS } from "./families/l1.ts";
import { L4_CHIPS } from "./families/l4.ts";
import { L5_CHIPS, U5_CHIPS } from "./families/l5u5.ts";
import { WB_CHIPS } from "./families/wb.ts";
import { WL_CHIPS } from "./families/wl.ts";

/** Every product in the database, grouped by series. */
export const CHIPS: readonly ChipInfo[] = [
  ...F0_CHIPS,
  ...F1_CHIPS,
  ...F2_CHIPS,
  ...F3_CHIPS,
  ...F4_CHIPS,
  ...F7_CHIPS,
  ...G0_CHIPS,
  ...G4_CHIPS,
  ...H7_CHIPS,
  ...L0_CHIPS,
  ...L1_CHIPS,
  ...L4_CHIPS,
  ...L5_CHIPS,
  ...U5_CHIPS,
  ...WB_CHIPS,
  ...WL_CHIPS,
];

/**
 * Part numbers with their flash sizes, for `--simulate` and expected-chip checks. The flash size follows the
 * part-number suffix (4 = 16 KiB, 6 = 32, 8 = 64, B = 128, Z = 192, C = 256, D = 384, E = 512, G = 1024,
 * H = 1536, I = 2048), the die from the datasheet's device ID.
 */
export const PARTS: readonly PartInfo[] = [
  // F0
  { part: "stm32f030f4", pid: 0x444, flashSize: 16 * KIB },
  { part: "stm32f030c8", pid: 0x440, flashSize: 64 * KIB },
  { part: "stm32f042k6", pid: 0x445, flashSize: 32 * KIB },
  { part: "stm32f051r8", pid: 0x440, flashSize: 64 * KIB },
  { part: "stm32f070rb", pid: 0x448, flashSize: 128 * KIB },
  { part: "stm32f072rb", pid: 0x448, flashSize: 128 * KIB },
  { part: "stm32f091rc", pid: 0x442, flashSize: 256 * KIB },
  // F1
  { part: "stm32f100rb", pid: 0x420, flashSize: 128 * KIB },
  { part: "stm32f103c6", pid: 0x412, flashSize: 32 * KIB },
  { part: "stm32f103c8", pid: 0x410, flashSize: 64 * KIB },
  { part: "stm32f103cb", pid: 0x410, flashSize: 128 * KIB },
  { part: "stm32f103rb", pid: 0x410, flashSize: 128 * KIB },
  { part: "stm32f103rc", pid: 0x414, flashSize: 256 * KIB },
  { part: "stm32f103re", pid: 0x414, flashSize: 512 * KIB },
  { part: "stm32f103ze", pid: 0x414, flashSize: 512 * KIB },
  { part: "stm32f103zg", pid: 0x430, flashSize: 1024 * KIB },
  { part: "stm32f105rc", pid: 0x418, flashSize: 256 * KIB },
  { part: "stm32f107vc", pid: 0x418, flashSize: 256 * KIB },
  // F2
  { part: "stm32f205rg", pid: 0x411, flashSize: 1024 * KIB },
  { part: "stm32f207zg", pid: 0x411, flashSize: 1024 * KIB },
  // F3
  { part: "stm32f302r8", pid: 0x439, flashSize: 64 * KIB },
  { part: "stm32f303cc", pid: 0x422, flashSize: 256 * KIB },
  { part: "stm32f303k8", pid: 0x438, flashSize: 64 * KIB },
  { part: "stm32f303re", pid: 0x446, flashSize: 512 * KIB },
  { part: "stm32f334r8", pid: 0x438, flashSize: 64 * KIB },
  { part: "stm32f373cc", pid: 0x432, flashSize: 256 * KIB },
  // F4
  { part: "stm32f401cc", pid: 0x423, flashSize: 256 * KIB },
  { part: "stm32f401re", pid: 0x433, flashSize: 512 * KIB },
  { part: "stm32f405rg", pid: 0x413, flashSize: 1024 * KIB },
  { part: "stm32f407vg", pid: 0x413, flashSize: 1024 * KIB },
  { part: "stm32f410rb", pid: 0x458, flashSize: 128 * KIB },
  { part: "stm32f411ce", pid: 0x431, flashSize: 512 * KIB },
  { part: "stm32f411re", pid: 0x431, flashSize: 512 * KIB },
  { part: "stm32f412zg", pid: 0x441, flashSize: 1024 * KIB },
  { part: "stm32f413zh", pid: 0x463, flashSize: 1536 * KIB },
  { part: "stm32f429zi", pid: 0x419, flashSize: 2048 * KIB },
  { part: "stm32f446re", pid: 0x421, flashSize: 512 * KIB },
  { part: "stm32f469ni", pid: 0x434, flashSize: 2048 * KIB },
  // F7
  { part: "stm32f722ze", pid: 0x452, flashSize: 512 * KIB },
  { part: "stm32f746zg", pid: 0x449, flashSize: 1024 * KIB },
  { part: "stm32f767zi", pid: 0x451, flashSize: 2048 * KIB },
  // G0
  { part: "stm32g030f6", pid: 0x466, flashSize: 32 * KIB },
  { part: "stm32g031k8", pid: 0x466, flashSize: 64 * KIB },
  { part: "stm32g070rb", pid: 0x460, flashSize: 128 * KIB },
  { part: "stm32g071rb", pid: 0x460, flashSize: 128 * KIB },
  { part: "stm32g0b1re", pid: 0x467, flashSize: 512 * KIB },
  // G4
  { part: "stm32g431kb", pid: 0x468, flashSize: 128 * KIB },
  { part: "stm32g474re", pid: 0x469, flashSize: 512 * KIB },
  { part: "stm32g491re", pid: 0x479, flashSize: 512 * KIB },
  // H7
  { part: "stm32h723zg", pid: 0x483, flashSize: 1024 * KIB },
  { part: "stm32h743zi", pid: 0x450, flashSize: 2048 * KIB },
  { part: "stm32h7a3zi", pid: 0x480, flashSize: 2048 * KIB },
  // L0
  { part: "stm32l011k4", pid: 0x457, flashSize: 16 * KIB },
  { part: "stm32l031k6", pid: 0x425, flashSize: 32 * KIB },
  { part: "stm32l053r8", pid: 0x417, flashSize: 64 * KIB },
  { part: "stm32l073rz", pid: 0x447, flashSize: 192 * KIB },
  // L1
  { part: "stm32l151c8", pid: 0x416, flashSize: 64 * KIB },
  { part: "stm32l152rb", pid: 0x416, flashSize: 128 * KIB },
  { part: "stm32l152rc", pid: 0x427, flashSize: 256 * KIB },
  { part: "stm32l152re", pid: 0x437, flashSize: 512 * KIB },
  // L4
  { part: "stm32l412kb", pid: 0x464, flashSize: 128 * KIB },
  { part: "stm32l432kc", pid: 0x435, flashSize: 256 * KIB },
  { part: "stm32l433rc", pid: 0x435, flashSize: 256 * KIB },
  { part: "stm32l452re", pid: 0x462, flashSize: 512 * KIB },
  { part: "stm32l476rg", pid: 0x415, flashSize: 1024 * KIB },
  { part: "stm32l496zg", pid: 0x461, flashSize: 1024 * KIB },
  { part: "stm32l4r5zi", pid: 0x470, flashSize: 2048 * KIB },
  // L5, U5
  { part: "stm32l552ze", pid: 0x472, flashSize: 512 * KIB },
  { part: "stm32u575zi", pid: 0x482, flashSize: 2048 * KIB },
  // WB, WL
  { part: "stm32wb15cc", pid: 0x494, flashSize: 320 * KIB }, // the one exception to the suffix rule (DS13258)
  { part: "stm32wb55rg", pid: 0x495, flashSize: 1024 * KIB },
  { part: "stm32wle5jc", pid: 0x497, flashSize: 256 * KIB },
];

/** Returns the product with this bootloader product ID, or `undefined`. */
export function chipByPid(pid: number): ChipInfo | undefined {
  return CHIPS.find((chip) => chip.pid === pid);
}

/**
 * Returns the part with this name (case-insensitive, e.g. `STM32F103C8`), also given as the full ordering code on
 * the package (`STM32F103C8T6`: package and temperature range stripped), or `undefined`.
 */
export function partByName(name: string): PartInfo | undefined {
  const wanted = resolvePartName(name, PARTS.map((part) => part.part));
  return wanted === undefined ? undefined : PARTS.find((part) => part.part === wanted);
}

/** Formats a product ID as AN2606 does, e.g. `0x410`. */
export function formatPid(pid: number): string {
  return `0x${pid.toString(16).padStart(3, "0")}`;
}
