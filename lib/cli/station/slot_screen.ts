/**
 * What a technician sees at a gang station (several boards at once): one line per slot — its state, the step and
 * progress of the board on it, the last result — and a line of totals (passed, failed, yield). On an interactive
 * terminal the block is redrawn in place (at most ten times a second, so a fast flash does not flood the terminal);
 * elsewhere (pipes, files, CI logs) each slot's events are plain lines prefixed with the slot, one per board start
 * and end, with the totals after each board.
 *
 * The screen only shows; the gang loop (gang.ts) tells it what happened through {@linkcode SlotScreen}'s methods and
 * the per-slot {@linkcode RunReporter} from {@linkcode SlotScreen.reporter}.
 *
 * @module
 */

import type { Colours } from "../colour.ts";
import type { Console, Terminal } from "../command.ts";
import type { RunReporter, RunResult } from "../../recipe/reporter.ts";
import { formatDuration } from "../units.ts";
import { formatTally, type StationTally } from "./tally.ts";
import { boardResult } from "./record.ts";

/** What a slot is doing. */
export type SlotState = "waiting" | "recording" | "running" | "stopped";

/** One slot as the screen shows it. */
export interface SlotView {
  /** The slot's name: its number and port, e.g. `2 /dev/ttyUSB1`. */
  name: string;
  /** What it is doing. */
  state: SlotState;
  /** The board number (station-wide) on the slot, while one is. */
  board?: number;
  /** The current step, e.g. `3/6 write blinky.hex`. */
  step?: string;
  /** Progress of the current step. */
  progress?: { done: number; total: number };
  /** The last board's result, e.g. `PASS #4 SN 1003 2.1 s`. */
  last?: string;
  /** Whether the last board passed. */
  lastOk?: boolean;
  /** What the slot waits for (`connect the next board`). */
  note?: string;
}

/** Shortest time between two redraws of the block on a terminal, ms. */
export const REDRAW_INTERVAL_MS = 100;

/**
 * One slot as a line of at most `width` columns (before colours); `nameWidth` pads the slot's name so the slots'
 * columns line up.
 */
export function renderSlotLine(view: SlotView, width: number, colour: Colours, nameWidth = 0): string {
  let activity: string;
  switch (view.state) {
    case "waiting":
      activity = view.note ?? "waiting for a board";
      break;
    case "recording":
      activity = `board ${view.board ?? "?"}: recording`;
      break;
    case "running": {
      const percent = view.progress && view.progress.total > 0
        ? ` ${Math.floor((view.progress.done * 100) / view.progress.total)}%`
        : "";
      activity = `board ${view.board ?? "?"}: ${view.step ?? "starting"}${percent}`;
      break;
    }
    case "stopped":
      activity = "stopped";
      break;
  }
  const head = `slot ${view.name.padEnd(nameWidth)}`;
  const last = view.last ? `last ${view.last}` : "";
  // The last result is kept whole when it fits; the activity gives way first.
  const room = Math.max(8, width - head.length - last.length - 6);
  const text = `${head}  ${fit(activity, room).padEnd(Math.min(room, 40))}  ${last}`.trimEnd();
  const line = fit(text, width);
  if (!view.last || line !== text) return line;
  const paint = view.lastOk ? colour.green : colour.red;
  return line.slice(0, line.length - last.length) + paint(last);
}

/** The block: one line per slot, then the totals. */
export function renderSlotBlock(
  views: readonly SlotView[],
  tally: StationTally,
  width: number,
  colour: Colours,
): string[] {
  const nameWidth = Math.max(...views.map((view) => view.name.length));
  return [...views.map((view) => renderSlotLine(view, width, colour, nameWidth)), formatTally(tally, colour)];
}

/** The last result of a board, as a slot line shows it: `PASS #4 SN 1003 2.1 s`, `FAIL #5 E_NO_RESPONSE 0.5 s`. */
export function lastResultText(board: number, result: RunResult): string {
  const serial = result.serialNumber ? ` SN ${result.serialNumber}` : "";
  const code = result.error ? ` ${result.error.code}` : "";
  return `${boardResult(result)} #${board}${serial}${code} ${formatDuration(result.durationMs)}`;
}

function fit(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(0, width - 1)) + "…";
}

/** Options of {@linkcode SlotScreen}. */
export interface SlotScreenOptions {
  /** The slots' names, in order. */
  names: readonly string[];
  /** The station's counts, shown on the totals line. */
  tally: StationTally;
  /** Colours. */
  colour: Colours;
  /** Only each board's result line (`--quiet`); never a live block. */
  quiet?: boolean;
}

/** The gang station's screen: a live block on a terminal, plain lines elsewhere. */
export class SlotScreen {
  readonly #console: Console;
  readonly #terminal: Terminal | undefined;
  readonly #views: SlotView[];
  readonly #tally: StationTally;
  readonly #colour: Colours;
  readonly #quiet: boolean;
  /** Lines of the block now on the terminal (0: none drawn). */
  #drawn = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastDraw = 0;

  constructor(console: Console, options: SlotScreenOptions) {
    this.#console = console;
    this.#quiet = options.quiet === true;
    this.#terminal = this.#quiet ? undefined : console.terminal;
    this.#views = options.names.map((name) => ({ name, state: "waiting" }));
    this.#tally = options.tally;
    this.#colour = options.colour;
  }

  /** True when the block is redrawn in place (an interactive terminal). */
  get live(): boolean {
    return this.#terminal !== undefined;
  }

  /** The slots as shown now (for tests). */
  get views(): readonly SlotView[] {
    return this.#views;
  }

  /** A line above the block (live) or on stderr (plain): a notice, a warning. */
  message(text: string): void {
    if (!this.#terminal) return this.#console.err(text);
    this.#erase();
    this.#terminal.write(text + "\n");
    this.#draw();
  }

  /** Slot `slot` waits for its next board; `note` says what for. */
  waiting(slot: number, note: string): void {
    const view = this.#views[slot];
    const changed = view.note !== note || view.state !== "waiting";
    Object.assign(view, { state: "waiting", note, board: undefined, step: undefined, progress: undefined });
    if (!changed) return;
    if (this.#terminal) this.#schedule();
    else if (!this.#quiet) this.#console.err(`[slot ${view.name}] ${note}`);
  }

  /** Slot `slot` has board number `board`: its record is being written. */
  boardStart(slot: number, board: number): void {
    const view = this.#views[slot];
    Object.assign(view, { state: "recording", board, note: undefined, step: undefined, progress: undefined });
    if (this.#terminal) this.#schedule();
    else if (!this.#quiet) this.#console.out(`[slot ${view.name}] board ${board}: started`);
  }

  /** The board on slot `slot` ended with `result` (already counted in the tally); `detail` says who it was. */
  boardEnd(slot: number, board: number, result: RunResult, detail: string): void {
    const view = this.#views[slot];
    Object.assign(view, {
      state: "waiting",
      board: undefined,
      step: undefined,
      progress: undefined,
      last: lastResultText(board, result),
      lastOk: boardResult(result) === "PASS",
      note: undefined,
    });
    const word = boardResult(result);
    const paint = word === "PASS" ? this.#colour.green : word === "UNVERIFIED" ? this.#colour.yellow : this.#colour.red;
    const line = `[slot ${view.name}] ${paint(word)} board ${board}: ${detail}`;
    if (this.#terminal) {
      // The result stays in the scrollback above the block: the history of the shift.
      this.#erase();
      this.#terminal.write(line + "\n");
      this.#draw();
      return;
    }
    this.#console.out(line);
    if (!this.#quiet) this.#console.out(formatTally(this.#tally, this.#colour));
  }

  /** Slot `slot` will take no more boards. */
  stopped(slot: number): void {
    Object.assign(this.#views[slot], { state: "stopped", note: undefined, step: undefined, progress: undefined });
    if (this.#terminal) this.#schedule();
  }

  /** The reporter of the board on slot `slot`: it moves the slot's step and progress. */
  reporter(slot: number): RunReporter {
    const view = this.#views[slot];
    const update = () => {
      if (this.#terminal) this.#schedule();
    };
    return {
      runStart: () => {
        view.state = "running";
        update();
      },
      stepStart: (step) => {
        view.state = "running";
        view.step = `${step.index + 1}/${step.count} ${step.label}`;
        view.progress = undefined;
        update();
      },
      progress: (_step, done, total) => {
        view.state = "running";
        view.progress = { done, total };
        update();
      },
      info: () => {},
      identity: () => {},
      stepEnd: () => {},
      stepFailed: (step, error) => {
        view.step = `${step.index + 1}/${step.count} ${step.label}: ${error.code}`;
        update();
      },
      runEnd: () => {},
    };
  }

  /** Draws the final block (live) and stops redrawing. */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#terminal) {
      this.#erase();
      this.#draw();
    }
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    const wait = Math.max(0, this.#lastDraw + REDRAW_INTERVAL_MS - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#erase();
      this.#draw();
    }, wait);
  }

  /** Moves to the block's first line and clears to the end of the screen. */
  #erase(): void {
    if (!this.#terminal || this.#drawn === 0) return;
    this.#terminal.write(`\x1b[${this.#drawn}A\r\x1b[J`);
    this.#drawn = 0;
  }

  #draw(): void {
    if (!this.#terminal) return;
    const width = Math.max(20, this.#terminal.columns() - 1);
    const lines = renderSlotBlock(this.#views, this.#tally, width, this.#colour);
    this.#terminal.write(lines.map((line) => line + "\n").join(""));
    this.#drawn = lines.length;
    this.#lastDraw = performance.now();
  }
}
