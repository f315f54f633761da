import assert from "node:assert/strict";
import { mulberry32, seededBytes } from "./seeded_random.ts";

Deno.test("seededBytes: the same seed makes the same bytes", () => {
  const a = seededBytes(7);
  const b = seededBytes(7);
  const first = Array.from({ length: 16 }, a);
  assert.deepEqual(first, Array.from({ length: 16 }, b));
  assert.ok(first.some((x) => x !== first[0]));
});

Deno.test("mulberry32: the numbers the three former copies (faults, bench images, fuzz) gave, kept", () => {
  const next = mulberry32(1);
  assert.deepEqual(Array.from({ length: 3 }, next), [0xa087eaf3, 0x00b349c9, 0x8706c4eb]);
  const other = mulberry32(0xdeadbeef);
  assert.deepEqual(Array.from({ length: 3 }, other), [0xf0fd995a, 0x4466f0cf, 0xc5a3fa66]);
  // Bytes are the low byte of each number.
  assert.deepEqual(Array.from({ length: 3 }, seededBytes(1)), [0xf3, 0xc9, 0xeb]);
});
