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
import { formatRunSummary, resultLine } from "./run_summary.ts";
import { unitName } from "../chips/layout.ts";
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
  /** No title line and no summary table (one-shot commands). */
  compact?: boolean;
  /**
   * Calls `tick` every `ms` until the returned function is called: the bar is redrawn at least once a second even
   * while no progress is reported (an erase, a slow sector), so elapsed time and the time left keep moving.
   * Default `setInterval` when `now` is the real clock; none when a test passes its own `now` and no ticker.
   */
  ticker?: (ms: number, tick: () => void) => () => void;
}

/** How often the bar is redrawn without news, ms. */
const TICK_MS = 500;

function intervalTicker(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  return () => clearInterval(timer);
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
  /** How to call the unit on screen when not its name, e.g. `sectors` for an F4's erase units. */
  unitName?: string;
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
    : `${state.done}/${state.total} ${state.unitName ?? state.unit}`;
  const seconds = state.elapsedMs / 1000;
  const rate = seconds > 0 ? state.done / seconds : 0;
  const rateText = rate > 0
    ? (state.unit === "bytes" ? formatRate(rate) : `${rate.toFixed(1)} ${state.unitName ?? state.unit}/s`)
    : "";
  const left = rate > 0 ? `${formatTimeLeft(((state.total - state.done) / rate) * 1000)} left` : "";
  const width = state.columns - 1;
  const join = (figures: string[]) => figures.filter((f) => f !== "").join("  ");
  const full = join([percent, amount, rateText, left]);
  const room = width - state.prefix.length - full.length - 4; // " [" + "] " around the bar
  if (room >= MIN_BAR) {
    const filled = Math.round(fraction * room);
    return `${state.prefix} [${"#".repeat(filled)}${".".repeat(room - filled)}] ${full}`;
  }
  // Narrower: the figures a waiting user needs most stay — the time left above all — and the rest go first.
  for (const tail of [full, join([percent, amount, left]), join([percent, left])]) {
    if (state.prefix.length + 1 + tail.length <= width) return `${state.prefix} ${tail}`;
  }
  const tail = join([percent, left]);
  const prefix = state.prefix.trimEnd().slice(0, Math.max(0, width - tail.length - 1));
  return `${prefix} ${tail}`.trimStart().slice(0, Math.max(0, width));
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
  readonly #compact: boolean;
  readonly #ticker?: (ms: number, tick: () => void) => () => void;
  #stopTicker: () => void = () => {};
  #last?: { step: StepInfo; done: number; total: number; unit: ProgressUnit };
  #eraseUnit = "pages";

  constructor(console: Console, options: ProgressReporterOptions) {
    this.#console = console;
    this.#terminal = options.terminal;
    this.#colour = options.colour ?? colours(false);
    this.#now = options.now ?? (() => performance.now());
    this.#interval = options.redrawIntervalMs ?? 100;
    this.#compact = options.compact ?? false;
    this.#ticker = options.ticker ?? (options.now ? undefined : intervalTicker);
  }

  runStart(recipeName: string, stepCount: number): void {
    if (!this.#compact) this.#console.out(`${this.#colour.bold(printable(recipeName))} (${stepCount} steps)`);
  }

  stepStart(step: StepInfo): void {
    this.#stepStarted = this.#now();
    this.#lastDraw = -Infinity;
    this.#last = undefined;
    this.#terminal.write(`${CLEAR_LINE}${this.#label(step)} ...`);
    this.#barShown = true;
    this.#stopTicker();
    this.#stopTicker = this.#ticker?.(TICK_MS, () => this.#tick(step)) ?? (() => {});
  }

  /** Redraws the last bar with the time gone since, or the step's elapsed time while it has reported nothing. */
  #tick(step: StepInfo): void {
    if (!this.#barShown) return;
    const now = this.#now();
    if (now - this.#lastDraw < this.#interval) return;
    if (this.#last) {
      this.#draw(this.#last.step, this.#last.done, this.#last.total, this.#last.unit, now);
    } else {
      const elapsed = formatDuration(now - this.#stepStarted);
      this.#terminal.write(`${CLEAR_LINE}${this.#label(step)} ... ${elapsed}`);
      this.#lastDraw = now;
    }
  }

  progress(step: StepInfo, done: number, total: number, unit: ProgressUnit = progressUnit(step.type)): void {
    const now = this.#now();
    // A new phase of the step (another unit, or a count starting again): its rate and time left start afresh.
    const previous = this.#last;
    if (previous && (previous.unit !== unit || previous.total !== total || done < previous.done)) {
      this.#stepStarted = now;
      this.#lastDraw = -Infinity;
    }
    this.#last = { step, done, total, unit };
    if (done < total && now - this.#lastDraw < this.#interval) return;
    this.#draw(step, done, total, unit, now);
  }

  #draw(step: StepInfo, done: number, total: number, unit: ProgressUnit, now: number): void {
    this.#lastDraw = now;
    const line = renderProgressLine({
      prefix: this.#label(step),
      done,
      total,
      unit,
      unitName: unit === "pages" ? this.#eraseUnit : undefined,
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

  warning(message: string): void {
    // Never inside a progress line: the bar is cleared first and redrawn by the next progress or tick.
    this.#clear();
    this.#console.err(`${this.#colour.yellow("warning")}: ${printable(message)}`);
  }

  identity(identity: TargetIdentity): void {
    // An F4 erases sectors: the bar says so (the JSON unit stays `pages`, docs/events.md).
    this.#eraseUnit = `${unitName(identity.chip)}s`;
  }

  stepEnd(step: StepInfo, outcome: StepOutcome, durationMs: number): void {
    this.#stopTicker();
    this.#clear();
    this.#console.out(
      `${this.#label(step)} ${this.#colour.green("ok")} ${printable(outcome.summary)} ${
        this.#colour.dim(`(${formatDuration(durationMs)})`)
      }`,
    );
  }

  stepFailed(step: StepInfo, error: FlashRecipeError, durationMs: number): void {
    this.#stopTicker();
    this.#clear();
    this.#console.out(`${this.#label(step)} ${this.#colour.red("FAILED")} after ${formatDuration(durationMs)}`);
    this.#console.err(`${this.#colour.red(`error[${error.code}]`)}: ${printable(error.userMessage())}`);
  }

  runEnd(result: RunResult): void {
    this.#stopTicker();
    this.#clear();
    const lines = this.#compact ? [resultLine(result, this.#colour)] : formatRunSummary(result, this.#colour);
    for (const line of lines) this.#console.out(line);
  }

  #label(step: StepInfo): string {
    return `${stepPrefix(step)} ${printable(step.label).padEnd(8)}`;
  }

  #clear(): void {
    if (this.#barShown) this.#terminal.write(CLEAR_LINE);
    this.#barShown = false;
  }
}
