/**
 * One board at a station, under its production record — the order every station (one board at a time or a gang)
 * keeps: the board's `IN_PROGRESS` record is written first (a board the store cannot record is never touched), then
 * the recipe runs, then the record is completed with the result. Store failures are retried or stop the station as
 * the `--on-db-error` policy says (lib/production/store_retry.ts). The boards whose record is written and not yet
 * completed are kept in a {@linkcode BoardsInProgress}, so a second Ctrl-C can record them as `ABORTED`.
 *
 * @module
 */

import type { RunResult } from "../recipe/reporter.ts";
import { BoardRecording } from "./board_recording.ts";
import type { BoardStart, ProductionRecord } from "./record.ts";
import type { StationSession } from "./store.ts";
import { type StoreErrorPolicy, withStoreRetry } from "./store_retry.ts";

/** The boards of a station whose record is written and not yet completed. */
export class BoardsInProgress {
  readonly #boards = new Set<BoardRecording>();

  /** How many boards are in progress. */
  get size(): number {
    return this.#boards.size;
  }

  /** `recording`'s board is in progress. */
  add(recording: BoardRecording): void {
    this.#boards.add(recording);
  }

  /** `recording`'s board is done (its record completed, or failed to be). */
  delete(recording: BoardRecording): void {
    this.#boards.delete(recording);
  }

  /**
   * Records every board in progress as `ABORTED` (the second Ctrl-C); resolves when every record is written or
   * failed to be.
   */
  async abortAll(): Promise<void> {
    await Promise.allSettled([...this.#boards].map((recording) => recording.abort()));
  }
}

/** Options of {@linkcode runRecordedBoard}. */
export interface RecordedBoardOptions {
  /** The station's session in the production store. */
  session: StationSession;
  /** What the board's record starts with. */
  start: BoardStart;
  /** What to do when the store cannot be written. */
  policy: StoreErrorPolicy;
  /** Told of each store failure while waiting (`--on-db-error wait`). */
  notify(message: string): void;
  /** The first Ctrl-C: ends the wait for the board's first record (the board is then not touched). */
  stop: AbortSignal;
  /** Where the board is kept while its record is open. */
  inProgress: BoardsInProgress;
  /** Runs the recipe on the board; called only once its record is written. */
  run(recording: BoardRecording): Promise<RunResult>;
  /** Lets the board go (closes its connection): after the run, or at once when no record was written. */
  release(): Promise<void>;
}

/** What became of a recorded board. */
export interface RecordedBoard {
  /** The recipe run's result. */
  result: RunResult;
  /** The completed record, unless the store failed. */
  stored?: ProductionRecord;
  /**
   * The store failed to complete the record after the board was run: the board's row stays `IN_PROGRESS` (marked
   * `INTERRUPTED` when the station starts again); the station logs the board and then stops with this error.
   */
  storeFailure?: { error: unknown };
}

/**
 * Records the board, runs it and completes its record; `undefined` when the stop came before its record was written
 * (the board was not touched). Throws when the first record cannot be written (the board was not touched either).
 */
export async function runRecordedBoard(options: RecordedBoardOptions): Promise<RecordedBoard | undefined> {
  const retry = { policy: options.policy, notify: options.notify };
  // The record comes first: a board the store cannot record is never touched.
  let recording: BoardRecording | undefined;
  try {
    recording = await withStoreRetry(() => BoardRecording.begin(options.session, options.start), {
      ...retry,
      signal: options.stop,
    });
  } finally {
    if (!recording) await options.release();
  }
  if (!recording) return undefined;
  options.inProgress.add(recording);
  let result: RunResult;
  try {
    result = await options.run(recording);
  } finally {
    await options.release();
  }
  // The first Ctrl-C does not cut this wait short: a flashed board gets its record before the station stops.
  const done = recording;
  let stored: ProductionRecord | undefined;
  let storeFailure: { error: unknown } | undefined;
  try {
    stored = await withStoreRetry(() => done.finish(result), retry);
  } catch (error) {
    storeFailure = { error };
  }
  options.inProgress.delete(recording);
  return { result, stored, storeFailure };
}
