/**
 * Plain-text run output: one line per step with its result and duration, then a summary.
 *
 * @module
 */

import { formatPid } from "../chips/database.ts";
import type { FlashRecipeError } from "../errors.ts";
import type { RunReporter, RunResult, StepInfo } from "../recipe/reporter.ts";
import type { StepOutcome } from "../recipe/step.ts";
import type { TargetIdentity } from "../target/target.ts";
import type { Console } from "./command.ts";

/** Formats a duration: `850 ms`, `1.24 s`. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Writes a run as plain lines. */
export class TextReporter implements RunReporter {
  readonly #console: Console;
  constructor(console: Console) {
    this.#console = console;
  }

  runStart(recipeName: string, stepCount: number): void {
    this.#console.out(`${recipeName} (${stepCount} steps)`);
  }

  stepStart(_step: StepInfo): void {}

  progress(_step: StepInfo, _done: number, _total: number): void {}

  info(step: StepInfo | undefined, message: string): void {
    this.#console.err(`${step ? `${prefix(step)} ` : ""}note: ${message}`);
  }

  identity(_identity: TargetIdentity): void {}

  stepEnd(step: StepInfo, outcome: StepOutcome, durationMs: number): void {
    this.#console.out(`${prefix(step)} ${step.label.padEnd(8)} ${outcome.summary} (${formatDuration(durationMs)})`);
  }

  stepFailed(step: StepInfo, error: FlashRecipeError, durationMs: number): void {
    this.#console.out(`${prefix(step)} ${step.label.padEnd(8)} FAILED after ${formatDuration(durationMs)}`);
    this.#console.err(`error[${error.code}]: ${error.userMessage()}`);
  }

  runEnd(result: RunResult): void {
    const bytes = result.steps.reduce((sum, s) => sum + (s.outcome?.bytes ?? 0), 0);
    const chip = result.identity
      ? ` on ${result.identity.chip.name}${
        result.identity.pid === undefined ? "" : ` (${formatPid(result.identity.pid)})`
      }`
      : "";
    const status = result.ok ? "done" : "FAILED";
    this.#console.out(`${status}${chip}: ${bytes} bytes moved in ${formatDuration(result.durationMs)}`);
  }
}

function prefix(step: StepInfo): string {
  return `[${step.index + 1}/${step.count}]`;
}
