/**
 * Measures Intel HEX parsing speed: generates a 1 MiB image as Intel HEX in memory (16 data bytes per record,
 * type 04 records at each 64 KiB, as objcopy writes it) and prints the median time of several parses.
 * A figure printed, not an assertion.
 *
 * Run: `npx deno run scripts/bench_image.ts`
 *
 * @module
 */

import { parseIntelHex, writeIntelHex } from "../lib/image/intel_hex.ts";
import { MemoryImage } from "../lib/image/memory_image.ts";

const SIZE = 1024 * 1024;
const RUNS = 9;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const data = new Uint8Array(SIZE);
// Deterministic, non-uniform contents (a linear congruential sequence), so nothing compresses or short-cuts.
let seed = 0x12345678;
for (let i = 0; i < SIZE; i++) {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  data[i] = seed >>> 24;
}
const hex = writeIntelHex(new MemoryImage([{ address: 0x08000000, data }]));

const times: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const start = performance.now();
  const image = parseIntelHex(hex, "bench.hex");
  times.push(performance.now() - start);
  if (image.size !== SIZE) throw new Error(`parsed ${image.size} bytes, expected ${SIZE}`);
}
const ms = median(times);
console.log(
  `Intel HEX: ${(hex.length / 1024 / 1024).toFixed(2)} MiB of text (${SIZE / 16} data records) for 1 MiB of data`,
);
console.log(
  `parse: median ${ms.toFixed(1)} ms of ${RUNS} runs (min ${Math.min(...times).toFixed(1)}, max ${
    Math.max(...times).toFixed(1)
  }), ${(SIZE / 1024 / 1024 / (ms / 1000)).toFixed(1)} MiB/s`,
);
