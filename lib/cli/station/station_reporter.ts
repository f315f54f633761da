/**
 * The technician's view of one board at a station: a single line that says what the board is doing — the step, its
 * progress bar and time left — redrawn in place on a terminal, and nothing else until the big PASS/FAIL. The
 * engineer's view (every step line and the summary table) is `station -v`.
 *
 * @module
 */

import type { FlashRecipeError } from "../../errors.ts";
import type { ProgressUnit, RunReporter, RunResult, StepInfo } from "../../recipe/reporter.ts";
import type { StepOutcome } from "../../recipe/step.ts";
import type { TargetIdentity } from "../../target/target.ts";
import type { Colours } from "../colour.ts";
import type { Console } from "../command.ts";
import { renderProgressLine } from "../progress_reporter.ts";
import { progressUnit } from "../progress_units.ts";

/** ECMA-48: carriage return, then Erase in Line (entire line). */
const CLEAR_LINE = "\r\x1b[2K";

/** Options of {@linkcode StationBoardReporter}. */
export interface StationBoardReporterOptions {
  /** The board's number at this station, from 1. */
  board: number;
  /** Colours. */
  colour: Colours;
  /** Clock, ms; `performance.now` by default. */
  now?: () => number;
}

/** One status line per board: redrawn on a terminal, silent elsewhere (the PASS/FAIL line says it all). */
export class StationBoardReporter implements RunReporter {
  readonly #console: Console;
  readonly #options: StationBoardReporterOptions;
  readonly #now: () => number;
  #phaseStarted = 0;
  #last?: { done: number; total: number; unit: ProgressUnit };
  #shown = false;
  #lastDraw = -Infinity;

  constructor(console: Console, options: StationBoardReporterOptions) {
    this.#console = console;
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
  }

  runStart(): void {}

  stepStart(step: StepInfo): void {
    this.#phaseStarted = this.#now();
    this.#last = undefined;
    this.#draw(`${this.#prefix(step)} ...`);
  }

  progress(step: StepInfo, done: number, total: number, unit: ProgressUnit = progressUnit(step.type)): void {
    const now = this.#now();
    const last = this.#last;
    if (last && (last.unit !== unit || last.total !== total || done < last.done)) this.#phaseStarted = now;
    this.#last = { done, total, unit };
    if (done < total && now - this.#lastDraw < 100) return;
    const terminal = this.#console.terminal;
    if (!terminal) return;
    this.#lastDraw = now;
    this.#draw(renderProgressLine({
      prefix: this.#prefix(step),
      done,
      total,
      unit,
      elapsedMs: now - this.#phaseStarted,
      columns: terminal.columns(),
    }));
  }

  info(): void {}

  warning(message: string): void {
    this.#clear();
    this.#console.err(`${this.#options.colour.yellow("warning")}: ${message}`);
  }

  identity(_identity: TargetIdentity): void {}

  stepEnd(_step: StepInfo, _outcome: StepOutcome, _durationMs: number): void {}

  stepFailed(_step: StepInfo, _error: FlashRecipeError, _durationMs: number): void {
    this.#clear();
  }

  runEnd(_result: RunResult): void {
    this.#clear();
  }

  #prefix(step: StepInfo): string {
    return `board ${this.#options.board}  [${step.index + 1}/${step.count}] ${step.label.padEnd(8)}`;
  }

  #draw(line: string): void {
    const terminal = this.#console.terminal;
    if (!terminal) return;
    terminal.write(CLEAR_LINE + line.slice(0, Math.max(0, terminal.columns() - 1)));
    this.#shown = true;
  }

  #clear(): void {
    if (this.#shown) this.#console.terminal?.write(CLEAR_LINE);
    this.#shown = false;
  }
}
