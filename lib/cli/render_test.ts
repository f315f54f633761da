import assert from "node:assert/strict";
import { InputError } from "../errors.ts";
import { RecipeError, RecipeErrors } from "../recipe/errors.ts";
import { errorLines, printable } from "./render.ts";

Deno.test("printable escapes controls, C1 and text-reordering characters, and leaves other text alone", () => {
  assert.equal(printable("a\nb\tc\r"), "a\\nb\\tc\\r");
  assert.equal(printable("\x1b[31mred\x07"), "\\x1b[31mred\\x07");
  assert.equal(printable("\x9b2J \u202etxt \ufeff"), "\\x9b2J \\u202etxt \\ufeff");
  assert.equal(printable("blinky.hex — 0x08000000 ✓ ü"), "blinky.hex — 0x08000000 ✓ ü");
});

Deno.test("errorLines: one escaped line per problem, each with its own code", () => {
  const single = new InputError("E_FILE", "cannot read 'a\nb.hex'", { location: { file: "r\x1b.yaml", line: 3 } });
  assert.deepEqual(errorLines(single), ["error[E_FILE]: r\\x1b.yaml:3: cannot read 'a\\nb.hex'"]);
  const several = new RecipeErrors([
    new RecipeError("first", { file: "r.yaml", line: 1, column: 2 }, undefined, "E_RECIPE_ORDER"),
    new RecipeError("second", { file: "r.yaml", line: 4, column: 5 }, "a hint", "E_RECIPE_VAR"),
  ]);
  assert.deepEqual(errorLines(several), [
    "error[E_RECIPE_ORDER]: r.yaml:1:2: first",
    "error[E_RECIPE_VAR]: r.yaml:4:5: second (a hint)",
  ]);
});
