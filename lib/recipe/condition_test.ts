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

Deno.test("long and deep conditions are refused at parse time, with the column of the first term too many", () => {
  const chain = Array.from({ length: 20000 }, (_, i) => `${i} == ${i}`).join(" and ");
  for (
    const text of [
      chain,
      Array(300).fill("1").join(" and "),
      "(".repeat(20000) + "1" + ")".repeat(20000),
      "not ".repeat(40) + "1",
    ]
  ) {
    assert.throws(() => parseCondition(text), (error: unknown) => {
      assert.ok(error instanceof ConditionSyntaxError && error.limit, text.slice(0, 40));
      assert.ok(error.column >= 1 && error.column <= text.length + 1);
      return true;
    });
  }
});

Deno.test("a chain of and/or at the limit evaluates without recursion over its length", () => {
  const terms = Array.from({ length: 100 }, (_, i) => `${i} == ${i}`);
  assert.equal(check(terms.join(" and ")), true);
  assert.equal(check([...terms, "1 == 2"].join(" and ")), false);
  assert.equal(check(["1 == 2", ...terms].join(" or ")), true);
  assert.equal(check("not not (1 == 1)"), true);
});

Deno.test("a whole number past 2^53 is refused at its column; quoted, it compares exactly as text", () => {
  for (const text of ["12345678901234567890 == 12345678901234567891", "1 < 0x20000000000000"]) {
    assert.throws(() => parseCondition(text), (error: unknown) => {
      assert.ok(error instanceof ConditionSyntaxError);
      assert.match(error.message, /is larger than 9007199254740991 and cannot be compared exactly/);
      assert.equal(error.column, text.startsWith("1 <") ? 5 : 1);
      return true;
    });
  }
  assert.equal(evaluateCondition(parseCondition("'12345678901234567890' == '12345678901234567891'")), false);
  assert.equal(evaluateCondition(parseCondition("9007199254740991 > 9007199254740990")), true);
  assert.equal(evaluateCondition(parseCondition("1.5 < 2")), true);
});
