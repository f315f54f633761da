/**
 * Records as a spreadsheet or a program reads them: CSV (RFC 4180, one line per record, cells that a spreadsheet
 * would run as a formula neutralised) or JSON Lines.
 *
 * @module
 */

import { PRODUCTION_FIELDS, type ProductionRecord } from "./record.ts";

/** Export formats. */
export type ExportFormat = "csv" | "jsonl";

/**
 * A cell a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, or a tab or carriage return before one of
 * them) gets a leading apostrophe, which spreadsheets show as text (OWASP "CSV injection").
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One CSV cell: neutralised, line breaks as spaces, quoted when it holds a comma or a quote. */
export function csvCell(value: unknown): string {
  const raw = typeof value === "string" ? value : typeof value === "number" ? String(value) : JSON.stringify(value);
  const text = neutraliseFormula(raw.replace(/[\r\n]+/g, " "));
  return /[",]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The CSV header line (no newline). */
export function csvHeaderLine(): string {
  return PRODUCTION_FIELDS.join(",");
}

/** One record as one line (no newline). */
export function exportLine(record: ProductionRecord, format: ExportFormat): string {
  if (format === "jsonl") {
    return JSON.stringify(Object.fromEntries(PRODUCTION_FIELDS.map((field) => [field, record[field]])));
  }
  return PRODUCTION_FIELDS.map((field) => csvCell(record[field])).join(",");
}
