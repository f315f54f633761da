/**
 * What `erase: needed` found and left unerased, for the `write` and `verify` steps after it:
 * - the pages that already held the recipe's images (so were not erased) must not be written either — programming
 *   over unerased flash is refused by the chips (or corrupts it) — and need no verify;
 * - on a blank chip, the pages an image fills were left unerased too (lib/target/blank_pages.ts): the `write` step
 *   programs them and reads them back, erasing and writing again any that held data after all; the pages it so
 *   proved need no verify either.
 * Kept per connected target, so a reconnect starts afresh; any other erase, protection or option-byte change
 * forgets it.
 *
 * @module
 */

import type { FlashPage } from "../../chips/layout.ts";
import type { Target } from "../../target/target.ts";

/** Pages `erase: needed` left alone, among the target's flash pages. */
export interface UnchangedRecord {
  /** The target's flash pages. */
  pages: readonly FlashPage[];
  /** Indexes of the pages proven to hold the planned images, left as they were. */
  unchanged: ReadonlySet<number>;
  /** Indexes of pages probably blank, not erased: a `write` step programs and proves them (and drops them here). */
  unerased: Set<number>;
  /** Indexes of pages a `write` step programmed without an erase and read back: they hold what it wrote. */
  proven: Set<number>;
}

const records = new WeakMap<Target, UnchangedRecord>();

/** Remembers what `erase: needed` left alone on `target`. */
export function recordUnchanged(target: Target, record: UnchangedRecord): void {
  records.set(target, record);
}

/** What `erase: needed` left alone on `target`, if anything. */
export function unchangedOn(target: Target): UnchangedRecord | undefined {
  return records.get(target);
}

/** Forgets the record: the flash changed in a way it does not describe. */
export function forgetUnchanged(target: Target): void {
  records.delete(target);
}

/** The pages neither to write nor to verify again: unchanged ones, and those a write proved (empty: no record). */
export function settledPages(record: UnchangedRecord | undefined): Set<number> {
  return new Set(record ? [...record.unchanged, ...record.proven] : []);
}
