/**
 * Plain-text run output for pipes, files and CI logs: one line per step with its result and duration, then a
 * summary. With `quiet`, only errors and the result line.
 *
 * @module
 */

import type { FlashRecipeError } from "../errors.ts";
import type { RunReporter, RunResult, StepInfo } from "../recipe/reporter.ts";
import type { StepOutcome } from "../recipe/step.ts";
import type { TargetIdentity } from "../target/target.ts";
import { type Colours, colours } from "./colour.ts";
import type { Console } from "./command.ts";
import { formatRunSummary, resultLine } from "./run_summary.ts";
import { formatDuration } from "./units.ts";
import { errorLines, printable } from "./render.ts";

export { formatDuration } from "./units.ts";

/** Options of {@linkcode TextReporter}. */
export interface TextReporterOptions {
  /** Print only errors and the result line. */
  quiet?: boolean;
  /** Colours (off by default). */
  colour?: Colours;
  /** No title line and no summary table (one-shot commands). */
  compact?: boolean;
}

/** Writes a run as plain lines. */
export class TextReporter implements RunReporter {
  readonly #console: Console;
  readonly #quiet: boolean;
  readonly #colour: Colours;
  readonly #compact: boolean;

  constructor(console: Console, options: TextReporterOptions = {}) {
    this.#console = console;
    this.#quiet = options.quiet ?? false;
    this.#compact = options.compact ?? false;
    this.#colour = options.colour ?? colours(false);
  }

  runStart(recipeName: string, stepCount: number): void {
    if (!this.#quiet && !this.#compact) this.#console.out(`${printable(recipeName)} (${stepCount} steps)`);
  }

  stepStart(_step: StepInfo): void {}

  progress(_step: StepInfo, _done: number, _total: number): void {}

  info(step: StepInfo | undefined, message: string): void {
    if (!this.#quiet) this.#console.err(`${step ? `${stepPrefix(step)} ` : ""}note: ${printable(message)}`);
  }

  warning(message: string): void {
    this.#console.err(`${this.#colour.yellow("warning")}: ${printable(message)}`);
  }

  identity(_identity: TargetIdentity): void {}

  stepEnd(step: StepInfo, outcome: StepOutcome, durationMs: number): void {
    if (this.#quiet) return;
    this.#console.out(
      `${stepPrefix(step)} ${printable(step.label).padEnd(8)} ${printable(outcome.summary)} (${
        formatDuration(durationMs)
      })`,
    );
  }

  stepFailed(step: StepInfo, error: FlashRecipeError, durationMs: number): void {
    if (!this.#quiet) {
      this.#console.out(
        `${stepPrefix(step)} ${printable(step.label).padEnd(8)} ${this.#colour.red("FAILED")} after ${
          formatDuration(durationMs)
        }`,
      );
    }
    for (const line of errorLines(error)) this.#console.err(line);
  }

  runEnd(result: RunResult): void {
    const lines = this.#quiet || this.#compact
      ? [resultLine(result, this.#colour)]
      : formatRunSummary(result, this.#colour);
    for (const line of lines) this.#console.out(line);
  }
}

/** `[3/5]` for a step. */
export function stepPrefix(step: StepInfo): string {
  return `[${step.index + 1}/${step.count}]`;
}
