/**
 * The station's running count of boards, and the summary printed when it stops: counts and yield.
 *
 * @module
 */

import type { Colours } from "../colour.ts";

/** Counts of boards by result. */
export class StationTally {
  /** Boards that passed. */
  passed = 0;
  /** Boards that failed. */
  failed = 0;

  /** Counts one board. */
  add(ok: boolean): void {
    if (ok) this.passed++;
    else this.failed++;
  }

  /** Boards run. */
  get total(): number {
    return this.passed + this.failed;
  }

  /** Passed boards as a percentage of all boards, or `undefined` before the first board. */
  get yieldPercent(): number | undefined {
    return this.total === 0 ? undefined : (this.passed * 100) / this.total;
  }
}

/** `3 boards: 2 passed, 1 failed, yield 66.7%`. */
export function formatTally(tally: StationTally, colour: Colours): string {
  const yieldText = tally.yieldPercent === undefined ? "no yield" : `yield ${tally.yieldPercent.toFixed(1)}%`;
  const failed = tally.failed > 0 ? colour.red(`${tally.failed} failed`) : `${tally.failed} failed`;
  return `${tally.total} board${tally.total === 1 ? "" : "s"}: ${
    colour.green(`${tally.passed} passed`)
  }, ${failed}, ${yieldText}`;
}
