/**
 * `records`: export the production store's records, or look boards up by serial number or unique ID.
 *
 * @module
 */

import type { ParsedArgs } from "../args.ts";
import { parseNumber } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import { DB_ENV, DB_OPTION, DEFAULT_DB, storeSpec } from "../production_flags.ts";
import { InputError } from "../../errors.ts";
import { csvHeaderLine, type ExportFormat, exportLine } from "../../production/export.ts";
import { openStore } from "../../production/open_store.ts";
import { isPostgresUrl } from "../../production/redact.ts";
import type { RecordFilter } from "../../production/store.ts";

/** The `records` command. */
export const recordsCommand: CommandSpec = {
  name: "records",
  summary: "export or look up production records (CSV or JSON Lines)",
  usage: "records [--db FILE|URL] [--format csv|jsonl] [--since TIME] [--serial N] [--board UID] [--station NAME]",
  description: "Prints the records of the production store, oldest first: every record, or those the filters\n" +
    "select. CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @) are prefixed with '.\n" +
    `The store is --db, else ${DB_ENV}, else ${DEFAULT_DB}; it is read, never created.`,
  options: [
    DB_OPTION,
    { name: "format", type: "string", valueName: "csv|jsonl", description: "output format (csv)" },
    {
      name: "since",
      type: "string",
      valueName: "TIME",
      description: "boards started at or after: 2026-12-01, 2026-12-01T08:00Z, or 12h / 7d ago",
    },
    { name: "serial", type: "string", valueName: "N", description: "the board with this serial number" },
    { name: "board", type: "string", valueName: "UID", description: "the records of this board (unique ID)" },
    { name: "station", type: "string", valueName: "NAME", description: "only this station's records" },
    { name: "limit", type: "string", valueName: "N", description: "only the newest N records" },
  ],
  examples: [
    ["records --db line3.db > line3.csv", "everything, for a spreadsheet"],
    ["records --db postgres://flash@db1/line --since 8h --format jsonl", "this shift, one JSON object a line"],
    ["records --serial 1042", "which board got serial 1042, when, and how it went"],
  ],
  async run(args, console) {
    const format = exportFormat(args);
    const filter = recordFilter(args);
    const spec = storeSpec(args, { simulate: false, fallback: DEFAULT_DB })!;
    if (!isPostgresUrl(spec)) {
      try {
        await Deno.stat(spec);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        throw new InputError("E_STORE", `no production store at '${spec}'`, {
          hint: `name it with --db FILE|URL or ${DB_ENV}`,
        });
      }
    }
    const store = await openStore(spec);
    try {
      if (format === "csv") console.out(csvHeaderLine());
      for await (const record of store.eachRecord(filter)) console.out(exportLine(record, format));
    } finally {
      await store.close();
    }
    return 0;
  },
};

function exportFormat(args: ParsedArgs): ExportFormat {
  const format = (args.options.format as string | undefined) ?? "csv";
  if (format !== "csv" && format !== "jsonl") {
    throw new InputError("E_USAGE", `--format must be csv or jsonl, not '${format}'`);
  }
  return format;
}

/** The filters the command line asks for. */
export function recordFilter(args: ParsedArgs, now: Date = new Date()): RecordFilter {
  const filter: RecordFilter = {};
  const since = args.options.since as string | undefined;
  if (since !== undefined) filter.since = parseSince(since, now);
  if (args.options.serial !== undefined) filter.serial = String(args.options.serial);
  if (args.options.board !== undefined) filter.board = String(args.options.board);
  if (args.options.station !== undefined) filter.station = String(args.options.station);
  if (args.options.limit !== undefined) filter.limit = parseNumber(String(args.options.limit), "--limit");
  return filter;
}

/** `--since`: an ISO 8601 date or time (UTC unless it says), or `N` hours / days before `now` (`12h`, `7d`). */
export function parseSince(text: string, now: Date): Date {
  const ago = /^(\d+)([hd])$/.exec(text);
  if (ago) return new Date(now.getTime() - Number(ago[1]) * (ago[2] === "h" ? 3_600_000 : 86_400_000));
  if (/^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/.test(text)) {
    const zoned = /T|\s/.test(text) && !/(Z|[+-]\d\d:?\d\d)$/.test(text) ? `${text.replace(" ", "T")}Z` : text;
    const date = new Date(zoned);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new InputError("E_USAGE", `--since must be a date, a date and time, or 12h / 7d, not '${text}'`, {
    hint: "e.g. --since 2026-12-01 or --since 2026-12-01T08:00Z or --since 8h",
  });
}
