/**
 * How each family stores the complement of its option bytes, which `types.ts` has no field for. The complement
 * rule is the same for every product of a family, so it is a table keyed by {@linkcode ChipInfo.family}.
 *
 * - `byte`: every option byte is followed by its complement byte, in half-words (F0, F1, F3:
 *   RM0008 §2.5, RM0091 §4, RM0316 §4: `RDP nRDP USER nUSER ...`).
 * - `halfword`: every 16-bit option value is followed by its 16-bit complement in the same 32-bit word
 *   (F2, F4, F7: RM0090 §3.6.1 "0x1FFF C000: USER+RDP, complement in bits 31:16"; L0, L1: RM0377 §3.4.1,
 *   RM0038 §3.9.2 "option byte 1/0, complemented option byte 1/0").
 * - `word`: every 32-bit option register image is followed by its 32-bit complement in the next word
 *   (L4, G0, G4, WB, WL: RM0394 §3.4.1, RM0444 §3.4.1, RM0440 §3.4.1 "double-word: value, complement").
 * - `none`: the bootloader exposes plain option registers (H7: FLASH_OPTSR_*, RM0433 §4.9).
 *
 * @module
 */

import type { ChipInfo } from "./types.ts";

/** Where an option value's complement lives, see the module text. */
export type ComplementScheme = "byte" | "halfword" | "word" | "none";

/** Complement scheme of each family. */
export const OPTION_COMPLEMENT: Readonly<Record<string, ComplementScheme>> = {
  F0: "byte",
  F1: "byte",
  F3: "byte",
  F2: "halfword",
  F4: "halfword",
  F7: "halfword",
  L0: "halfword",
  L1: "halfword",
  L4: "word",
  L5: "none",
  U5: "none",
  G0: "word",
  G4: "word",
  WB: "word",
  WL: "word",
  H7: "none",
};

/** Returns the complement scheme of a chip's family (`none` for a family not in the table). */
export function complementScheme(chip: ChipInfo): ComplementScheme {
  return OPTION_COMPLEMENT[chip.family] ?? "none";
}
