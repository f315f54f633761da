import assert from "node:assert/strict";
import { ConditionSyntaxError, evaluateCondition, parseCondition } from "./condition.ts";

const check = (text: string) => evaluateCondition(parseCondition(text));

Deno.test("comparisons of numbers and text", () => {
  assert.equal(check("3 > 2"), true);
  assert.equal(check("10 > 9"), true); // numerically, not as text
  assert.equal(check("0x10 == 16"), true);
  assert.equal(check("rev2 == 'rev2'"), true);
  assert.equal(check('rev2 != "rev2"'), false);
  assert.equal(check("abc < abd"), true);
});

Deno.test("and, or, not and parentheses", () => {
  assert.equal(check("1 == 1 and 2 == 3"), false);
  assert.equal(check("1 == 1 or 2 == 3"), true);
  assert.equal(check("not (1 == 1 and 2 == 3)"), true);
  assert.equal(check("true"), true);
  assert.equal(check("false or 0"), false);
  assert.equal(check("yes"), true);
});

Deno.test("syntax errors name the column", () => {
  const cases: [string, number][] = [["1 ==", 5], ["== 1", 1], ["(1 == 1", 8], ["1 == 1 2", 8], ["a = b", 3], ["", 1]];
  for (const [text, column] of cases) {
    assert.throws(() => parseCondition(text), (error: unknown) => {
      assert.ok(error instanceof ConditionSyntaxError, text);
      assert.equal(error.column, column, text);
      return true;
    });
  }
});
