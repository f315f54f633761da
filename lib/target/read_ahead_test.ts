import assert from "node:assert/strict";
import { ReadAhead } from "./read_ahead.ts";

function memory(size: number) {
  const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 0xff);
  const fetches: [number, number][] = [];
  const fetch = (address: number, length: number) => {
    fetches.push([address, length]);
    return Promise.resolve(bytes.slice(address, address + length));
  };
  return { bytes, fetches, fetch };
}

Deno.test("ReadAhead: a short probe is fetched as asked; sequential reads grow the window up to its bound", async () => {
  const { bytes, fetches, fetch } = memory(64 * 1024);
  const reader = new ReadAhead(fetch, 8192, () => bytes.length);
  assert.deepEqual(await reader.read(0, 16), bytes.slice(0, 16));
  for (let at = 16; at < 40000; at += 256) {
    const length = Math.min(256, 40000 - at);
    assert.deepEqual(await reader.read(at, length), bytes.slice(at, at + length));
  }
  assert.deepEqual(fetches.slice(0, 3), [[0, 16], [16, 256], [272, 512]]);
  assert.ok(fetches.length < 15, `${fetches.length} fetches`);
  assert.ok(fetches.every(([, length]) => length <= 8192));
});

Deno.test("ReadAhead: never past the readable end; invalidate drops the window; a jump fetches exactly", async () => {
  const { bytes, fetches, fetch } = memory(4096);
  const reader = new ReadAhead(fetch, 65536, () => 1024);
  await reader.read(0, 256);
  await reader.read(256, 256);
  assert.deepEqual(fetches.at(-1), [256, 512]);
  await reader.read(512, 256); // served from the window
  assert.equal(fetches.length, 2);
  await reader.read(768, 256); // sequential, but the readable memory ends at 1024
  assert.deepEqual(fetches.at(-1), [768, 256]);
  bytes[800] ^= 0xff; // the device's memory changes
  reader.invalidate();
  assert.equal((await reader.read(768, 256))[32], bytes[800]);
  await reader.read(3000, 10);
  assert.deepEqual(fetches.at(-1), [3000, 10]);
});
