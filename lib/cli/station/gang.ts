/**
 * Gang flashing: one station process, several slots (a port, a USB device or a simulated chip each), every slot
 * running its own boards at the same time. Each slot waits for its own board, writes the board's record through the
 * shared production session before touching it, runs the recipe, completes the record and appends the flat log line
 * — exactly as a one-board station does — while the other slots go on. Serial numbers come from the store's
 * transactions, so slots of one process draw them as distinct stations would.
 *
 * Stopping: the first Ctrl-C ({@linkcode GangOptions.stop}) stops every slot that waits for a board at once and lets
 * every slot with a board finish and record it; {@linkcode Gang.abortInProgress} (the second Ctrl-C) records every
 * board still in progress as `ABORTED`. `--boards N` counts boards across all slots.
 *
 * @module
 */

import type { JsonEventWriter } from "../json_reporter.ts";
import { chooseReporter } from "../reporters.ts";
import type { Console } from "../command.ts";
import { describeIdentity } from "../run_summary.ts";
import { formatDuration } from "../units.ts";
import { VERSION } from "../version.ts";
import type { BoardSource } from "./board_source.ts";
import type { StationLog } from "./log_writer.ts";
import type { SlotScreen } from "./slot_screen.ts";
import { StationBoards } from "./station_boards.ts";
import type { StationTally } from "./tally.ts";
import type { Recipe } from "../../recipe/load.ts";
import type { RunReporter } from "../../recipe/reporter.ts";
import type { RunFlags } from "../../recipe/step.ts";
import type { BoardStart } from "../../production/record.ts";
import type { BoardsInProgress } from "../../production/recorded_board.ts";
import type { StationSession } from "../../production/store.ts";
import type { StoreErrorPolicy } from "../../production/store_retry.ts";

/** One slot of a gang station. */
export interface GangSlot {
  /** Its name on screen and in events: its number and what it waits on, e.g. `2 /dev/ttyUSB1`. */
  name: string;
  /** Where its boards come from. */
  source: BoardSource;
}

/** What a gang station runs with. */
export interface GangOptions {
  /** The recipe, validated. */
  recipe: Recipe;
  /** Command-line confirmations. */
  flags: RunFlags;
  /** The slots, at least one. */
  slots: readonly GangSlot[];
  /** The station's session in the production store, shared by every slot. */
  session: StationSession;
  /** What every board's record starts with. */
  start: BoardStart;
  /** The flat per-board log. */
  log: StationLog;
  /** The station's name (log lines). */
  station: string;
  /** sha256 of the firmware (log lines). */
  firmwareSha256: string;
  /** Boards to run across all slots (Infinity: until stopped). */
  limit: number;
  /** What to do when the store cannot be written. */
  policy: StoreErrorPolicy;
  /** The technician's screen. */
  screen: SlotScreen;
  /** The counts. */
  tally: StationTally;
  /** The console, for JSON step events. */
  console: Console;
  /** `--json`: events on stdout, each with its slot and board. */
  json?: JsonEventWriter;
  /** Asks the technician (a recipe's prompt step); one question at a time across slots. */
  ask(question: string): Promise<boolean>;
  /** Aborts on the first Ctrl-C. */
  stop: AbortSignal;
}

/** A gang station's run. */
export class Gang {
  readonly #options: GangOptions;
  /** Ends the waits of every slot once the last board of `limit` is claimed. */
  readonly #enough = new AbortController();
  readonly #signal: AbortSignal;
  readonly #boards: StationBoards;
  #claimed = 0;
  #askTail: Promise<unknown> = Promise.resolve();
  #failure: { error: unknown } | undefined;

  constructor(options: GangOptions) {
    if (options.slots.length === 0) throw new RangeError("a gang station needs at least one slot");
    this.#options = options;
    this.#signal = AbortSignal.any([options.stop, this.#enough.signal]);
    this.#boards = new StationBoards(options);
  }

  /** Boards whose record is written and not yet completed. */
  get inProgress(): number {
    return this.#boards.inProgress.size;
  }

  /**
   * Runs every slot until it is stopped, its source ends, or `limit` boards are claimed; resolves once every slot
   * has finished its board. The first error a slot throws (e.g. the store failed after a board) stops the others
   * like a Ctrl-C and is thrown once they are done.
   */
  async run(): Promise<void> {
    await Promise.all(this.#options.slots.map((_, index) => this.#runSlot(index)));
    if (this.#failure) throw this.#failure.error;
  }

  /** The boards whose record is written and not yet completed (the second Ctrl-C records them as `ABORTED`). */
  get boardsInProgress(): BoardsInProgress {
    return this.#boards.inProgress;
  }

  /**
   * Records every board in progress as `ABORTED` (the second Ctrl-C); resolves when every record is written or
   * failed to be.
   */
  async abortInProgress(): Promise<void> {
    await this.#boards.inProgress.abortAll();
  }

  async #runSlot(index: number): Promise<void> {
    const { screen } = this.#options;
    try {
      while (!this.#signal.aborted && this.#claimed < this.#options.limit) {
        if (!await this.#runBoard(index)) break;
      }
    } catch (error) {
      this.#failure ??= { error };
      this.#enough.abort();
    } finally {
      screen.stopped(index);
    }
  }

  /** Waits for the slot's next board and runs it; false when the slot stops instead. */
  async #runBoard(index: number): Promise<boolean> {
    const options = this.#options;
    const { screen, json } = options;
    const slot = options.slots[index];
    const connector = await slot.source.next(this.#signal);
    if (!connector) return false;
    if (this.#claimed >= options.limit || this.#signal.aborted) {
      await connector.close();
      return false;
    }
    const board = ++this.#claimed;
    if (this.#claimed >= options.limit) this.#enough.abort();
    screen.boardStart(index, board);
    const notify = (message: string) => {
      if (json) json.emit({ event: "station-wait", slot: index + 1, message });
      else screen.message(`[slot ${slot.name}] ${message}`);
    };
    const events = json?.with({ slot: index + 1, board });
    const done = await this.#boards.run({
      connector,
      notify,
      stop: options.stop,
      reporter: (): RunReporter =>
        events
          ? chooseReporter(options.console, { json: events, file: options.recipe.file, version: VERSION })
          : screen.reporter(index),
      ask: (question) => this.#ask(`[slot ${slot.name}] ${question}`),
    });
    if (!done) return false;
    const { result, record, stored, storeFailure } = done;
    if (events) {
      events.emit({ event: "board-end", record: { ...record }, recordId: stored?.id });
    } else {
      const who = result.identity ? describeIdentity(result.identity) : "no chip";
      const serial = result.serialNumber ? `, serial ${result.serialNumber}` : "";
      const error = result.error ? ` — error[${result.error.code}] ${result.error.message}` : "";
      screen.boardEnd(index, board, result, `${who}${serial}, ${formatDuration(result.durationMs)}${error}`);
    }
    // The store failed after the board was flashed: the board is in the log and its row stays IN_PROGRESS (marked
    // INTERRUPTED when this station starts again); the whole station stops before another board.
    if (storeFailure) throw storeFailure.error;
    return true;
  }

  /** One question on the terminal at a time. */
  #ask(question: string): Promise<boolean> {
    const next = this.#askTail.then(() => this.#options.ask(question));
    this.#askTail = next.catch(() => undefined);
    return next;
  }
}
