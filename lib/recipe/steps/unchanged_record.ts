/**
 * What `erase: needed` found already in place, for the `write` steps after it: the pages that held the recipe's
 * images (so were not erased) must not be written either — programming over unerased flash is refused by the
 * chips (or corrupts it). Kept per connected target, so a reconnect starts afresh; any other erase forgets it.
 *
 * @module
 */

import type { FlashPage } from "../../chips/layout.ts";
import type { Target } from "../../target/target.ts";

/** Pages proven to hold the planned images, among the target's flash pages. */
export interface UnchangedRecord {
  /** The target's flash pages. */
  pages: readonly FlashPage[];
  /** Indexes of the pages left as they were. */
  unchanged: ReadonlySet<number>;
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
