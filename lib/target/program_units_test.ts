import assert from "node:assert/strict";
import { joinSharedUnits } from "./program_units.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

Deno.test("joinSharedUnits joins pieces that share a double-word, 0xFF in the gap, and leaves the others", () => {
  const pieces = [
    { address: 0x100, data: bytes(1, 2, 3, 4) }, // 0x100-0x103: unit 0x100
    { address: 0x106, data: bytes(5, 6, 7) }, // 0x106-0x108: units 0x100 and 0x108
    { address: 0x109, data: bytes(8) }, // unit 0x108 again
    { address: 0x110, data: bytes(9) }, // unit 0x110: alone
  ];
  assert.deepEqual(joinSharedUnits(pieces, 8), [
    { address: 0x100, data: bytes(1, 2, 3, 4, 0xff, 0xff, 5, 6, 7, 8) },
    { address: 0x110, data: bytes(9) },
  ]);
  assert.deepEqual(joinSharedUnits(pieces, 1), pieces);
  assert.deepEqual(joinSharedUnits(pieces.slice(3), 8), pieces.slice(3));
});
