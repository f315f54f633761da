/**
 * `deno task bench`: write+verify timings of flashrecipe against the reference tools on the same simulated links.
 *
 * USART rows: `flashrecipe sim usart --time-scale 1` serves the chip on a pseudo-terminal with the datasheet erase
 * and program times, an 8E1 byte time at 115200 baud and a USB-serial adapter's turnaround latency; flashrecipe's
 * one-shot `write` (the same erase/write/verify code a recipe runs) and `stm32flash -w IMG -v` each flash the image
 * onto a fresh simulator (blank flash, or for the re-flash row a flash already holding the image), several times;
 * the bench prints the median, the spread and the limit of the link (formula in scripts/bench/usart_limit.ts), and
 * checks the simulator's flash file afterwards.
 *
 * Usage: deno run -A scripts/bench.ts [--quick] [--json] [--runs N] [--latency-ms MS] [--usart-only]
 *   --quick       one row (16 KiB on the F103CB), one run: a smoke test
 *   --json        one JSON document on stdout instead of the table
 *   --runs N      runs per tool and row (default 3)
 *   --latency-ms  adapter turnaround per reply (default 1: low-latency mode; 16 for an FTDI's default)
 *
 * @module
 */

import { parseArgs } from "node:util";
import { randomImage, realisticImage } from "./bench/images.ts";
import { available, flashrecipeCommand, startUsartSim, timed } from "./bench/processes.ts";
import { summarise, type Timing } from "./bench/stats.ts";
import { usartLimit, type UsartLink } from "./bench/usart_limit.ts";
import { simulatedPart } from "../lib/sim/parts.ts";

const KiB = 1024;

/** One bench row: an image on a chip, compared between tools. */
interface RowSpec {
  /** Short name. */
  name: string;
  /** Simulated chip. */
  chip: string;
  /** What the image is. */
  imageName: string;
  /** The image, written at the start of flash. */
  image: Uint8Array;
  /** The flash already holds the image (a re-flash). */
  reflash: boolean;
  /** Runs per tool (defaults to --runs). */
  runs?: number;
}

/** One tool's result on a row. */
interface ToolResult extends Timing {
  /** The tool. */
  tool: string;
  /** Limit / median: how close to the link's limit. */
  ofLimit: number;
}

/** A measured row, as `--json` prints it. */
interface RowResult {
  name: string;
  link: "usart" | "dfu";
  chip: string;
  image: string;
  bytes: number;
  reflash: boolean;
  limitMs: number;
  /** The limit's parts, ms. */
  limit: { totalMs: number };
  tools: ToolResult[];
  /** Anchor median / flashrecipe median: above 1 means flashrecipe is faster. */
  speedup: number;
  /** The targets: at least the anchor's speed; on USART, 90% of the limit. */
  targets: { fasterThanAnchor: boolean; ninetyPercentOfLimit: boolean };
}

function rows(quick: boolean, runs: number): RowSpec[] {
  const small: RowSpec = {
    name: "f103cb-16k",
    chip: "stm32f103cb",
    imageName: "random 16 KiB",
    image: randomImage(16 * KiB, 16),
    reflash: false,
  };
  if (quick) return [small];
  const random64 = randomImage(64 * KiB, 64);
  return [
    small,
    { name: "f103cb-64k", chip: "stm32f103cb", imageName: "random 64 KiB", image: random64, reflash: false },
    {
      name: "f103cb-64k-gaps",
      chip: "stm32f103cb",
      imageName: "firmware 64 KiB, 0xFF gaps",
      image: realisticImage(),
      reflash: false,
    },
    {
      name: "f103cb-64k-reflash",
      chip: "stm32f103cb",
      imageName: "random 64 KiB again",
      image: random64,
      reflash: true,
    },
    // 256 KiB fits only the F405RG (1 MiB); each run of it takes about a minute per tool, so two runs.
    {
      name: "f405rg-256k",
      chip: "stm32f405rg",
      imageName: "random 256 KiB",
      image: randomImage(256 * KiB, 256),
      reflash: false,
      runs: Math.min(runs, 2),
    },
  ];
}

async function runUsartRow(spec: RowSpec, link: UsartLink, runs: number, dir: string, log: (s: string) => void) {
  const imagePath = `${dir}/${spec.name}.bin`;
  await Deno.writeFile(imagePath, spec.image);
  const flashFile = `${dir}/${spec.name}.flash`;
  const flashSize = simulatedPart(spec.chip).part.flashSize;
  const tools: Record<string, (port: string) => [string, string[]]> = {
    flashrecipe: (port) =>
      flashrecipeCommand(["write", imagePath, "--address", "0x08000000", "--port", port, "--baud", `${link.baud}`]),
    stm32flash: (port) => [
      "stm32flash",
      ["-m", "8n1", "-b", `${link.baud}`, "-w", imagePath, "-v", "-S", "0x08000000", port],
    ],
  };
  const times: Record<string, number[]> = { flashrecipe: [], stm32flash: [] };
  for (let run = 0; run < (spec.runs ?? runs); run++) {
    // Alternate the order so that drift in the machine's load falls on both tools alike.
    const order = run % 2 ? ["stm32flash", "flashrecipe"] : ["flashrecipe", "stm32flash"];
    for (const tool of order) {
      await Deno.remove(flashFile).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
      if (spec.reflash) {
        const flash = new Uint8Array(flashSize).fill(0xff);
        flash.set(spec.image);
        await Deno.writeFile(flashFile, flash);
      }
      const sim = await startUsartSim([
        "--chip",
        spec.chip,
        "--flash-file",
        flashFile,
        "--time-scale",
        "1",
        "--latency-ms",
        `${link.latencyMs}`,
        "--frame-bits",
        `${link.bitsPerByte}`,
      ]);
      let result;
      try {
        const [command, args] = tools[tool](sim.path);
        result = await timed(command, args);
      } finally {
        await sim.stop();
      }
      if (result.code !== 0) throw new Error(`${tool} failed on ${spec.name} (exit ${result.code}):\n${result.output}`);
      const flash = await Deno.readFile(flashFile);
      const at = spec.image.findIndex((b, i) => flash[i] !== b);
      if (at >= 0) throw new Error(`${tool} on ${spec.name}: flash differs from the image at +0x${at.toString(16)}`);
      times[tool].push(result.ms);
      log(`  ${spec.name} ${tool} run ${run + 1}: ${(result.ms / 1000).toFixed(2)} s`);
    }
  }
  return times;
}

function rowResult(
  spec: RowSpec,
  linkKind: "usart" | "dfu",
  limit: { totalMs: number },
  times: Record<string, number[]>,
  anchor: string,
): RowResult {
  const tools = Object.entries(times).map(([tool, runsMs]) => {
    const timing = summarise(runsMs);
    return { tool, ...timing, ofLimit: limit.totalMs / timing.medianMs };
  });
  const ours = tools.find((t) => t.tool === "flashrecipe")!;
  const theirs = tools.find((t) => t.tool === anchor)!;
  return {
    name: spec.name,
    link: linkKind,
    chip: spec.chip,
    image: spec.imageName,
    bytes: spec.image.length,
    reflash: spec.reflash,
    limitMs: limit.totalMs,
    limit,
    tools,
    speedup: theirs.medianMs / ours.medianMs,
    targets: {
      fasterThanAnchor: ours.medianMs <= theirs.medianMs,
      ninetyPercentOfLimit: linkKind !== "usart" || ours.ofLimit >= 0.9,
    },
  };
}

function table(results: RowResult[]): string {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const lines = [
    "| row | link | chip | image | tool | median s | spread s | limit s | % of limit | vs anchor |",
    "| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const row of results) {
    for (const t of row.tools) {
      const ours = t.tool === "flashrecipe";
      const versus = ours ? `${row.speedup.toFixed(2)}x ${row.targets.fasterThanAnchor ? "faster" : "SLOWER"}` : "";
      const pct = `${(t.ofLimit * 100).toFixed(0)}%${ours && !row.targets.ninetyPercentOfLimit ? " (<90%)" : ""}`;
      lines.push(
        `| ${row.name} | ${row.link} | ${row.chip} | ${row.image} | ${t.tool} | ${s(t.medianMs)} | ` +
          `${s(t.minMs)}-${s(t.maxMs)} | ${s(row.limitMs)} | ${pct} | ${versus} |`,
      );
    }
  }
  return lines.join("\n");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      runs: { type: "string" },
      "latency-ms": { type: "string", default: "1" },
      "usart-only": { type: "boolean", default: false },
    },
  });
  const runs = values.quick ? 1 : Number(values.runs ?? 3);
  const link: UsartLink = { baud: 115200, bitsPerByte: 11, latencyMs: Number(values["latency-ms"]) };
  const log = (line: string) => console.error(line);
  if (!(await available("stm32flash"))) {
    console.error("stm32flash is not installed (apt-get install stm32flash): the USART rows need it");
    return 2;
  }
  const dir = await Deno.makeTempDir({ prefix: "flashrecipe-bench-" });
  const results: RowResult[] = [];
  const started = performance.now();
  try {
    for (const spec of rows(values.quick, runs)) {
      log(`${spec.name}: ${spec.imageName} on the ${spec.chip} over USART`);
      const times = await runUsartRow(spec, link, runs, dir, log);
      const limit = usartLimit(spec.chip, spec.image, link, spec.reflash);
      results.push(rowResult(spec, "usart", limit, times, "stm32flash"));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const settings = {
    usart: { ...link, timeScale: 1 },
    runs,
    quick: values.quick,
    elapsedS: (performance.now() - started) / 1000,
  };
  if (values.json) console.log(JSON.stringify({ settings, rows: results }, null, 2));
  else {
    console.log(
      `USART: ${link.baud} baud, ${link.bitsPerByte} bits a byte, ${link.latencyMs} ms adapter turnaround; ` +
        `${runs} run(s) per tool (median, min-max)\n`,
    );
    console.log(table(results));
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main());
