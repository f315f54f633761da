/**
 * A conservative profile for a product ID the database does not list, so that a user can still talk to a new or
 * rare chip, and {@linkcode resolveChip}, the one lookup the upper layers use.
 *
 * Choices (each the safe end of what the database holds):
 * - flash at 0x08000000 (where main flash starts on every product in the database), 16 KiB: the smallest flash
 *   of any listed part (STM32F030x4, STM32L011x4), so nothing is assumed to exist past it;
 * - 1 KiB pages, 16 of them: a 1 KiB erase unit is the most common small page (F0/F1); the true layout is unknown,
 *   so erase by page number must be confirmed by the user;
 * - program unit 32 bytes: the largest of any listed product (H7), so padded writes are valid everywhere;
 * - SRAM 4 KiB at 0x20000000 with no byte free for the user (the bootloader's own RAM use is unknown);
 * - no system memory, option bytes or unique ID (size 0 / absent): unknown, never written;
 * - erase command 0x44: a placeholder; the protocol layer must choose Erase or Extended Erase from what Get lists.
 *
 * @module
 */

import { chipByPid, formatPid } from "./database.ts";
import type { ChipInfo } from "./types.ts";

/** Family name given to generic profiles. */
export const GENERIC_FAMILY = "unknown";

/** Flash size assumed for an unknown product: the smallest flash of any listed part. */
export const GENERIC_FLASH_SIZE = 16 * 1024;

/** Returns a conservative profile for a product ID the database does not list (see the module text). */
export function genericChip(pid: number): ChipInfo {
  return {
    pid,
    name: "unknown STM32",
    family: GENERIC_FAMILY,
    source: "generic profile (lib/chips/generic.ts): no document describes this product ID",
    flash: {
      base: 0x0800_0000,
      maxSize: GENERIC_FLASH_SIZE,
      banks: [{ name: "bank 1", regions: [{ start: 0x0800_0000, pageSize: 1024, count: GENERIC_FLASH_SIZE / 1024 }] }],
      programUnit: 32,
    },
    ram: { base: 0x2000_0000, size: 4 * 1024, userStart: 0x2000_1000 },
    systemMemory: { base: 0, size: 0 },
    optionBytes: { address: 0, size: 0, fields: [] },
    bootloaderVersions: [],
    eraseCommand: 0x44,
    quirks: [
      "Generic profile: the erase command must be chosen from what Get lists (0x43 Erase or 0x44 Extended Erase).",
      "Generic profile: flash size and page layout are guesses; erase by page number only after checking them.",
    ],
  };
}

/** What {@linkcode resolveChip} found for a product ID. */
export interface ResolvedChip {
  /** The database entry, or a generic profile. */
  chip: ChipInfo;
  /** `true` when the product ID is in the database. */
  known: boolean;
  /** Text to show the user when the profile is generic. */
  warning?: string;
}

/** Returns the database entry for a product ID, or a generic profile with a warning to show the user. */
export function resolveChip(pid: number): ResolvedChip {
  const chip = chipByPid(pid);
  if (chip) return { chip, known: true };
  return {
    chip: genericChip(pid),
    known: false,
    warning: `unknown product ID ${formatPid(pid)}; using a generic profile — check flash size and page layout`,
  };
}
