/**
 * `deno task bench:gang`: gang flashing — N boards at once from one station process against one board — on
 * simulated chips served by `flashrecipe sim usart --time-scale 1 --latency-ms 1` (datasheet erase and program
 * times, an 8E1 byte time at 115200 baud, a low-latency adapter's turnaround), one simulator process per slot, each
 * a board of its own (`--unique-id`). The recipe is a production one: connect, write and verify an image, draw a
 * serial number from a counter in a SQLite store.
 *
 * Rows, for N = 1 and each N of `--slots`:
 * - `station` as a process (`station RECIPE --port P1 … --boards N`): the wall time from spawn to exit, and the
 *   boards' span (first board's start to last board's end, from the records) — the figure the target is about: N
 *   boards at once within 1.15x of one board;
 * - with `--policies`, the same station run in this process under the old wait policy (waits block the thread up to
 *   50 ms whatever the number of ports) and the new one (block only while one port is open), to show what the
 *   redesign of lib/transport/serial/wait_policy.ts buys.
 *
 * Figures are printed, never asserted. On a machine whose cores are shared, say so with the figures: N simulators
 * and the station compete for the same cores.
 *
 * Usage: deno run -A scripts/bench_gang.ts [--slots 4,8] [--runs N] [--kib K] [--policies] [--json]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { randomImage } from "./bench/images.ts";
import { flashrecipeCommand, type SimProcess, startUsartSim, timed } from "./bench/processes.ts";
import { summarise, type Timing } from "./bench/stats.ts";
import { main } from "../lib/cli/main.ts";
import { openStore } from "../lib/production/open_store.ts";
import { allowBlockingWaits } from "../lib/transport/serial/wait_policy.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    slots: { type: "string", default: "4,8" },
    runs: { type: "string", default: "3" },
    kib: { type: "string", default: "16" },
    policies: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const gangSizes = values.slots.split(",").map(Number);
const runs = Number(values.runs);
const kib = Number(values.kib);
if (gangSizes.some((n) => !Number.isInteger(n) || n < 2 || n > 64) || !(runs >= 1) || !(kib >= 1)) {
  throw new Error("--slots takes gang sizes 2-64 (comma-separated), --runs and --kib positive numbers");
}
const CHIP = "stm32f103cb";
const log = (line: string) => console.error(line);

/** One measured configuration. */
interface Row {
  name: string;
  slots: number;
  /** Spawn to exit (process rows) or call to return (in-process rows), ms. */
  wall: Timing;
  /** First board's start to last board's end, ms (from the records). */
  span: Timing;
  /** Each board's own duration (the recipe run), ms, over every board of every run. */
  board: Timing;
  /** Boards that failed, over every run (the old policy's starved slots time out). */
  failed: number;
  /** CPU time of the station per board, ms (process rows only; Linux /proc). */
  stationCpuPerBoardMs?: number;
  /** CPU time of all the simulators during a run, ms (median over runs; Linux /proc). */
  simsCpuMs?: number;
}

/** CPU time (user + system) of process `pid` so far, ms; `self-children`: of this process's reaped children. */
async function cpuMs(pid: number | "self-children"): Promise<number | undefined> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid === "self-children" ? "self" : pid}/stat`);
    // Fields after the command name (which may hold spaces): utime is field 14, cutime 16 (1-based).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
    const ticks = pid === "self-children" ? fields[13] + fields[14] : fields[11] + fields[12];
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Linux's USER_HZ, the unit of /proc/PID/stat times. */
const CLOCK_TICKS = 100;

const dir = await Deno.makeTempDir({ prefix: "bench_gang_" });
const recipe = `${dir}/gang.yaml`;
await Deno.writeFile(`${dir}/app.bin`, randomImage(kib * 1024, 11));
await Deno.writeTextFile(
  recipe,
  "version: 1\nname: gang bench\ntarget: { chip: stm32f103cb }\nsteps:\n  - connect: { baud: 115200 }\n" +
    "  - erase: needed\n  - write: { file: app.bin, address: 0x08000000 }\n  - verify\n" +
    "  - erase: { address: 0x0801FC00, length: 1024 }\n" +
    `  - serial-number: { address: 0x0801FC00, encoding: u32le, counter: { name: bench, start: 1 } }\n`,
);

/** Starts `n` simulators, each a board with its own unique ID. */
async function startSims(n: number): Promise<SimProcess[]> {
  const sims: SimProcess[] = [];
  try {
    for (let i = 0; i < n; i++) {
      sims.push(
        await startUsartSim([
          "--chip",
          CHIP,
          "--time-scale",
          "1",
          "--latency-ms",
          "1",
          "--unique-id",
          (i + 1).toString(16).padStart(24, "0"),
        ]),
      );
    }
  } catch (error) {
    await Promise.all(sims.map((sim) => sim.stop()));
    throw error;
  }
  return sims;
}

/**
 * The boards' span and durations from a run's store, and how many failed; checks there is a record per board and
 * that the passed boards' serial numbers are distinct.
 */
async function boardsOf(db: string, n: number): Promise<{ spanMs: number; durations: number[]; failed: number }> {
  const store = await openStore(db);
  try {
    const records = await store.records();
    if (records.length !== n) throw new Error(`expected ${n} records, got ${records.length}`);
    const passed = records.filter((r) => r.result === "PASS");
    if (new Set(passed.map((r) => r.serial_number)).size !== passed.length) throw new Error("a serial issued twice");
    const starts = records.map((r) => Date.parse(r.started_at));
    const ends = records.map((r) => Date.parse(r.finished_at));
    return {
      spanMs: Math.max(...ends) - Math.min(...starts),
      durations: records.map((r) => r.duration_ms),
      failed: n - passed.length,
    };
  } finally {
    await store.close();
  }
}

type Runner = (args: string[]) => Promise<{ ms: number; code: number; output: string }>;

/** `station` as its own process, as a technician starts it. */
const asProcess: Runner = (args) => {
  const [command, commandArgs] = flashrecipeCommand(args);
  return timed(command, commandArgs);
};

/** `station` in this process under a given wait policy (`maxOpenStreams`: Infinity is the old policy). */
function inProcess(maxOpenStreams: number): Runner {
  return async (args) => {
    allowBlockingWaits(50, { maxOpenStreams });
    const lines: string[] = [];
    const started = performance.now();
    try {
      const code = await main(args, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
      return { ms: performance.now() - started, code, output: lines.join("\n") };
    } finally {
      allowBlockingWaits(0);
    }
  };
}

/** Runs `runs` times; `mayFail`: failed boards are counted (the old policy), else they stop the bench. */
async function measure(name: string, n: number, runner: Runner, mayFail = false): Promise<Row> {
  let failed = 0;
  const stationCpu: number[] = [];
  const simsCpu: number[] = [];
  const walls: number[] = [];
  const spans: number[] = [];
  const durations: number[] = [];
  for (let run = 0; run < runs; run++) {
    const sims = await startSims(n);
    const db = `${dir}/${name.replaceAll(/\W+/g, "_")}-${n}-${run}.db`;
    try {
      const args = ["station", recipe, ...sims.flatMap((sim) => ["--port", sim.path])];
      args.push("--boards", String(n), "--db", db, "--log", `${db}.csv`, "--station", `bench-${n}`, "-q");
      const simsBefore = await Promise.all(sims.map((sim) => cpuMs(sim.pid)));
      const childrenBefore = await cpuMs("self-children");
      const result = await runner(args);
      const childrenAfter = await cpuMs("self-children");
      const simsAfter = await Promise.all(sims.map((sim) => cpuMs(sim.pid)));
      // Reaped children's time grows only by the station process (the simulators are still running).
      if (childrenBefore !== undefined && childrenAfter !== undefined && runner === asProcess) {
        stationCpu.push((childrenAfter - childrenBefore) / n);
      }
      if (simsBefore.every((t) => t !== undefined) && simsAfter.every((t) => t !== undefined)) {
        simsCpu.push(simsAfter.reduce((sum, t, i) => sum + t! - simsBefore[i]!, 0));
      }
      if (result.code !== 0 && !(mayFail && result.code === 1)) {
        throw new Error(`${name} with ${n} slots exited ${result.code}:\n${result.output}`);
      }
      const boards = await boardsOf(db, n);
      failed += boards.failed;
      walls.push(result.ms);
      spans.push(boards.spanMs);
      durations.push(...boards.durations);
      log(
        `  ${name}, ${n} board(s), run ${run + 1}: wall ${result.ms.toFixed(0)} ms, span ${boards.spanMs} ms` +
          (boards.failed ? `, ${boards.failed} failed` : ""),
      );
    } finally {
      await Promise.all(sims.map((sim) => sim.stop()));
    }
  }
  return {
    name,
    slots: n,
    wall: summarise(walls),
    span: summarise(spans),
    board: summarise(durations),
    failed,
    stationCpuPerBoardMs: stationCpu.length ? summarise(stationCpu).medianMs : undefined,
    simsCpuMs: simsCpu.length ? summarise(simsCpu).medianMs : undefined,
  };
}

/**
 * The station loop's own cost per board with N slots: `station --simulate … --slots N` in this process on a recipe
 * that only connects and draws a serial number (in-memory boards, a SQLite store), wall time per board. The boards
 * cost next to nothing, so this is the loop, the store's transactions, the log and the screen per board.
 */
async function loopRow(n: number, boards: number): Promise<{ slots: number; msPerBoard: number }> {
  const loopRecipe = `${dir}/loop.yaml`;
  await Deno.writeTextFile(
    loopRecipe,
    "version: 1\nname: loop\ntarget: { chip: stm32f103c8 }\nsteps:\n  - connect\n" +
      "  - serial-number: { address: 0x0800FC00, encoding: u32le, counter: { name: loop, start: 1 } }\n",
  );
  const db = `${dir}/loop-${n}.db`;
  const args = ["station", loopRecipe, "--simulate", "stm32f103c8", "--slots", String(n), "--boards", String(boards)];
  const silent = { out: () => {}, err: () => {} };
  const started = performance.now();
  const code = await main([...args, "--db", db, "--log", `${db}.csv`, "-q"], silent);
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`station loop with ${n} slots exited ${code}`);
  return { slots: n, msPerBoard: ms / boards };
}

const rows: Row[] = [];
const loops: { slots: number; msPerBoard: number }[] = [];
try {
  for (const n of [1, ...gangSizes]) loops.push(await loopRow(n, 200));
  log(`gang bench: ${kib} KiB write+verify+serial on ${CHIP}, sim usart --time-scale 1 --latency-ms 1; ${runs} runs`);
  for (const n of [1, ...gangSizes]) rows.push(await measure("station process", n, asProcess));
  if (values.policies) {
    for (const n of [1, ...gangSizes]) {
      rows.push(await measure("in-process, old policy (block up to 50 ms on any port)", n, inProcess(Infinity), true));
      rows.push(await measure("in-process, new policy (block only with one port open)", n, inProcess(1)));
    }
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}

const single = new Map(rows.filter((r) => r.slots === 1).map((r) => [r.name, r]));
const cores = navigator.hardwareConcurrency;
const load = await Deno.readTextFile("/proc/loadavg").then((t) => t.split(" ").slice(0, 3).join(" ")).catch(() => "?");
if (values.json) {
  console.log(JSON.stringify({ chip: CHIP, kib, runs, cores, loadavg: load, rows, loops }, null, 2));
} else {
  console.log(`\ngang flashing, ${kib} KiB image + verify + serial number per board, ${CHIP} at real-time pace`);
  console.log(`machine: ${cores} cores, load average ${load} (the cores are shared: N simulators + the station)`);
  console.log(
    `${"row".padEnd(56)} ${"boards".padStart(6)} ${"span ms".padStart(16)} ${"x one".padStart(6)} ${
      "wall ms".padStart(16)
    } ${"x one".padStart(6)} ${"per board ms".padStart(13)} failed ${"station CPU ms/board".padStart(20)} ${
      "sims CPU ms".padStart(11)
    }`,
  );
  for (const row of rows) {
    const one = single.get(row.name)!;
    const spread = (t: Timing) => `${t.medianMs.toFixed(0)} (${t.minMs.toFixed(0)}-${t.maxMs.toFixed(0)})`;
    console.log(
      `${row.name.padEnd(56)} ${String(row.slots).padStart(6)} ${spread(row.span).padStart(16)} ${
        (row.span.medianMs / one.span.medianMs).toFixed(2).padStart(6)
      } ${spread(row.wall).padStart(16)} ${(row.wall.medianMs / one.wall.medianMs).toFixed(2).padStart(6)} ${
        row.board.medianMs.toFixed(0).padStart(13)
      } ${String(row.failed).padStart(6)} ${(row.stationCpuPerBoardMs?.toFixed(0) ?? "-").padStart(20)} ${
        (row.simsCpuMs?.toFixed(0) ?? "-").padStart(11)
      }`,
    );
  }
  console.log("target: N boards at once within 1.15x of one board (span, x one)");
  console.log(
    "station loop per board (connect + serial number on in-memory boards, SQLite store, 200 boards): " +
      loops.map((l) => `${l.slots} slot(s) ${l.msPerBoard.toFixed(2)} ms`).join(", "),
  );
  console.log(
    "N simulators and the station share this machine's cores: on a busy machine they slow the simulated boards\n" +
      "themselves (sims CPU ms and station CPU against span ms), which real boards on real adapters would not",
  );
}
