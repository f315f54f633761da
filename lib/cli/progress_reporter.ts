/**
 * Run output for an interactive terminal: a progress bar for every long step, redrawn in place, with the amount
 * done, the rate and the time left; a line per finished step; a summary at the end.
 *
 * @module
 */

import { printable } from "./render.ts";
import type { FlashRecipeError } from "../errors.ts";
import type { RunReporter, RunResult, StepInfo } from "../recipe/reporter.ts";
import type { StepOutcome } from "../recipe/step.ts";
import type { TargetIdentity } from "../target/target.ts";
import { type Colours, colours } from "./colour.ts";
import type { Console, Terminal } from "./command.ts";
import { type ProgressUnit, progressUnit } from "./progress_units.ts";
import { formatRunSummary } from "./run_summary.ts";
import { stepPrefix } from "./text_reporter.ts";
import { formatBytes, formatDuration, formatRate, formatTimeLeft } from "./units.ts";

/** ECMA-48: carriage return, then Erase in Line (entire line). */
const CLEAR_LINE = "\r\x1b[2K";

/** Options of {@linkcode ProgressReporter}. */
export interface ProgressReporterOptions {
  /** The terminal the bar is drawn on. */
  terminal: Terminal;
  /** Colours (off by default). */
  colour?: Colours;
  /** Clock in milliseconds; `performance.now` by default (tests pass a fake one). */
  now?: () => number;
  /** Least time between two redraws of a bar, ms (default 100); the first and the last are always drawn. */
  redrawIntervalMs?: number;
}

/** What {@linkcode renderProgressLine} draws. */
export interface ProgressState {
  /** Text before the bar, e.g. `[3/5] write   `. */
  prefix: string;
  /** Amount done. */
  done: number;
  /** Total amount. */
  total: number;
  /** What the amounts count. */
  unit: ProgressUnit;
  /** Time since the step began, ms. */
  elapsedMs: number;
  /** Terminal width in columns. */
  columns: number;
}

/** Smallest bar worth drawing, in cells. */
const MIN_BAR = 10;

/**
 * One progress line that fits in `columns - 1` cells (the last column is left free so no terminal wraps):
 * `[3/5] write    [#########.........]  48%  31.0 KiB/64.0 KiB  10.3 KiB/s  0:04 left`. The bar is left out
 * when the terminal is too narrow; then the figures are cut from the right.
 */
export function renderProgressLine(state: ProgressState): string {
  const fraction = state.total > 0 ? Math.min(1, state.done / state.total) : 0;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const amount = state.unit === "bytes"
    ? `${formatBytes(state.done)}/${formatBytes(state.total)}`
    : `${state.done}/${state.total} ${state.unit}`;
  const seconds = state.elapsedMs / 1000;
  const rate = seconds > 0 ? state.done / seconds : 0;
  const figures = [percent, amount];
  if (rate > 0) {
    figures.push(state.unit === "bytes" ? formatRate(rate) : `${rate.toFixed(1)} ${state.unit}/s`);
    figures.push(`${formatTimeLeft(((state.total - state.done) / rate) * 1000)} left`);
  }
  const tail = figures.join("  ");
  const room = state.columns - 1 - state.prefix.length - tail.length - 4; // " [" + "] " around the bar
  if (room >= MIN_BAR) {
    const filled = Math.round(fraction * room);
    return `${state.prefix} [${"#".repeat(filled)}${".".repeat(room - filled)}] ${tail}`;
  }
  return `${state.prefix} ${tail}`.slice(0, Math.max(0, state.columns - 1));
}

/** Draws a run on an interactive terminal. */
export class ProgressReporter implements RunReporter {
  readonly #console: Console;
  readonly #terminal: Terminal;
  readonly #colour: Colours;
  readonly #now: () => number;
  readonly #interval: number;
  #stepStarted = 0;
  #lastDraw = -Infinity;
  #barShown = false;

  constructor(console: Console, options: ProgressReporterOptions) {
    this.#console = console;
    this.#terminal = options.terminal;
    this.#colour = options.colour ?? colours(false);
    this.#now = options.now ?? (() => performance.now());
    this.#interval = options.redrawIntervalMs ?? 100;
  }

  runStart(recipeName: string, stepCount: number): void {
    this.#console.out(`${this.#colour.bold(printable(recipeName))} (${stepCount} steps)`);
  }

  stepStart(step: StepInfo): void {
    this.#stepStarted = this.#now();
    this.#lastDraw = -Infinity;
    this.#terminal.write(`${CLEAR_LINE}${this.#label(step)} ...`);
    this.#barShown = true;
  }

  progress(step: StepInfo, done: number, total: number): void {
    const now = this.#now();
    if (done < total && now - this.#lastDraw < this.#interval) return;
    this.#lastDraw = now;
    const line = renderProgressLine({
      prefix: this.#label(step),
      done,
      total,
      unit: progressUnit(step.type),
      elapsedMs: now - this.#stepStarted,
      columns: this.#terminal.columns(),
    });
    this.#terminal.write(CLEAR_LINE + line);
    this.#barShown = true;
  }

  info(step: StepInfo | undefined, message: string): void {
    this.#clear();
    this.#console.err(`${step ? `${stepPrefix(step)} ` : ""}${this.#colour.yellow("note")}: ${printable(message)}`);
  }

  identity(_identity: TargetIdentity): void {}

  stepEnd(step: StepInfo, outcome: StepOutcome, durationMs: number): void {
    this.#clear();
    this.#console.out(
      `${this.#label(step)} ${this.#colour.green("ok")} ${printable(outcome.summary)} ${
        this.#colour.dim(`(${formatDuration(durationMs)})`)
      }`,
    );
  }

  stepFailed(step: StepInfo, error: FlashRecipeError, durationMs: number): void {
    this.#clear();
    this.#console.out(`${this.#label(step)} ${this.#colour.red("FAILED")} after ${formatDuration(durationMs)}`);
    this.#console.err(`${this.#colour.red(`error[${error.code}]`)}: ${printable(error.userMessage())}`);
  }

  runEnd(result: RunResult): void {
    this.#clear();
    for (const line of formatRunSummary(result, this.#colour)) this.#console.out(line);
  }

  #label(step: StepInfo): string {
    return `${stepPrefix(step)} ${printable(step.label).padEnd(8)}`;
  }

  #clear(): void {
    if (this.#barShown) this.#terminal.write(CLEAR_LINE);
    this.#barShown = false;
  }
}
