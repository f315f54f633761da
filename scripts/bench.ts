/**
 * `deno task bench`: write+verify timings of flashrecipe against the reference tools on the same simulated links.
 *
 * USART rows: `flashrecipe sim usart --time-scale 1` serves the chip on a pseudo-terminal with the datasheet erase
 * and program times, an 8E1 byte time at 115200 baud and a USB-serial adapter's turnaround latency; flashrecipe's
 * one-shot `write` (the same erase/write/verify code a recipe runs) and `stm32flash -w IMG -v` each flash the image
 * onto a fresh simulator (blank flash, or for the re-flash row a flash already holding the image). Limit formula:
 * scripts/bench/usart_limit.ts.
 *
 * DFU rows: the DfuSe simulator with datasheet timing and the full-speed USB time of each control transfer, in the
 * virtual USB lab; flashrecipe `write --usb` against `dfu-util -D` followed by `dfu-util -U` (dfu-util does not
 * verify; the upload is compared outside the timing). Limit formula: scripts/bench/dfu_rows.ts.
 *
 * Every run starts a fresh simulator; afterwards the bench checks that its flash holds the image. It prints the
 * median, the spread (min-max) and the limit per row, and whether flashrecipe met the targets: at least the
 * anchor's speed, and on USART 90% of the limit.
 *
 * Usage: deno run -A scripts/bench.ts [--quick] [--json] [--runs N] [--latency-ms MS] [--usart-only] [--only ROWS]
 *   --quick       one row (16 KiB on the F103CB over USART), one run: a smoke test
 *   --json        one JSON document on stdout instead of the table (progress goes to stderr)
 *   --runs N      runs per tool and row (default 3; the 64 and 256 KiB USART rows and 256 KiB DFU at most 2)
 *   --latency-ms  adapter turnaround per reply (default 1: low-latency mode; 16 for an FTDI's default)
 *   --usart-only  skip the DFU rows (they need umockdev and dfu-util)
 *   --only ROWS   comma-separated row names
 *
 * @module
 */

import { parseArgs } from "node:util";
import { randomImage, realisticImage } from "./bench/images.ts";
import { available, flashrecipeCommand, startUsartSim, timed } from "./bench/processes.ts";
import { summarise, type Timing } from "./bench/stats.ts";
import { usartLimit, type UsartLink } from "./bench/usart_limit.ts";
import { simulatedPart } from "../lib/sim/parts.ts";
import type { DfusePartName } from "../lib/sim/dfuse/parts.ts";
import { dfuseFlashSize, dfuseLimit, runInLab } from "./bench/dfu_rows.ts";
import { UsbLabError } from "./usb_lab/lab.ts";

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
  /** The link. */
  link: "usart" | "dfu";
  /** Also time the same flash as a recipe (`flashrecipe run`: connect, erase: needed, write, verify). */
  recipe?: boolean;
}

/** One tool's result on a row. */
interface ToolResult extends Timing {
  /** The tool. */
  tool: string;
  /** Limit / median: how close to the link's limit. */
  ofLimit: number;
  /** Anchor median / this median: above 1 means faster than the anchor. */
  vsAnchor: number;
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
  /** Anchor median / median of flashrecipe's one-shot `write`: above 1 means flashrecipe is faster. */
  speedup: number;
  /** The targets: at least the anchor's speed; on USART, 90% of the limit. */
  targets: { fasterThanAnchor: boolean; ninetyPercentOfLimit: boolean };
}

function rows(quick: boolean, runs: number, usartOnly: boolean): RowSpec[] {
  const random16 = randomImage(16 * KiB, 16);
  const small: RowSpec = {
    name: "f103cb-16k",
    link: "usart",
    chip: "stm32f103cb",
    imageName: "random 16 KiB",
    image: random16,
    reflash: false,
  };
  if (quick) return [small];
  const random64 = randomImage(64 * KiB, 64);
  const random256 = randomImage(256 * KiB, 256);
  const usart: RowSpec[] = [
    small,
    // Two runs of the 64 KiB USART rows and of the 256 KiB ones keep a full bench near ten minutes.
    {
      name: "f103cb-64k",
      link: "usart",
      chip: "stm32f103cb",
      imageName: "random 64 KiB",
      image: random64,
      reflash: false,
      runs: Math.min(runs, 2),
    },
    {
      name: "f103cb-64k-gaps",
      link: "usart",
      chip: "stm32f103cb",
      imageName: "firmware 64 KiB, 0xFF gaps",
      image: realisticImage(),
      reflash: false,
      runs: Math.min(runs, 2),
    },
    {
      name: "f103cb-16k-reflash",
      link: "usart",
      chip: "stm32f103cb",
      imageName: "random 16 KiB, already there",
      image: random16,
      reflash: true,
      recipe: true,
    },
    // A bootloader that lists Get Checksum (0xA1, framed as AN3155 Rev 20 §3.13): a first flash proves each blank
    // page by one CRC instead of reading it back, and a re-flash compares by CRC, a few bytes a page.
    {
      name: "g071crc-64k",
      link: "usart",
      chip: "stm32g071rb-crc",
      imageName: "random 64 KiB",
      image: random64,
      reflash: false,
      runs: Math.min(runs, 2),
    },
    {
      name: "g071crc-64k-reflash",
      link: "usart",
      chip: "stm32g071rb-crc",
      imageName: "random 64 KiB, already there",
      image: random64,
      reflash: true,
      recipe: true,
      runs: Math.min(runs, 2),
    },
    // 256 KiB fits only the F405RG (1 MiB); a run takes about a minute per tool.
    {
      name: "f405rg-256k",
      link: "usart",
      chip: "stm32f405rg",
      imageName: "random 256 KiB",
      image: random256,
      reflash: false,
      runs: Math.min(runs, 2),
    },
  ];
  if (usartOnly) return usart;
  return [
    ...usart,
    {
      name: "dfu-f405-16k",
      link: "dfu",
      chip: "stm32f405rg",
      imageName: "random 16 KiB",
      image: random16,
      reflash: false,
    },
    {
      name: "dfu-f405-64k-gaps",
      link: "dfu",
      chip: "stm32f405rg",
      imageName: "firmware 64 KiB, 0xFF gaps",
      image: realisticImage(),
      reflash: false,
    },
    {
      name: "dfu-f405-128k-reflash",
      link: "dfu",
      chip: "stm32f405rg",
      imageName: "random 128 KiB, already there",
      image: randomImage(128 * KiB, 128),
      reflash: true,
    },
    {
      name: "dfu-f405-256k",
      link: "dfu",
      chip: "stm32f405rg",
      imageName: "random 256 KiB",
      image: random256,
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
  const recipePath = `${dir}/${spec.name}.yaml`;
  await Deno.writeTextFile(
    recipePath,
    [
      "version: 1",
      `name: bench ${spec.name}`,
      `target: { chip: ${simulatedPart(spec.chip).part.part} }`,
      "steps:",
      `  - connect: { baud: ${link.baud} }`,
      "  - erase: needed",
      `  - write: { file: ${imagePath}, address: 0x08000000 }`,
      "  - verify",
      "",
    ].join("\n"),
  );
  const tools: Record<string, (port: string) => [string, string[]]> = {
    "flashrecipe run": (port) => flashrecipeCommand(["run", recipePath, "--port", port]),
    flashrecipe: (port) =>
      flashrecipeCommand(["write", imagePath, "--address", "0x08000000", "--port", port, "--baud", `${link.baud}`]),
    stm32flash: (port) => [
      "stm32flash",
      ["-m", "8n1", "-b", `${link.baud}`, "-w", imagePath, "-v", "-S", "0x08000000", port],
    ],
  };
  const times: Record<string, number[]> = { flashrecipe: [], stm32flash: [] };
  if (spec.recipe) times["flashrecipe run"] = [];
  for (let run = 0; run < (spec.runs ?? runs); run++) {
    // Alternate the order so that drift in the machine's load falls on both tools alike.
    const order = run % 2 ? ["stm32flash", "flashrecipe"] : ["flashrecipe", "stm32flash"];
    if (spec.recipe) order.push("flashrecipe run");
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

async function runDfuRow(spec: RowSpec, runs: number, dir: string, log: (s: string) => void) {
  const part = spec.chip as DfusePartName;
  const imagePath = `${dir}/${spec.name}.bin`;
  const uploadPath = `${dir}/${spec.name}.up.bin`;
  await Deno.writeFile(imagePath, spec.image);
  const usb = "0483:df11";
  const tools: Record<string, () => [string, string[]][]> = {
    flashrecipe: () => [flashrecipeCommand(["write", imagePath, "--address", "0x08000000", "--usb", usb])],
    // dfu-util does not verify: write with -D, then read back with -U (compared below, outside the timing).
    "dfu-util": () => [
      ["dfu-util", ["-d", usb, "-a", "0", "-s", "0x08000000", "-D", imagePath]],
      ["dfu-util", ["-d", usb, "-a", "0", "-s", `0x08000000:${spec.image.length}`, "-U", uploadPath]],
    ],
  };
  const times: Record<string, number[]> = { flashrecipe: [], "dfu-util": [] };
  for (let run = 0; run < (spec.runs ?? runs); run++) {
    const order = run % 2 ? ["dfu-util", "flashrecipe"] : ["flashrecipe", "dfu-util"];
    for (const tool of order) {
      await Deno.remove(uploadPath).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
      let initial: Uint8Array | undefined;
      if (spec.reflash) {
        initial = new Uint8Array(dfuseFlashSize(part)).fill(0xff);
        initial.set(spec.image);
      }
      const result = await runInLab(part, initial, tools[tool]());
      const at = spec.image.findIndex((b, i) => result.flash[i] !== b);
      if (at >= 0) throw new Error(`${tool} on ${spec.name}: flash differs from the image at +0x${at.toString(16)}`);
      if (tool === "dfu-util") {
        const uploaded = await Deno.readFile(uploadPath);
        if (uploaded.length !== spec.image.length || uploaded.some((b, i) => b !== spec.image[i])) {
          throw new Error(`dfu-util on ${spec.name}: the upload differs from the image`);
        }
      }
      times[tool].push(result.ms);
      log(`  ${spec.name} ${tool} run ${run + 1}: ${(result.ms / 1000).toFixed(2)} s`);
    }
  }
  return times;
}

function rowResult(
  spec: RowSpec,
  limit: { totalMs: number },
  times: Record<string, number[]>,
  anchor: string,
): RowResult {
  const summaries = Object.entries(times).map(([tool, runsMs]) => ({ tool, ...summarise(runsMs) }));
  const anchorMedian = summaries.find((t) => t.tool === anchor)!.medianMs;
  const tools = summaries.map((t) => ({
    ...t,
    ofLimit: limit.totalMs / t.medianMs,
    vsAnchor: anchorMedian / t.medianMs,
  }));
  const ours = tools.filter((t) => t.tool.startsWith("flashrecipe"));
  const oneShot = ours.find((t) => t.tool === "flashrecipe")!;
  return {
    name: spec.name,
    link: spec.link,
    chip: spec.chip,
    image: spec.imageName,
    bytes: spec.image.length,
    reflash: spec.reflash,
    limitMs: limit.totalMs,
    limit,
    tools,
    speedup: oneShot.vsAnchor,
    targets: {
      fasterThanAnchor: ours.every((t) => t.vsAnchor >= 1),
      ninetyPercentOfLimit: spec.link !== "usart" || ours.every((t) => t.ofLimit >= 0.9),
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
      const ours = t.tool.startsWith("flashrecipe");
      const versus = ours ? `${t.vsAnchor.toFixed(2)}x ${t.vsAnchor >= 1 ? "faster" : "SLOWER"}` : "";
      const short = ours && row.link === "usart" && t.ofLimit < 0.9;
      const pct = `${(t.ofLimit * 100).toFixed(0)}%${short ? " (<90%)" : ""}`;
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
      only: { type: "string" },
    },
  });
  const runs = values.quick ? 1 : Number(values.runs ?? 3);
  const link: UsartLink = { baud: 115200, bitsPerByte: 11, latencyMs: Number(values["latency-ms"]) };
  const log = (line: string) => console.error(line);
  if (!(await available("stm32flash"))) {
    console.error("stm32flash is not installed (apt-get install stm32flash): the USART rows need it");
    return 2;
  }
  let usartOnly = values["usart-only"];
  if (!usartOnly && !(await available("dfu-util"))) {
    log("dfu-util is not installed: DFU rows skipped");
    usartOnly = true;
  }
  const dir = await Deno.makeTempDir({ prefix: "flashrecipe-bench-" });
  const results: RowResult[] = [];
  const started = performance.now();
  try {
    const only = values.only?.split(",");
    for (const spec of rows(values.quick, runs, usartOnly).filter((r) => !only || only.includes(r.name))) {
      log(`${spec.name}: ${spec.imageName} on the ${spec.chip} over ${spec.link === "usart" ? "USART" : "USB DFU"}`);
      if (spec.link === "usart") {
        const times = await runUsartRow(spec, link, runs, dir, log);
        const limit = usartLimit(spec.chip, spec.image, link, spec.reflash);
        results.push(rowResult(spec, limit, times, "stm32flash"));
      } else {
        let times;
        try {
          times = await runDfuRow(spec, runs, dir, log);
        } catch (error) {
          if (!(error instanceof UsbLabError)) throw error;
          log(`the USB lab cannot start (${error.message}): DFU rows skipped`);
          break;
        }
        const limit = dfuseLimit(spec.chip as DfusePartName, spec.image, spec.reflash);
        results.push(rowResult(spec, limit, times, "dfu-util"));
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const settings = {
    usart: { ...link, timeScale: 1 },
    dfu: { bus: "full-speed USB, 12 Mbit/s", timeScale: 1 },
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
