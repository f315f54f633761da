/**
 * Runs a validated recipe step by step against a target, reporting each step. The run stops at the first
 * failing step; the link is always closed.
 *
 * @module
 */

import { DeviceError, FlashRecipeError } from "../errors.ts";
import type { MemoryImage } from "../image/memory_image.ts";
import type { Target } from "../target/target.ts";
import type { Recipe } from "./load.ts";
import type { RunReporter, RunResult, StepInfo } from "./reporter.ts";
import type { ConnectRequest, StepContext } from "./step.ts";

/** Options of {@linkcode runRecipe}. */
export interface RunOptions {
  /** Opens the link to the board and connects to its bootloader. */
  connect(request: ConnectRequest): Promise<Target>;
  /** Receives the run's events. */
  reporter: RunReporter;
}

/** Runs `recipe`; never throws for step failures, which are in the result. */
export async function runRecipe(recipe: Recipe, options: RunOptions): Promise<RunResult> {
  const { reporter } = options;
  const started = performance.now();
  const result: RunResult = { ok: true, durationMs: 0, steps: [] };
  let target: Target | undefined;
  const written: MemoryImage[] = [];
  reporter.runStart(recipe.header.name, recipe.steps.length);
  try {
    for (const entry of recipe.steps) {
      const info: StepInfo = { index: entry.index, count: recipe.steps.length, type: entry.type, label: entry.label };
      const context: StepContext = {
        part: recipe.part,
        target,
        async connect(request) {
          if (target) await target.close();
          target = await options.connect(request);
          result.identity = target.identity;
          reporter.identity(target.identity);
          return target;
        },
        image: (file, imageOptions) => recipe.image(file, imageOptions),
        written,
        planned: recipe.planned,
        progress: (done, total) => reporter.progress(info, done, total),
        info: (message) => reporter.info(info, message),
      };
      reporter.stepStart(info);
      const stepStarted = performance.now();
      try {
        const outcome = await entry.step.run(context);
        const durationMs = performance.now() - stepStarted;
        result.steps.push({ step: info, outcome, durationMs });
        reporter.stepEnd(info, outcome, durationMs);
      } catch (caught) {
        const error = asUserError(caught);
        const durationMs = performance.now() - stepStarted;
        result.steps.push({ step: info, error, durationMs });
        result.ok = false;
        result.error = error;
        reporter.stepFailed(info, error, durationMs);
        break;
      }
    }
  } finally {
    await (target as Target | undefined)?.close();
  }
  result.durationMs = performance.now() - started;
  reporter.runEnd(result);
  return result;
}

/** Errors the tool knows how to explain pass through; anything else is reported as an internal fault. */
function asUserError(error: unknown): FlashRecipeError {
  if (error instanceof FlashRecipeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DeviceError("E_INTERNAL", `internal error: ${message}`, {
    hint: "please report this with the recipe and the output of --json",
    cause: error,
  });
}
