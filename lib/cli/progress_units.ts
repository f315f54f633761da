/**
 * What a step's progress counts. The `Target` interface reports `done` of `total` "bytes (or units)": erase counts
 * pages/sectors, the data steps count bytes. Kept as a table by step type until the runner reports the unit.
 *
 * @module
 */

import type { ProgressUnit } from "../recipe/reporter.ts";

export type { ProgressUnit } from "../recipe/reporter.ts";

const UNIT_BY_STEP: Readonly<Record<string, ProgressUnit>> = {
  // UsartTarget.erase reports pages erased of pages requested (lib/target/usart_target.ts).
  erase: "pages",
};

/** The unit progress of a step of type `stepType` counts in. */
export function progressUnit(stepType: string): ProgressUnit {
  return UNIT_BY_STEP[stepType] ?? "bytes";
}
