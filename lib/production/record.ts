/**
 * A production record: everything a line needs to know about one board, one row of the store's `boards` table.
 * A row is written when the board starts (`IN_PROGRESS`) and completed when it ends, so a process killed mid-board
 * leaves a row that the next start of the same station marks `INTERRUPTED`.
 *
 * @module
 */

/** How a board ended. `IN_PROGRESS` only while its station runs it (or until recovery marks it). */
export type BoardResult = "IN_PROGRESS" | "PASS" | "FAIL" | "UNVERIFIED" | "ABORTED" | "INTERRUPTED";

/** The results a finished board can have. */
export const FINAL_RESULTS: readonly BoardResult[] = ["PASS", "FAIL", "UNVERIFIED", "ABORTED", "INTERRUPTED"];

/** The time one recipe step took. */
export interface StepTiming {
  /** The step's label, e.g. `write blinky.hex`. */
  step: string;
  /** The step type, e.g. `write`. */
  type: string;
  /** Milliseconds, rounded. */
  ms: number;
  /** Whether it succeeded (a skipped step counts as succeeded). */
  ok: boolean;
}

/** The fields of a record, in export order (the CSV header of `flashrecipe records`). */
export const PRODUCTION_FIELDS = [
  "id",
  "started_at",
  "finished_at",
  "station",
  "operator",
  "lot",
  "recipe",
  "recipe_sha256",
  "tool_version",
  "chip",
  "board_uid",
  "firmware_sha256",
  "serial_number",
  "counter",
  "vars",
  "steps",
  "duration_ms",
  "result",
  "error_code",
  "error",
] as const;

/** One board's record as the store holds it. */
export interface ProductionRecord {
  /** Row id, unique in its store. */
  id: number;
  /** When the board started, ISO 8601 UTC. */
  started_at: string;
  /** When it ended, ISO 8601 UTC; empty while in progress. */
  finished_at: string;
  /** The station's name (`--station`, default the host name). */
  station: string;
  /** Who ran the station (`--operator`). */
  operator: string;
  /** Lot or work order (`--lot`). */
  lot: string;
  /** The recipe's `name:`. */
  recipe: string;
  /** sha256 of the recipe file's bytes. */
  recipe_sha256: string;
  /** flashrecipe's version. */
  tool_version: string;
  /** The chip as the database names it; empty when none was connected. */
  chip: string;
  /** The board's unique ID (96-bit UID in hex, or the DFU device's USB serial); empty when never read. */
  board_uid: string;
  /** sha256 of the firmware the recipe writes. */
  firmware_sha256: string;
  /** The serial number written into the board; empty when none. */
  serial_number: string;
  /** The counter the serial number came from; empty for `value:` serials. */
  counter: string;
  /** The `--set` values, as a JSON object. */
  vars: Record<string, string>;
  /** Per-step durations, in order. */
  steps: StepTiming[];
  /** How long the board took, ms; 0 while in progress. */
  duration_ms: number;
  /** How it ended. */
  result: BoardResult;
  /** The error code when it did not pass (docs/errors.md). */
  error_code: string;
  /** The error message when it did not pass. */
  error: string;
}

/** What is known when a board starts. */
export interface BoardStart {
  /** The station's name. */
  station: string;
  /** Who runs it. */
  operator: string;
  /** Lot or work order. */
  lot: string;
  /** The recipe's name. */
  recipe: string;
  /** sha256 of the recipe file. */
  recipeSha256: string;
  /** flashrecipe's version. */
  toolVersion: string;
  /** sha256 of the firmware. */
  firmwareSha256: string;
  /** The `--set` values. */
  vars: Record<string, string>;
}

/** What is known when a board ends. */
export interface BoardOutcome {
  /** How it ended (not `IN_PROGRESS`). */
  result: Exclude<BoardResult, "IN_PROGRESS">;
  /** The chip's name. */
  chip?: string;
  /** The board's unique ID. */
  boardUid?: string;
  /** The serial number written, when the recipe wrote one from `value:` (counter numbers are recorded on issue). */
  serialNumber?: string;
  /** Per-step durations. */
  steps: StepTiming[];
  /** How long the board took, ms. */
  durationMs: number;
  /** Error code when it did not pass. */
  errorCode?: string;
  /** Error message when it did not pass. */
  error?: string;
}
