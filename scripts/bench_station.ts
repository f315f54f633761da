/**
 * The station's own overhead per board, in milliseconds: what the production store, the flat log and the station
 * loop add to each board, apart from the recipe run itself. Figures printed, not assertions.
 *
 * Rows:
 * - store: begin the board's row, issue a counter serial number, finish the row (three transactions, each
 *   committed) — in memory (`--simulate`), in a SQLite file (WAL, synchronous=FULL), and in PostgreSQL when
 *   `--pg URL` is given;
 * - log: one flat-log line appended and fsynced;
 * - station loop: `station --simulate` in this process on a recipe that only connects, wall time per board minus
 *   the recipe runs' own time (from the records) — the waiting logic, board source, reporters and store together.
 *
 * Run: `deno task bench:station [--boards N] [--pg postgres://user:pw@host/db]` (default 200 boards).
 *
 * @module
 */

import { openStore } from "../lib/production/open_store.ts";
import { TEST_START } from "../lib/production/test_util.ts";
import { StationLog } from "../lib/cli/station/log_writer.ts";
import { main } from "../lib/cli/main.ts";
import { summarise } from "./bench/stats.ts";

function option(name: string): string | undefined {
  const at = Deno.args.indexOf(name);
  return at >= 0 ? Deno.args[at + 1] : undefined;
}

const boards = Number(option("--boards") ?? 200);
if (!Number.isInteger(boards) || boards < 1) throw new Error("--boards takes a positive whole number");
const pgUrl = option("--pg");

/** Per-board time of the store's three transactions, ms (median, min, max over `boards` boards). */
async function storeRow(spec: string | undefined): Promise<ReturnType<typeof summarise>> {
  const store = await openStore(spec);
  const session = await store.openSession(`bench-${crypto.randomUUID().slice(0, 8)}`);
  const times: number[] = [];
  try {
    for (let i = 0; i < boards; i++) {
      const started = performance.now();
      const board = await session.beginBoard(TEST_START);
      await board.issueSerial({ name: "bench", start: 1, boardUid: crypto.randomUUID() });
      await board.finish({ result: "PASS", boardUid: "x", steps: [], durationMs: 1 });
      times.push(performance.now() - started);
    }
  } finally {
    await session.close();
    await store.close();
  }
  return summarise(times);
}

const dir = await Deno.makeTempDir({ prefix: "bench_station_" });
const rows: [string, ReturnType<typeof summarise>][] = [];
try {
  rows.push(["store, in memory (--simulate)", await storeRow(undefined)]);
  rows.push(["store, SQLite file (WAL, FULL)", await storeRow(`${dir}/bench.db`)]);
  if (pgUrl) rows.push(["store, PostgreSQL", await storeRow(pgUrl)]);

  const log = await StationLog.open(`${dir}/log.csv`);
  const logTimes: number[] = [];
  for (let i = 0; i < boards; i++) {
    const started = performance.now();
    await log.append({
      time: new Date().toISOString(),
      station: "bench",
      board: "00".repeat(12),
      chip: "STM32F10xxx medium-density",
      firmware_sha256: "ab".repeat(32),
      serial_number: String(i),
      duration_ms: 1,
      result: "PASS",
      error_code: "",
      error: "",
    });
    logTimes.push(performance.now() - started);
  }
  log.close();
  rows.push(["flat log line (append + fsync)", summarise(logTimes)]);

  // The station loop: a recipe that only connects; wall time per board minus the runs' own time.
  const recipe = `${dir}/connect.yaml`;
  await Deno.writeTextFile(recipe, "version: 1\nname: bench\ntarget: { chip: stm32f103c8 }\nsteps:\n  - connect\n");
  const silent = { out: () => {}, err: () => {} };
  for (const [label, db] of [["memory", undefined], ["SQLite", `${dir}/loop.db`]] as const) {
    const args = ["station", recipe, "--simulate", "stm32f103c8", "--boards", String(boards), "-q"];
    const started = performance.now();
    const code = await main([...args, "--log", `${dir}/loop-${label}.csv`, ...(db ? ["--db", db] : [])], silent);
    const wall = performance.now() - started;
    if (code !== 0) throw new Error(`station exited ${code}`);
    let runMs = 0;
    if (db) {
      const store = await openStore(db);
      runMs = (await store.records()).reduce((sum, r) => sum + r.duration_ms, 0);
      await store.close();
    }
    const perBoard = (wall - runMs) / boards;
    console.log(
      `station loop, ${label}: ${(wall / boards).toFixed(2)} ms/board wall` +
        (db ? `, recipe runs ${(runMs / boards).toFixed(2)} ms/board, overhead ${perBoard.toFixed(2)} ms/board` : ""),
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}

console.log(`\nper board, ${boards} boards: median (min-max) ms`);
for (const [label, timing] of rows) {
  console.log(
    `${label.padEnd(34)} ${timing.medianMs.toFixed(3).padStart(8)} (${timing.minMs.toFixed(3)}-${
      timing.maxMs.toFixed(3)
    })`,
  );
}
