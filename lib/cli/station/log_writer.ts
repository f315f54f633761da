/**
 * The station log: one line per board, CSV or JSON Lines by the file's extension. Built so that a power cut or a
 * kill at any moment leaves only whole lines: the file is opened for appending, every record is one complete line
 * handed to the kernel in one `write` call, and the file is fsynced after each record.
 *
 * @module
 */

import { InputError } from "../../errors.ts";
import { quotePath } from "../../files/guarded_read.ts";
import { outputPathProblem } from "../../files/output_path.ts";
import { RECORD_FIELDS, type StationRecord } from "./record.ts";
import { neutraliseFormula } from "../../production/export.ts";

/** The log formats. */
export type LogFormat = "csv" | "jsonl";

const FORMAT_BY_EXTENSION: Readonly<Record<string, LogFormat>> = {
  ".csv": "csv",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".json": "jsonl",
};

/** The format of a log at `path`, from its extension; anything else is a usage error. */
export function logFormatFor(path: string): LogFormat {
  const dot = path.lastIndexOf(".");
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const extension = dot > slash ? path.slice(dot).toLowerCase() : "";
  const format = FORMAT_BY_EXTENSION[extension];
  if (!format) {
    throw new InputError("E_USAGE", `cannot tell the log format of '${path}' from its extension`, {
      hint: "name the log *.csv for CSV or *.jsonl for JSON Lines",
    });
  }
  return format;
}

/**
 * A CSV field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break; a cell a spreadsheet
 * would run as a formula is neutralised (see {@linkcode neutraliseFormula}).
 */
function csvField(value: string | number): string {
  // Line breaks become spaces: a record must stay one physical line so every line of the log is a whole record.
  const text = neutraliseFormula(String(value).replace(/[\r\n]+/g, " "));
  return /[",]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The CSV header line, with its newline. */
export function csvHeader(): string {
  return RECORD_FIELDS.join(",") + "\n";
}

/** One record as a complete line (with its newline) in `format`. */
export function formatRecord(record: StationRecord, format: LogFormat): string {
  if (format === "jsonl") return JSON.stringify(record) + "\n";
  return RECORD_FIELDS.map((field) => csvField(record[field])).join(",") + "\n";
}

/** An open station log. */
export class StationLog {
  /** The log's path. */
  readonly path: string;
  /** Its format. */
  readonly format: LogFormat;
  readonly #file: Deno.FsFile;
  /** The last append: appends run one at a time (a gang's slots append at once). */
  #tail: Promise<void> = Promise.resolve();

  private constructor(path: string, format: LogFormat, file: Deno.FsFile) {
    this.path = path;
    this.format = format;
    this.#file = file;
  }

  /** Opens (creating it when missing) the log at `path` for appending; a new CSV log gets its header first. */
  static async open(path: string): Promise<StationLog> {
    const format = logFormatFor(path);
    // Looked at before opening: a FIFO would block the open, a folder or a missing folder cannot hold the log.
    const problem = await outputPathProblem(path);
    if (problem !== undefined) {
      throw new InputError("E_FILE", `cannot open station log ${quotePath(path)}: ${problem}`, {
        hint: "name a file in an existing folder",
      });
    }
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { append: true, create: true });
    } catch (error) {
      throw new InputError("E_FILE", `cannot open station log '${path}': ${message(error)}`, {
        hint: "check that the folder exists and is writable",
        cause: error,
      });
    }
    const log = new StationLog(path, format, file);
    try {
      if (format === "csv" && (await file.stat()).size === 0) await log.#writeLine(csvHeader());
    } catch (error) {
      file.close();
      throw error;
    }
    return log;
  }

  /**
   * Appends one record and waits until it is on disk. Appends made at once are written one after the other, so each
   * record stays one whole line however the callers interleave.
   */
  append(record: StationRecord): Promise<void> {
    const line = formatRecord(record, this.format);
    const next = this.#tail.then(() => this.#writeLine(line));
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Closes the log. */
  close(): void {
    this.#file.close();
  }

  async #writeLine(line: string): Promise<void> {
    const bytes = new TextEncoder().encode(line);
    try {
      // One write call for the whole line; a regular file takes it whole. Should a short write ever happen
      // (disk full), the rest follows at once so the line still ends whole if the process lives on.
      let at = await this.#file.write(bytes);
      while (at < bytes.length) at += await this.#file.write(bytes.subarray(at));
      await this.#file.sync();
    } catch (error) {
      throw new InputError("E_FILE", `cannot write station log '${this.path}': ${message(error)}`, {
        hint: "check free space and permissions; the records written so far are whole",
        cause: error,
      });
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
