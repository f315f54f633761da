import assert from "node:assert/strict";
import { closest, didYouMean, editDistance } from "./suggest.ts";

Deno.test("edit distance", () => {
  assert.equal(editDistance("wrte", "write"), 1);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("erase", "erase"), 0);
});

Deno.test("suggests close names only", () => {
  assert.equal(closest("wrte", ["connect", "erase", "write", "verify"]), "write");
  assert.equal(closest("flibbertigibbet", ["connect", "erase"]), undefined);
  assert.equal(didYouMean("verfy", ["verify"]), " (did you mean 'verify'?)");
  assert.equal(didYouMean("zzz", ["verify"]), "");
});
