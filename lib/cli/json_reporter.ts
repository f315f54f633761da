/**
 * `--json`: the run as JSON Lines on stdout, one event per line, for test-station software and CI. The events and
 * their fields are documented in `docs/events.md`; the error codes in `docs/errors.md`.
 *
 * @module
 */

import { errorLines } from "./render.ts";
import { redactSecrets } from "../production/redact.ts";
import { formatPid } from "../chips/database.ts";
import type { FlashRecipeError } from "../errors.ts";
import { formatLocation } from "../errors.ts";
import type { RunReporter, RunResult, StepInfo } from "../recipe/reporter.ts";
import type { StepOutcome } from "../recipe/step.ts";
import type { TargetIdentity } from "../target/target.ts";
import type { Console } from "./command.ts";
import { type ProgressUnit, progressUnit } from "./progress_units.ts";
import { bytesMoved } from "./run_summary.ts";

/** Version of the event format; bumped only when a field changes meaning or disappears. */
export const EVENT_SCHEMA = 1;

/** A JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json | undefined };

/** One event: its name, and fields. */
export type JsonEvent = { event: string } & { [key: string]: Json | undefined };

/** Writes events as JSON Lines, each stamped with the time and any fixed fields (e.g. the station's board). */
export class JsonEventWriter {
  readonly #console: Console;
  readonly #fixed: Record<string, Json>;
  readonly #clock: () => Date;

  constructor(console: Console, options: { fixed?: Record<string, Json>; clock?: () => Date } = {}) {
    this.#console = console;
    this.#fixed = options.fixed ?? {};
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Writes `event` as one line. */
  emit(event: JsonEvent): void {
    const { event: name, ...fields } = event;
    this.#console.out(JSON.stringify({ event: name, time: this.#clock().toISOString(), ...this.#fixed, ...fields }));
  }

  /** A writer that adds `fixed` fields to every event. */
  with(fixed: Record<string, Json>): JsonEventWriter {
    return new JsonEventWriter(this.#console, { fixed: { ...this.#fixed, ...fixed }, clock: this.#clock });
  }
}

/** An error as events carry it; a database URL quoted in it loses its password. */
export function errorJson(error: FlashRecipeError): Json {
  const clean = (text: string | undefined) => (text === undefined ? undefined : redactSecrets(text, []));
  return {
    code: error.code,
    message: clean(error.message),
    hint: clean(error.hint),
    location: error.location ? clean(formatLocation(error.location)) : undefined,
    exitCode: error.exitCode,
  };
}

/** A chip identity as events carry it. */
export function identityJson(identity: TargetIdentity): Json {
  return {
    transport: identity.transport,
    chip: identity.chip.name,
    pid: identity.pid === undefined ? undefined : formatPid(identity.pid),
    bootloaderVersion: identity.bootloaderVersion,
    flashSize: identity.flashSize,
    uniqueId: identity.uniqueId,
    commands: identity.commands,
  };
}

/** The `result` event of a run that stopped before its first step (bad usage, recipe or file). */
export function errorResultEvent(error: FlashRecipeError): JsonEvent {
  return { event: "result", ok: false, exitCode: error.exitCode, error: errorJson(error), durationMs: 0, bytes: 0 };
}

/** Options of {@linkcode JsonReporter}. */
export interface JsonReporterOptions {
  /** The recipe file, for `run-start`. */
  file?: string;
  /** The program version, for `run-start`. */
  version?: string;
}

/** Reports a run as JSON Lines events. Errors are also written to stderr as the one-line message. */
export class JsonReporter implements RunReporter {
  readonly #events: JsonEventWriter;
  readonly #console: Console;
  readonly #options: JsonReporterOptions;
  #lastPercent = -1;
  #lastDone = -1;

  constructor(console: Console, events: JsonEventWriter, options: JsonReporterOptions = {}) {
    this.#console = console;
    this.#events = events;
    this.#options = options;
  }

  runStart(recipeName: string, stepCount: number): void {
    this.#events.emit({
      event: "run-start",
      schema: EVENT_SCHEMA,
      version: this.#options.version,
      recipe: recipeName,
      file: this.#options.file,
      steps: stepCount,
    });
  }

  stepStart(step: StepInfo): void {
    this.#lastPercent = -1;
    this.#lastDone = -1;
    this.#events.emit({ event: "step-start", ...stepJson(step) });
  }

  /** Emits at most one event per whole percent, and always the last (once). */
  progress(step: StepInfo, done: number, total: number, unit?: ProgressUnit): void {
    const percent = total > 0 ? Math.floor((done * 100) / total) : 100;
    if (done === this.#lastDone || (percent === this.#lastPercent && done < total)) return;
    this.#lastPercent = percent;
    this.#lastDone = done;
    this.#events.emit({ event: "progress", step: step.index + 1, done, total, unit: unit ?? progressUnit(step.type) });
  }

  info(step: StepInfo | undefined, message: string): void {
    this.#events.emit({ event: "info", step: step ? step.index + 1 : undefined, message });
  }

  warning(message: string): void {
    this.#events.emit({ event: "warning", message });
    this.#console.err(`warning: ${message}`);
  }

  identity(identity: TargetIdentity): void {
    this.#events.emit({ event: "identity", ...(identityJson(identity) as Record<string, Json>) });
  }

  stepEnd(step: StepInfo, outcome: StepOutcome, durationMs: number): void {
    this.#events.emit({
      event: "step-end",
      ...stepJson(step),
      ok: true,
      summary: outcome.summary,
      bytes: outcome.bytes ?? 0,
      ...(outcome.retries ? { retries: outcome.retries } : {}),
      durationMs: Math.round(durationMs),
    });
  }

  stepFailed(step: StepInfo, error: FlashRecipeError, durationMs: number): void {
    this.#events.emit({
      event: "step-end",
      ...stepJson(step),
      ok: false,
      error: errorJson(error),
      bytes: 0,
      durationMs: Math.round(durationMs),
    });
    for (const line of errorLines(error)) this.#console.err(redactSecrets(line, []));
  }

  runEnd(result: RunResult): void {
    this.#events.emit({
      event: "result",
      ok: result.ok,
      exitCode: result.ok ? 0 : result.error?.exitCode ?? 1,
      error: result.error ? errorJson(result.error) : null,
      durationMs: Math.round(result.durationMs),
      bytes: bytesMoved(result),
      chip: result.identity?.chip.name,
      uniqueId: result.identity?.uniqueId,
      serialNumber: result.serialNumber,
      // Every step succeeded, but flash the run wrote was never checked (lib/recipe/added_verify.ts).
      verified: result.ok ? result.unverified === undefined : null,
      unverified: result.unverified ?? null,
    });
  }
}

function stepJson(step: StepInfo): Record<string, Json> {
  return { step: step.index + 1, steps: step.count, type: step.type, label: step.label };
}
