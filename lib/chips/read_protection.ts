/**
 * Read-protection (RDP) levels per family: which RDP byte values mean level 0 and level 2. Every other value is
 * level 1. Level 2 is permanent: it disables the bootloader and debug for good.
 *
 * Facts: F1 has no level 2 and 0xA5 is level 0 (RM0008 §2.4.1); the other series use 0xAA for level 0 and 0xCC
 * for level 2 (RM0090 §3.7.3, RM0394 §3.5.1, RM0444 §3.5.1, RM0433 §4.5.3).
 *
 * @module
 */

import type { ChipInfo } from "./types.ts";

/** RDP byte values of a family. */
export interface RdpValues {
  /** The value meaning "no protection". */
  level0: number;
  /** The value meaning "permanent protection", when the family has a level 2. */
  level2?: number;
}

const SPECIAL: Readonly<Record<string, RdpValues>> = {
  F1: { level0: 0xa5 },
};

const DEFAULT: RdpValues = { level0: 0xaa, level2: 0xcc };

/** RDP values of a chip's family. */
export function rdpValues(chip: ChipInfo): RdpValues {
  return SPECIAL[chip.family] ?? DEFAULT;
}

/** The RDP level (0, 1 or 2) an RDP byte value means on this chip. */
export function rdpLevel(chip: ChipInfo, value: number): 0 | 1 | 2 {
  const values = rdpValues(chip);
  if (value === values.level0) return 0;
  if (values.level2 !== undefined && value === values.level2) return 2;
  return 1;
}
