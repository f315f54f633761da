/**
 * One board's record kept in step with its recipe run: the `IN_PROGRESS` row is written before the board is
 * touched, counter serial numbers are issued to the board through it, the steps' durations and the chip are
 * collected as the run reports them, and the row is completed with the run's result — or as `ABORTED` when the
 * technician quits mid-board.
 *
 * @module
 */

import type { RunReporter, RunResult } from "../recipe/reporter.ts";
import type { IssuedCounterSerial, SerialIssuer } from "../recipe/step.ts";
import type { TargetIdentity } from "../target/target.ts";
import type { BoardOutcome, BoardStart, ProductionRecord, StepTiming } from "./record.ts";
import type { BoardInProgress, StationSession } from "./store.ts";

/** The error code and message of a board the technician aborted. */
export const ABORTED_CODE = "E_ABORTED";

/** A board being run and recorded. */
export class BoardRecording {
  readonly #board: BoardInProgress;
  readonly #started = performance.now();
  readonly #steps: StepTiming[] = [];
  #identity: TargetIdentity | undefined;
  #serial: string | undefined;
  #finished: Promise<ProductionRecord> | undefined;

  private constructor(board: BoardInProgress) {
    this.#board = board;
  }

  /** Writes the board's `IN_PROGRESS` row (committed when this resolves). */
  static async begin(session: StationSession, start: BoardStart): Promise<BoardRecording> {
    return new BoardRecording(await session.beginBoard(start));
  }

  /** The record's id. */
  get id(): number {
    return this.#board.id;
  }

  /** The issuer the recipe run uses for counter serial numbers: bound to this board's record. */
  readonly serials: SerialIssuer = async (request): Promise<IssuedCounterSerial> => {
    const issued = await this.#board.issueSerial(request);
    this.#serial = String(issued.value);
    return issued;
  };

  /** Wraps `reporter` so this recording sees the chip and each step's duration as the run reports them. */
  observe(reporter: RunReporter): RunReporter {
    return {
      runStart: (name, count) => reporter.runStart(name, count),
      stepStart: (step) => reporter.stepStart(step),
      progress: (step, done, total) => reporter.progress(step, done, total),
      info: (step, message) => reporter.info(step, message),
      identity: (identity) => {
        this.#identity = identity;
        reporter.identity(identity);
      },
      stepEnd: (step, outcome, durationMs) => {
        this.#steps.push({ step: step.label, type: step.type, ms: Math.round(durationMs), ok: true });
        reporter.stepEnd(step, outcome, durationMs);
      },
      stepFailed: (step, error, durationMs) => {
        this.#steps.push({ step: step.label, type: step.type, ms: Math.round(durationMs), ok: false });
        reporter.stepFailed(step, error, durationMs);
      },
      runEnd: (result) => reporter.runEnd(result),
    };
  }

  /** Completes the record with the run's result; a second call returns the first one's record. */
  finish(result: RunResult): Promise<ProductionRecord> {
    return this.#complete({
      // Every step succeeded but written flash was never checked: never PASS (lib/recipe/added_verify.ts).
      result: !result.ok ? "FAIL" : result.unverified ? "UNVERIFIED" : "PASS",
      chip: result.identity?.chip.name,
      boardUid: result.identity?.uniqueId,
      serialNumber: result.serialNumber ?? this.#serial,
      steps: this.#steps,
      durationMs: result.durationMs,
      errorCode: result.error?.code,
      error: result.error?.userMessage(),
    });
  }

  /** Completes the record as `ABORTED` with what is known so far (the technician quit mid-board). */
  abort(): Promise<ProductionRecord> {
    return this.#complete({
      result: "ABORTED",
      chip: this.#identity?.chip.name,
      boardUid: this.#identity?.uniqueId,
      serialNumber: this.#serial,
      steps: this.#steps,
      durationMs: performance.now() - this.#started,
      errorCode: ABORTED_CODE,
      error: "the technician quit mid-board (second Ctrl-C); the board's state is unknown: flash it again",
    });
  }

  #complete(outcome: BoardOutcome): Promise<ProductionRecord> {
    // A failed write may be tried again (the store came back); a written record is not written twice.
    const attempt = this.#finished ?? this.#board.finish(outcome);
    this.#finished = attempt;
    attempt.catch(() => {
      if (this.#finished === attempt) this.#finished = undefined;
    });
    return attempt;
  }
}
