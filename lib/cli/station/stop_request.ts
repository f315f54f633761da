/**
 * Ctrl-C at a station: the first one lets the board in progress finish (its record is written) and then stops;
 * while the station waits for a board it stops at once. A second Ctrl-C quits at once (the station first records
 * the board in progress as `ABORTED`, waiting a bounded time for the store) — the log is still whole, because every
 * record is written with a single `write` call.
 *
 * @module
 */

import type { BoardsInProgress } from "../../production/recorded_board.ts";

/** Exit code of a process stopped by a second Ctrl-C (128 + SIGINT, as shells report it). */
export const SECOND_INTERRUPT_EXIT = 130;

/** A stop the technician asked for. */
export class StopRequest {
  readonly #controller = new AbortController();
  #listener?: () => void;

  /** Aborts on the first Ctrl-C: cuts waiting short. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether a stop was asked for. */
  get requested(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Asks for a stop (what the first Ctrl-C does). */
  request(): void {
    this.#controller.abort();
  }

  /**
   * Listens for SIGINT: the first calls `onFirst` and requests the stop, the second calls `onSecond` (by default
   * exits with {@linkcode SECOND_INTERRUPT_EXIT}). Call {@linkcode StopRequest.uninstall} when the station ends.
   */
  install(onFirst: () => void, onSecond: () => void = () => Deno.exit(SECOND_INTERRUPT_EXIT)): void {
    this.#listener = () => {
      if (this.requested) return onSecond();
      onFirst();
      this.request();
    };
    Deno.addSignalListener("SIGINT", this.#listener);
  }

  /** Stops listening for SIGINT. */
  uninstall(): void {
    if (this.#listener) Deno.removeSignalListener("SIGINT", this.#listener);
    this.#listener = undefined;
  }
}

/** How long the second Ctrl-C waits for the `ABORTED` records before the process quits, ms. */
export const ABORT_RECORD_WAIT_MS = 3000;

/** Options of {@linkcode installStationStop}. */
export interface StationStopOptions {
  /** Says that the station stops once its boards in progress are done (the first Ctrl-C). */
  stopping(): void;
  /** The boards the second Ctrl-C records as `ABORTED`. */
  inProgress: BoardsInProgress;
  /** Runs just before the process quits on the second Ctrl-C (e.g. the final screen). */
  beforeExit?(): void;
}

/**
 * Ctrl-C at a station: the first one asks `stop` to stop (every board in progress finishes and is recorded); the
 * second records every board in progress as `ABORTED` — waiting for the store at most
 * {@linkcode ABORT_RECORD_WAIT_MS} — and quits with {@linkcode SECOND_INTERRUPT_EXIT}.
 */
export function installStationStop(stop: StopRequest, options: StationStopOptions): void {
  stop.install(options.stopping, () => {
    const bounded = new Promise((resolve) => setTimeout(resolve, ABORT_RECORD_WAIT_MS));
    Promise.race([options.inProgress.abortAll(), bounded]).finally(() => {
      options.beforeExit?.();
      Deno.exit(SECOND_INTERRUPT_EXIT);
    });
  });
}
