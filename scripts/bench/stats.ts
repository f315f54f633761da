/**
 * Median and spread of repeated timings.
 *
 * @module
 */

/** Summary of several runs, in milliseconds. */
export interface Timing {
  /** Every run, in the order they ran. */
  runsMs: number[];
  /** The median run (the mean of the middle two for an even count). */
  medianMs: number;
  /** The fastest run. */
  minMs: number;
  /** The slowest run. */
  maxMs: number;
}

/** Summarises `runsMs` (at least one). */
export function summarise(runsMs: number[]): Timing {
  const sorted = [...runsMs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const medianMs = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { runsMs, medianMs, minMs: sorted[0], maxMs: sorted[sorted.length - 1] };
}
