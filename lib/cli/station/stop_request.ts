/**
 * Ctrl-C at a station: the first one lets the board in progress finish (its record is written) and then stops;
 * while the station waits for a board it stops at once. A second Ctrl-C quits at once (the station first records
 * the board in progress as `ABORTED`, waiting a bounded time for the store) — the log is still whole, because every
 * record is written with a single `write` call.
 *
 * @module
 */

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
