import assert from "node:assert/strict";
import { csvCell, csvHeaderLine, exportLine, neutraliseFormula } from "./export.ts";
import { PRODUCTION_FIELDS, type ProductionRecord } from "./record.ts";

const RECORD: ProductionRecord = {
  id: 7,
  started_at: "2026-12-04T05:00:00.000Z",
  finished_at: "2026-12-04T05:00:01.000Z",
  station: "line, 3",
  operator: '=HYPERLINK("http://x")',
  lot: "+1",
  recipe: "-2",
  recipe_sha256: "@SUM(A1)",
  tool_version: "0.1.0",
  chip: "STM32F1",
  board_uid: "\t=1",
  firmware_sha256: "ab",
  serial_number: "1000",
  counter: "sn",
  vars: { note: "=cmd" },
  steps: [{ step: "write", type: "write", ms: 3, ok: true }],
  duration_ms: 1000,
  result: "PASS",
  error_code: "",
  error: "two\nlines",
};

Deno.test("CSV export: formula cells neutralised, quoting per RFC 4180, one line per record", () => {
  assert.equal(neutraliseFormula("=1+1"), "'=1+1");
  for (const lead of ["=", "+", "-", "@", "\t", "\r"]) assert.equal(neutraliseFormula(`${lead}x`)[0], "'");
  assert.equal(neutraliseFormula("1000"), "1000");
  assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  const line = exportLine(RECORD, "csv");
  assert.ok(!line.includes("\n"));
  assert.ok(line.includes(`"'=HYPERLINK(""http://x"")"`));
  assert.ok(line.includes(",'+1,'-2,'@SUM(A1),"));
  assert.ok(line.includes(`"line, 3"`));
  assert.ok(line.includes("two lines"));
  assert.equal(csvHeaderLine().split(",").length, PRODUCTION_FIELDS.length);
});

Deno.test("JSON Lines export: every field, values untouched", () => {
  const parsed = JSON.parse(exportLine(RECORD, "jsonl"));
  assert.deepEqual(Object.keys(parsed), [...PRODUCTION_FIELDS]);
  assert.equal(parsed.operator, RECORD.operator);
  assert.deepEqual(parsed.vars, { note: "=cmd" });
});
