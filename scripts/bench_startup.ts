/**
 * Measures start-up: for a few command lines, how many modules load before the command runs (from
 * `deno info --json`, dynamic and type-only imports not followed) and the median wall-clock time of the whole
 * process (`deno run -A main.ts ...`). An empty Deno script is the floor. Figures printed, not assertions.
 *
 * Run: `npx deno run -A scripts/bench_startup.ts [--runs N]` (default 5 runs per line).
 *
 * @module
 */

import { startupModules } from "./bench/module_graph.ts";
import { summarise } from "./bench/stats.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** One command line to time, and the modules it loads before running. */
interface Case {
  /** Arguments after `deno run -A`. */
  args: string[];
  /** Files whose start-up graph the command line loads (main.ts and the command's module). */
  entries: string[];
}

const runsIndex = Deno.args.indexOf("--runs");
const runs = runsIndex >= 0 ? Number(Deno.args[runsIndex + 1]) : 5;
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a positive whole number");

const dir = await Deno.makeTempDir({ prefix: "bench_startup_" });
try {
  const empty = `${dir}/empty.ts`;
  await Deno.writeTextFile(empty, "export {};\n");
  const image = `${dir}/image.bin`;
  await Deno.writeFile(image, new Uint8Array(4096).fill(0x5a));
  // A path that is surely not a serial port: the command gets as far as opening it, then stops.
  const port = `${dir}/no-such-port`;
  const command = (name: string) => ["main.ts", `lib/cli/commands/${name}.ts`];
  const cases: Case[] = [
    { args: [empty], entries: [empty] },
    { args: ["main.ts", "--version"], entries: ["main.ts"] },
    { args: ["main.ts", "write", image, "--port", port], entries: command("write") },
    { args: ["main.ts", "read", `${dir}/read.bin`, "--port", port], entries: command("read") },
    { args: ["main.ts", "info", "--port", port], entries: command("info") },
    // The recipe draws a serial number, so the run opens the production store (here one in the temporary folder).
    {
      args: ["main.ts", "run", "recipes/production-f103.yaml", "--port", port, "--db", `${dir}/startup.db`],
      entries: command("run"),
    },
    { args: ["main.ts", "run", "recipes/demo.yaml", "--simulate", "stm32f103c8"], entries: command("run") },
    { args: ["main.ts", "validate", "recipes/production-f103.yaml"], entries: command("validate") },
  ];
  console.log(`start-up, median of ${runs} run(s) per line (deno run -A ...):`);
  for (const c of cases) {
    const modules = (await startupModules(...c.entries)).size;
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const start = performance.now();
      await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", ...c.args],
        cwd: ROOT,
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).output();
      times.push(performance.now() - start);
    }
    const timing = summarise(times);
    const label = c.args.join(" ").replaceAll(dir, "$TMP");
    console.log(
      `${timing.medianMs.toFixed(0).padStart(5)} ms  (${timing.minMs.toFixed(0)}-${timing.maxMs.toFixed(0)})  ` +
        `${String(modules).padStart(3)} modules  ${label}`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
