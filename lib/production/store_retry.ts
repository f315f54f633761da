/**
 * What a station does when the production store cannot be reached mid-shift: `stop` (the error ends the station
 * before another board is touched) or `wait` (it says so and tries again every few seconds until the store answers
 * or the technician stops it). Either way no board is flashed without its record.
 *
 * @module
 */

import { FlashRecipeError } from "../errors.ts";

/** `--on-db-error`: what to do when the store cannot be written. */
export type StoreErrorPolicy = "wait" | "stop";

/** The policies, for option parsing. */
export const STORE_ERROR_POLICIES: readonly StoreErrorPolicy[] = ["wait", "stop"];

/** Options of {@linkcode withStoreRetry}. */
export interface StoreRetryOptions {
  /** The policy. */
  policy: StoreErrorPolicy;
  /** Ends the waiting (Ctrl-C): the call then resolves `undefined`. */
  signal?: AbortSignal;
  /** Told of each failure while waiting. */
  notify(message: string): void;
  /** Time between attempts, ms (default 2000). */
  intervalMs?: number;
}

/** Runs `work`; on an `E_STORE` failure stops (throws) or waits and tries again, as the policy says. */
export async function withStoreRetry<T>(work: () => Promise<T>, options: StoreRetryOptions): Promise<T | undefined> {
  const interval = options.intervalMs ?? 2000;
  for (let attempt = 1;; attempt++) {
    if (options.signal?.aborted) return undefined;
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof FlashRecipeError) || error.code !== "E_STORE" || options.policy === "stop") throw error;
      options.notify(`${error.message}; trying again in ${interval / 1000} s (attempt ${attempt}; Ctrl-C stops)`);
      if (!await pause(interval, options.signal)) return undefined;
    }
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
