import assert from "node:assert/strict";
import { duration, durationMs, MAX_DURATION_MS } from "./params.ts";

Deno.test("a duration is 1 ms to 24 hours in either form", () => {
  for (const ok of [1, 500, MAX_DURATION_MS, "1ms", "0.5s", "2s", "1m", "1440m", "86400000ms"]) {
    assert.ok(duration.safeParse(ok).success, String(ok));
  }
  for (const bad of [0, -1, 1.5, MAX_DURATION_MS + 1, 2147483648, "0ms", "0s", "0.4ms", "40000m", "1441m", "1h", ""]) {
    assert.equal(duration.safeParse(bad).success, false, String(bad));
  }
  // Many digits are refused by the pattern before any arithmetic.
  assert.equal(duration.safeParse(`${"9".repeat(400)}ms`).success, false);
});

Deno.test("durationMs converts units", () => {
  assert.equal(durationMs("1.5s"), 1500);
  assert.equal(durationMs("2m"), 120_000);
  assert.equal(durationMs(250), 250);
});
