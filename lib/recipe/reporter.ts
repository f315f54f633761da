/**
 * What a recipe run tells its audience: the terminal, a JSON event stream, a station log. The runner calls a
 * {@linkcode RunReporter}; front ends decide how to show it.
 *
 * @module
 */

import type { FlashRecipeError } from "../errors.ts";
import type { TargetIdentity } from "../target/target.ts";
import type { StepOutcome } from "./step.ts";

/** What a progress count counts: bytes moved, or erase units (pages/sectors). */
export type ProgressUnit = "bytes" | "pages";

/** A step as reporters see it. */
export interface StepInfo {
  /** 0-based index. */
  index: number;
  /** Number of steps in the recipe. */
  count: number;
  /** Step type, e.g. `write`. */
  type: string;
  /** Label shown to the user. */
  label: string;
}

/** The result of a whole run. */
export interface RunResult {
  /** True when every step succeeded. */
  ok: boolean;
  /** Wall-clock duration, ms. */
  durationMs: number;
  /** Per step: what happened. */
  steps: { step: StepInfo; outcome?: StepOutcome; error?: FlashRecipeError; durationMs: number }[];
  /** The chip, when one was connected. */
  identity?: TargetIdentity;
  /** The error that stopped the run. */
  error?: FlashRecipeError;
  /** The serial number a `serial-number` step issued to this board, if any (for station logs). */
  serialNumber?: string;
  /**
   * Set when every step succeeded but flash that the run wrote was never checked (a `write` with `verify: false`
   * and no verify after it): what was left unchecked. Such a run is never reported as PASS.
   */
  unverified?: string;
}

/** Receives the events of a run. */
export interface RunReporter {
  /** The run begins. */
  runStart(recipeName: string, stepCount: number): void;
  /** A step begins. */
  stepStart(step: StepInfo): void;
  /**
   * Progress within the current step; `unit` when the step says (a step with phases, e.g. `erase: needed` comparing
   * bytes and then erasing pages), else the step type's usual unit. A new unit starts a new bar.
   */
  progress(step: StepInfo, done: number, total: number, unit?: ProgressUnit): void;
  /** A notice during a step. */
  info(step: StepInfo | undefined, message: string): void;
  /**
   * A warning from the link or the tool (e.g. parity dropped on a pseudo-terminal), shown apart from progress
   * lines; reporters without it leave warnings to the caller.
   */
  warning?(message: string): void;
  /** A chip was identified. */
  identity(identity: TargetIdentity): void;
  /** A step finished. */
  stepEnd(step: StepInfo, outcome: StepOutcome, durationMs: number): void;
  /** A step failed. */
  stepFailed(step: StepInfo, error: FlashRecipeError, durationMs: number): void;
  /** The run ended. */
  runEnd(result: RunResult): void;
}

/** A reporter that shows nothing (station `--quiet`, tests). */
export const SILENT_REPORTER: RunReporter = {
  runStart() {},
  stepStart() {},
  progress() {},
  info() {},
  identity() {},
  stepEnd() {},
  stepFailed() {},
  runEnd() {},
};
