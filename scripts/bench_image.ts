/**
 * Image-layer figures (printed, never asserted):
 * - Intel HEX parsing speed: a 1 MiB image as Intel HEX (16 data bytes per record, type 04 records at each 64 KiB,
 *   as objcopy writes it), median of several parses;
 * - time and peak memory (VmHWM, Linux) of parsing ("parse"), parsing and summarising as `image` does ("read") and
 *   converting ("convert") large or hostile files, each case in its own process: a ~53 MB Intel HEX (19 MiB of data), 130000-segment HEX and DfuSe files, and an ELF with 65535 program
 *   and 65535 section headers. Peak memory includes the runtime's own (printed as "baseline").
 *
 * Run: `./node_modules/.bin/deno run -A scripts/bench_image.ts`
 *
 * @module
 */

import { parseIntelHex, writeIntelHex } from "../lib/image/intel_hex.ts";
import { MemoryImage } from "../lib/image/memory_image.ts";
import { loadImageFile } from "../lib/image/load.ts";
import { convertImage } from "../lib/image/convert.ts";
import { describeImage, formatImageSummary } from "../lib/image/summary.ts";
import { elfWithHeaders, scatteredFiles } from "../tests/helpers/hostile_images.ts";

const SIZE = 1024 * 1024;
const RUNS = 9;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Deterministic, non-uniform bytes (a linear congruential sequence), so nothing compresses or short-cuts. */
function noise(size: number): Uint8Array {
  const data = new Uint8Array(size);
  let seed = 0x12345678;
  for (let i = 0; i < size; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    data[i] = seed >>> 24;
  }
  return data;
}

/** Peak resident memory of this process in MiB (Linux), or NaN. */
function peakMiB(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Child mode: run one case on `path`, print `{ ms, peak }` as JSON. */
async function runCase(name: string, path: string): Promise<void> {
  const start = performance.now();
  if (name === "baseline") {
    // nothing: the runtime and the modules above
  } else if (name === "parse") {
    await loadImageFile(path);
  } else if (name.startsWith("read")) {
    const image = await loadImageFile(path);
    formatImageSummary(await describeImage(image, "hex"));
  } else if (name.startsWith("convert")) {
    await convertImage(path, `${path}.out.srec`);
  }
  console.log(JSON.stringify({ ms: performance.now() - start, peak: peakMiB() }));
}

if (Deno.args[0] === "--case") {
  await runCase(Deno.args[1], Deno.args[2]);
  Deno.exit(0);
}

const data = noise(SIZE);
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
  `parse: median ${ms.toFixed(1)} ms of ${RUNS} runs (min ${times.reduce((a, b) => Math.min(a, b)).toFixed(1)}, max ${
    times.reduce((a, b) => Math.max(a, b)).toFixed(1)
  }), ${(SIZE / 1024 / 1024 / (ms / 1000)).toFixed(1)} MiB/s`,
);

const dir = await Deno.makeTempDir({ prefix: "bench-image-" });
try {
  const big = writeIntelHex(new MemoryImage([{ address: 0x08000000, data: noise(19 * 1024 * 1024) }]));
  const scattered = scatteredFiles(130_000);
  const files: Record<string, Uint8Array> = {
    "big.hex": big,
    "scattered.hex": scattered.hex,
    "scattered.dfu": scattered.dfu,
    "headers.elf": elfWithHeaders({ segments: 65535, sections: 65535 }),
  };
  for (const [name, bytes] of Object.entries(files)) await Deno.writeFile(`${dir}/${name}`, bytes);
  const cases: [string, string][] = [
    ["baseline", "big.hex"],
    ["parse", "big.hex"],
    ["read", "big.hex"],
    ["convert", "big.hex"],
    ["parse", "scattered.hex"],
    ["read", "scattered.hex"],
    ["read", "scattered.dfu"],
    ["convert", "scattered.dfu"],
    ["read", "headers.elf"],
  ];
  console.log("\ncase                       file size   time      peak RSS");
  for (const [kind, file] of cases) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(import.meta.url).pathname, "--case", kind, `${dir}/${file}`],
      stdout: "piped",
    }).output();
    const result = JSON.parse(new TextDecoder().decode(output.stdout)) as { ms: number; peak: number };
    const size = `${(files[file].length / 1024 / 1024).toFixed(1)} MB`;
    console.log(
      `${`${kind} ${file}`.padEnd(26)} ${size.padStart(9)}  ${`${result.ms.toFixed(0)} ms`.padStart(8)}  ${
        result.peak.toFixed(0).padStart(5)
      } MiB`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
