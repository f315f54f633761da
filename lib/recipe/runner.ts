/**
 * Runs a validated recipe step by step, reporting each step: `when:` decides whether a step runs, `retry:` and
 * `timeout:` wrap it, and the first failure stops the run, runs the `on-failure` steps, and is reported. The
 * link is always released.
 *
 * @module
 */

import { afterDeviceContact, DeviceError, FlashRecipeError } from "../errors.ts";
import { withContactRecord } from "./board_contact.ts";
import type { MemoryImage } from "../image/memory_image.ts";
import type { Target } from "../target/target.ts";
import type { FlashLedger } from "../flash/ledger.ts";
import { ledgerFor } from "../flash/program.ts";
import { evaluateCondition } from "./condition.ts";
import type { Recipe, RecipeStep } from "./load.ts";
import type { RunReporter, RunResult, StepInfo } from "./reporter.ts";
import type { BoardAccess, RunFlags, SerialIssuer, StepContext } from "./step.ts";

/**
 * What {@linkcode runRecipe} needs of a recipe. A loaded {@linkcode Recipe} is one; the one-shot commands
 * (lib/cli/one_shot.ts) build one from recipe steps, so that both report, time out and fail alike.
 */
export type RunnableRecipe =
  & Pick<Recipe, "steps" | "onFailure" | "part" | "wiring" | "planned" | "resolvePath">
  & { header: { name: string; target: { baud: number } } };

/** Options of {@linkcode runRecipe}. */
export interface RunOptions {
  /** The board: its link and its bootloader. */
  board: BoardAccess;
  /** Receives the run's events. */
  reporter: RunReporter;
  /** Command-line confirmations. */
  flags?: Partial<RunFlags>;
  /** Asks the technician a yes/no question (not called when `--yes`). */
  ask?: (question: string) => Promise<boolean>;
  /** Waits; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Keeps the stack trace of an unexpected exception in a step (the CLI: a log file, or stderr with --debug) and
   * returns words for the error's hint saying where it is.
   */
  saveTrace?: (caught: unknown) => string;
  /** Issues counter serial numbers (the production store); a recipe with a counter cannot run without one. */
  serials?: SerialIssuer;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `recipe`; never throws for step failures, which are in the result. */
export async function runRecipe(recipe: RunnableRecipe, options: RunOptions): Promise<RunResult> {
  const { reporter } = options;
  const flags: RunFlags = { confirmPermanent: false, yes: false, ...options.flags };
  const sleep = options.sleep ?? realSleep;
  const started = performance.now();
  const result: RunResult = { ok: true, durationMs: 0, steps: [] };
  const written: MemoryImage[] = [];
  // How many of `written` a verify step checked (images are only appended).
  let verifiedCount = 0;
  let target: Target | undefined;
  // Once the board was contacted, no error may claim exit 2 ("nothing was sent to a device").
  let contacted = false;
  const board = withContactRecord(options.board, () => contacted = true);
  const userError = (caught: unknown) => {
    const error = asUserError(caught, options.saveTrace);
    return contacted ? afterDeviceContact(error) : error;
  };
  let ledger: FlashLedger | undefined;
  const writesVerified = everyWriteVerified(recipe.steps);

  const contextFor = (info: StepInfo): StepContext => ({
    part: recipe.part,
    get target() {
      return target;
    },
    get flash() {
      return ledger;
    },
    board,
    wiring: recipe.wiring,
    baud: recipe.header.target.baud,
    async connect(request) {
      target = await board.connect(request);
      ledger = ledgerFor(target);
      result.identity = target.identity;
      reporter.identity(target.identity);
      return target;
    },
    disconnect() {
      target = undefined;
      ledger = undefined;
      return Promise.resolve();
    },
    resolvePath: recipe.resolvePath,
    async ask(question) {
      if (flags.yes) return true;
      if (!options.ask) {
        throw new DeviceError("E_PROMPT", `the recipe asks "${question}" but nobody can answer`, {
          hint: "run in a terminal, or pass --yes to answer every prompt with yes",
        });
      }
      return await options.ask(question);
    },
    recordSerialNumber(value) {
      result.serialNumber = value;
    },
    issueSerial(counter) {
      if (!options.serials) {
        return Promise.reject(
          new DeviceError("E_SERIAL_COUNTER", `counter '${counter.name}' needs a production store`, {
            hint: "run the recipe through flashrecipe run or station, which open the store (--db)",
          }),
        );
      }
      return options.serials({ ...counter, boardUid: target?.identity.uniqueId });
    },
    sleep,
    flags,
    written,
    noteVerified() {
      verifiedCount = written.length;
    },
    planned: recipe.planned,
    writesVerified,
    progress: (done, total, unit) => reporter.progress(info, done, total, unit),
    info: (message) => reporter.info(info, message),
  });

  const runSteps = async (steps: readonly RecipeStep[], count: number): Promise<FlashRecipeError | undefined> => {
    for (const entry of steps) {
      const info: StepInfo = { index: entry.index, count, type: entry.type, label: entry.label };
      reporter.stepStart(info);
      const stepStarted = performance.now();
      if (entry.when && !evaluateCondition(entry.when.condition)) {
        const outcome = { summary: `skipped (when: ${entry.when.text})` };
        result.steps.push({ step: info, outcome, durationMs: 0 });
        reporter.stepEnd(info, outcome, 0);
        continue;
      }
      try {
        const outcome = await attempt(entry, contextFor(info), sleep, (message) => reporter.info(info, message));
        const durationMs = performance.now() - stepStarted;
        result.steps.push({ step: info, outcome, durationMs });
        reporter.stepEnd(info, outcome, durationMs);
      } catch (caught) {
        const error = userError(caught);
        const durationMs = performance.now() - stepStarted;
        result.steps.push({ step: info, error, durationMs });
        reporter.stepFailed(info, error, durationMs);
        return error;
      }
    }
    return undefined;
  };

  reporter.runStart(recipe.header.name, recipe.steps.length);
  try {
    const error = await runSteps(recipe.steps, recipe.steps.length);
    if (error) {
      result.ok = false;
      result.error = error;
      if (recipe.onFailure.length > 0) {
        reporter.info(undefined, "running the recipe's on-failure steps");
        await runSteps(recipe.onFailure, recipe.onFailure.length);
      }
    }
  } finally {
    await target?.close();
  }
  if (result.ok && verifiedCount < written.length) result.unverified = unverifiedText(written.slice(verifiedCount));
  result.durationMs = performance.now() - started;
  reporter.runEnd(result);
  return result;
}

/** Runs one step with its retry policy and timeout. */
async function attempt(
  entry: RecipeStep,
  context: StepContext,
  sleep: (ms: number) => Promise<void>,
  note: (message: string) => void,
) {
  for (let attemptNo = 0;; attemptNo++) {
    try {
      return await withTimeout(entry.step.run(context), entry.timeoutMs, entry.label);
    } catch (error) {
      // Only device failures are worth retrying; a mistake in the recipe stays a mistake.
      const retryable = error instanceof DeviceError;
      if (!retryable || attemptNo >= entry.retry.attempts) throw error;
      note(`attempt ${attemptNo + 1} failed (${(error as DeviceError).message}); retrying`);
      if (entry.retry.delayMs > 0) await sleep(entry.retry.delayMs);
    }
  }
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number | undefined, label: string): Promise<T> {
  if (timeoutMs === undefined) return await work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DeviceError("E_STEP_TIMEOUT", `'${label}' took longer than its timeout of ${timeoutMs} ms`, {
            hint: "raise the step's timeout: or check the link",
          }),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a run left unchecked, for its result: the images' names and sizes. */
function unverifiedText(images: readonly MemoryImage[]): string {
  const names = images.map((image) => `${image.name ?? "an image"} (${image.size} bytes)`);
  return `${names.join(", ")} written and never verified (the write says verify: false and no verify step ` +
    "follows it)";
}

/** Errors the tool knows how to explain pass through; anything else is reported as an internal fault. */
function asUserError(error: unknown, saveTrace?: (caught: unknown) => string): FlashRecipeError {
  if (error instanceof FlashRecipeError) return error;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const where = saveTrace ? `; ${saveTrace(error)}` : "";
  return new DeviceError("E_INTERNAL", `internal error: ${message.split("\n")[0]}`, {
    hint: `please report this with the recipe and the output of --json${where}`,
    cause: error,
  });
}

/** Whether every `write` step runs unconditionally and a `verify` step comes after the last of them. */
function everyWriteVerified(steps: readonly RecipeStep[]): boolean {
  const writes = steps.filter((step) => step.type === "write");
  // A reduce, not Math.max(...): a spread's argument count is bounded by the engine, the step count is not.
  const lastWrite = writes.reduce((last, step) => Math.max(last, step.index), -1);
  return writes.every((step) => !step.when) && steps.some((step) => step.type === "verify" && step.index > lastWrite);
}
