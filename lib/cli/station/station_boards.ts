/**
 * The work a station does for each board, one board at a time (commands/station.ts) or on every slot of a gang
 * (gang.ts) alike: the board's record first through the production store, the recipe run, the record completed
 * (lib/production/recorded_board.ts), then the flat log line appended and the board counted. The caller renders
 * the result; the screens differ, the work does not.
 *
 * @module
 */

import { saveTrace } from "../debug_trace.ts";
import type { Connector } from "../connector.ts";
import { recordOf, type StationRecord } from "./record.ts";
import type { StationLog } from "./log_writer.ts";
import type { StationTally } from "./tally.ts";
import type { Recipe } from "../../recipe/load.ts";
import type { RunReporter } from "../../recipe/reporter.ts";
import { runRecipe } from "../../recipe/runner.ts";
import type { RunFlags } from "../../recipe/step.ts";
import type { BoardStart } from "../../production/record.ts";
import { BoardsInProgress, type RecordedBoard, runRecordedBoard } from "../../production/recorded_board.ts";
import type { StationSession } from "../../production/store.ts";
import type { StoreErrorPolicy } from "../../production/store_retry.ts";

/** What every board of a station runs with. */
export interface StationBoardsOptions {
  /** The recipe, validated. */
  recipe: Recipe;
  /** Command-line confirmations. */
  flags: RunFlags;
  /** The station's session in the production store. */
  session: StationSession;
  /** What every board's record starts with. */
  start: BoardStart;
  /** What to do when the store cannot be written. */
  policy: StoreErrorPolicy;
  /** The flat per-board log. */
  log: StationLog;
  /** The station's name (log lines). */
  station: string;
  /** sha256 of the firmware (log lines). */
  firmwareSha256: string;
  /** The counts. */
  tally: StationTally;
}

/** One board's turn: what differs between a one-board station and a gang's slots. */
export interface BoardTurn {
  /** The board's connection; closed once the board is done (or at once when it cannot be recorded). */
  connector: Connector;
  /** Told of store failures while the station waits for the store. */
  notify(message: string): void;
  /** The first Ctrl-C: ends the wait for the board's first record. */
  stop: AbortSignal;
  /** The reporter of the run, asked for once the board's record is written. */
  reporter(): RunReporter;
  /** Called when the recipe run has ended, before the connection is closed. */
  runEnded?(): void;
  /** Asks the technician a yes/no question (a recipe's prompt step). */
  ask(question: string): Promise<boolean>;
}

/** A board done: its run and record, and the line the log got. */
export interface BoardDone extends RecordedBoard {
  /** The log line's record. */
  record: StationRecord;
}

/** The boards of one station run. */
export class StationBoards {
  readonly #options: StationBoardsOptions;
  /** The boards whose record is written and not yet completed (the second Ctrl-C aborts them). */
  readonly inProgress: BoardsInProgress = new BoardsInProgress();

  constructor(options: StationBoardsOptions) {
    this.#options = options;
  }

  /**
   * Runs one board under its record, appends its log line and counts it; `undefined` when the stop came before its
   * record was written (the board was not touched). The caller shows the result, then throws `storeFailure`: the
   * board is in the log, and the station stops before another board.
   */
  async run(turn: BoardTurn): Promise<BoardDone | undefined> {
    const options = this.#options;
    const { connector } = turn;
    const done = await runRecordedBoard({
      session: options.session,
      start: options.start,
      policy: options.policy,
      notify: turn.notify,
      stop: turn.stop,
      inProgress: this.inProgress,
      release: () => connector.close(),
      run: async (recording) => {
        try {
          return await runRecipe(options.recipe, {
            saveTrace,
            board: connector,
            flags: options.flags,
            ask: turn.ask,
            reporter: recording.observe(turn.reporter()),
            serials: recording.serials,
          });
        } finally {
          turn.runEnded?.();
        }
      },
    });
    if (!done) return undefined;
    const record = recordOf(done.result, {
      station: options.station,
      firmwareSha256: options.firmwareSha256,
      time: new Date(),
    });
    await options.log.append(record);
    // UNVERIFIED (written flash never checked) is no pass (lib/recipe/added_verify.ts).
    options.tally.add(record.result === "PASS");
    return { ...done, record };
  }
}
