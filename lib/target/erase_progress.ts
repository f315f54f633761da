/**
 * Progress for erases, which the bootloaders do not report: a USART Erase is one command answered by one ACK when
 * done (AN3155 §3.7-3.8), a DfuSe erase one GETSTATUS poll after another. Progress is estimated by the time gone
 * against the datasheet's typical erase time (lib/chips/flash_timing.ts) and reported at least once a second, never
 * reaching the total before the erase is done; where the target reports finished batches, those count too.
 *
 * @module
 */

import { flashPages } from "../chips/layout.ts";
import { expectedEraseMs } from "../chips/flash_timing.ts";
import type { EraseRequest, ProgressCallback, Target } from "./target.ts";

/** A clock and a ticker, injectable so that tests need not wait. */
export interface EraseProgressClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

/** Performance clock and `setInterval`. */
export const REAL_CLOCK: EraseProgressClock = {
  now: () => performance.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
  },
};

/** How often an estimate is reported, ms: well within the once-a-second the user sees something move. */
const TICK_MS = 250;

/**
 * Erases as `request` says through `target`, reporting `done` of `total` pages/sectors (for a mass erase, every
 * page of the flash) as the time gone suggests, and the true count whenever the target reports one.
 */
export async function eraseWithProgress(
  target: Target,
  request: EraseRequest,
  progress: ProgressCallback = () => {},
  clock: EraseProgressClock = REAL_CLOCK,
): Promise<void> {
  const { chip, flashSize } = target.identity;
  const total = request.kind === "all" ? flashPages(chip, flashSize).length : request.pages.length;
  const expected = expectedEraseMs(chip, flashSize, request.kind === "all" ? undefined : request.pages);
  await withTimedProgress(
    total,
    expected,
    progress,
    (report) => target.erase(request, (done, of) => report(Math.floor((done / of) * total))),
    clock,
  );
}

/**
 * Runs `work`, reporting `done` of `total` as the time gone against `expectedMs` suggests (held one short of the
 * total until `work` resolves) and whatever `work` reports itself through its `report`; never backwards. Without an
 * expected time only `work`'s own reports and the final total are made.
 */
export async function withTimedProgress<T>(
  total: number,
  expected: number | undefined,
  progress: ProgressCallback,
  work: (report: (done: number) => void) => Promise<T>,
  clock: EraseProgressClock = REAL_CLOCK,
): Promise<T> {
  let reported = 0;
  const report = (done: number) => {
    // Never backwards: an estimate ahead of the target's own count stays.
    if (done <= reported && done < total) return;
    reported = Math.max(reported, done);
    progress(reported, total);
  };
  const started = clock.now();
  const stop = expected && expected > 0
    ? clock.every(TICK_MS, () => {
      // Held one short of the total: only the bootloader's answer says the erase is done.
      const estimate = Math.floor(((clock.now() - started) / expected) * total);
      report(Math.min(total - 1, estimate));
    })
    : () => {};
  progress(0, total);
  let result: T;
  try {
    result = await work(report);
  } finally {
    stop();
  }
  report(total);
  return result;
}

/**
 * Removes read protection through `target`, which makes the chip mass-erase its flash (AN3155 §3.12) — 16 s on an
 * F4 without a word from the bootloader — reporting erased pages by the time gone against the mass erase time.
 */
export async function readoutUnprotectWithProgress(
  target: Target,
  unprotect: () => Promise<void>,
  progress: ProgressCallback = () => {},
  clock: EraseProgressClock = REAL_CLOCK,
): Promise<void> {
  const { chip, flashSize } = target.identity;
  const total = flashPages(chip, flashSize).length;
  await withTimedProgress(total, expectedEraseMs(chip, flashSize), progress, () => unprotect(), clock);
}
