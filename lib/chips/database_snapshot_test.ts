/**
 * Pins the whole chip database to a committed snapshot, so that a change to how the family files are written (shared
 * field tables, entry builders) is proven not to change a single entry. A deliberate change to a chip fact must
 * regenerate the fixture and show the difference in review:
 *
 * ```sh
 * npx deno eval 'import { databaseSnapshot } from "./lib/chips/database_snapshot_test.ts";
 *   await Deno.writeTextFile("tests/fixtures/chips/database.json", databaseSnapshot());'
 * ```
 *
 * @module
 */

import assert from "node:assert/strict";
import { CHIPS, PARTS } from "./database.ts";
import fixture from "../../tests/fixtures/chips/database.json" with { type: "json" };

/** Marks a property that is present with the value `undefined` (JSON would drop it, hiding the difference). */
const UNDEFINED = "<undefined>";

/**
 * The chip database as JSON text: every `CHIPS` and `PARTS` entry with its keys in declaration order, numbers as
 * numbers and properties set to `undefined` spelled out.
 */
export function databaseSnapshot(): string {
  const replacer = (_key: string, value: unknown) => value === undefined ? UNDEFINED : value;
  return JSON.stringify({ chips: CHIPS, parts: PARTS }, replacer, 2) + "\n";
}

Deno.test("the chip database matches its committed snapshot entry for entry", () => {
  const expected = JSON.parse(JSON.stringify(fixture)) as { chips: unknown[]; parts: unknown[] };
  const actual = JSON.parse(databaseSnapshot()) as { chips: unknown[]; parts: unknown[] };
  assert.equal(actual.chips.length, expected.chips.length, "number of chips");
  assert.equal(actual.parts.length, expected.parts.length, "number of parts");
  // Entry by entry first, so a failure names the product rather than printing the whole database.
  for (let i = 0; i < expected.chips.length; i++) {
    assert.deepStrictEqual(actual.chips[i], expected.chips[i], `chip #${i}`);
  }
  assert.deepStrictEqual(actual.parts, expected.parts);
  // Then the text, which also pins key order.
  assert.equal(databaseSnapshot(), JSON.stringify(fixture, null, 2) + "\n");
});
