/**
 * One station-log record: what happened to one board, built from the run's result.
 *
 * @module
 */

import type { RunResult } from "../../recipe/reporter.ts";

/** The fields of a record, in log order (the CSV header). */
export const RECORD_FIELDS = [
  "time",
  "station",
  "board",
  "chip",
  "firmware_sha256",
  "serial_number",
  "duration_ms",
  "result",
  "error_code",
  "error",
] as const;

/** A record: every field is a string or a number, and every field is always present (empty when unknown). */
export interface StationRecord {
  /** When the board finished, ISO 8601 UTC. */
  time: string;
  /** The station's name (`--station`, default the host name). */
  station: string;
  /** The board's identity: the chip's 96-bit unique ID in hex, empty when it was never read. */
  board: string;
  /** The chip's name as the database knows it, empty when none was connected. */
  chip: string;
  /** sha256 of the firmware the recipe writes (see `firmwareSha256`). */
  firmware_sha256: string;
  /** The serial number the recipe issued to the board, empty when none. */
  serial_number: string;
  /** How long the board took, ms. */
  duration_ms: number;
  /** `PASS`, `FAIL`, or `UNVERIFIED` (every step succeeded but written flash was never checked). */
  result: "PASS" | "FAIL" | "UNVERIFIED";
  /** The error code when it failed (docs/errors.md). */
  error_code: string;
  /** The error message when it failed. */
  error: string;
}

/** What a record needs besides the run's result. */
export interface RecordContext {
  /** The station's name. */
  station: string;
  /** sha256 of the firmware. */
  firmwareSha256: string;
  /** The time the board finished. */
  time: Date;
}

/** Builds the record of one board from its run. */
export function recordOf(result: RunResult, context: RecordContext): StationRecord {
  return {
    time: context.time.toISOString(),
    station: context.station,
    board: result.identity?.uniqueId ?? "",
    chip: result.identity?.chip.name ?? "",
    firmware_sha256: context.firmwareSha256,
    serial_number: result.serialNumber ?? "",
    duration_ms: Math.round(result.durationMs),
    result: boardResult(result),
    error_code: result.error?.code ?? "",
    error: result.error?.userMessage() ?? "",
  };
}

/** A run's word for the record and the banner: never PASS over flash nobody checked. */
export function boardResult(result: RunResult): "PASS" | "FAIL" | "UNVERIFIED" {
  return !result.ok ? "FAIL" : result.unverified ? "UNVERIFIED" : "PASS";
}
