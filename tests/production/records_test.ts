/** `flashrecipe records` and the store's errors before the first board, in process. */
import assert from "node:assert/strict";
import { parseSince } from "../../lib/cli/commands/records.ts";
import { runCli, runSimulatedStation, tempFiles } from "../helpers/cli.ts";
import { counterRecipe } from "./line_recipe.ts";

Deno.test("records: CSV and JSON Lines exports, look-up by serial and board, --since, --limit", async () => {
  const dir = await tempFiles({ "r.yaml": counterRecipe("sn", 100) });
  try {
    const db = `${dir}/line.db`;
    const station = await runSimulatedStation(
      `${dir}/r.yaml`,
      { boards: 3, db, log: `${dir}/log.csv` },
      "--operator",
      "=ana",
      "--lot",
      "WO-7",
      "-q",
    );
    assert.equal(station.code, 0, station.stderr);
    const csv = await runCli("records", "--db", db);
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.split("\n");
    assert.equal(lines.length, 4);
    assert.match(lines[0], /^id,started_at,finished_at,station,operator,lot,recipe,recipe_sha256,tool_version,/);
    assert.ok(lines.slice(1).every((line) => line.includes(",'=ana,WO-7,")), "the operator cell is neutralised");
    const all = (await runCli("records", "--db", db, "--format", "jsonl")).stdout.split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(all.map((r) => r.serial_number), ["100", "101", "102"]);
    assert.ok(all.every((r) => r.operator === "=ana" && r.lot === "WO-7" && r.tool_version !== ""));
    const bySerial = await runCli("records", "--db", db, "--format", "jsonl", "--serial", "101");
    assert.equal(JSON.parse(bySerial.stdout).board_uid, all[1].board_uid);
    const byBoard = await runCli("records", "--db", db, "--format", "jsonl", "--board", all[2].board_uid.toUpperCase());
    assert.equal(JSON.parse(byBoard.stdout).serial_number, "102");
    assert.equal((await runCli("records", "--db", db, "--since", "2h")).stdout.split("\n").length, 4);
    assert.equal((await runCli("records", "--db", db, "--since", "2999-01-01")).stdout.split("\n").length, 1);
    const newest = await runCli("records", "--db", db, "--format", "jsonl", "--limit", "1");
    assert.equal(JSON.parse(newest.stdout).serial_number, "102");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("records: a store that does not exist is not created; bad options are usage errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = await runCli("records", "--db", `${dir}/none.db`);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /error\[E_STORE\]: no production store at '.*none\.db'/);
    await assert.rejects(Deno.stat(`${dir}/none.db`), Deno.errors.NotFound);
    assert.match((await runCli("records", "--db", `${dir}/x.db`, "--format", "xml")).stderr, /--format must be csv/);
    assert.match((await runCli("records", "--since", "yesterday")).stderr, /--since must be a date/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--since: dates, times (UTC unless zoned), hours and days ago", () => {
  const now = new Date("2026-12-04T12:00:00Z");
  assert.equal(parseSince("2026-12-01", now).toISOString(), "2026-12-01T00:00:00.000Z");
  assert.equal(parseSince("2026-12-01T08:00", now).toISOString(), "2026-12-01T08:00:00.000Z");
  assert.equal(parseSince("2026-12-01T08:00+02:00", now).toISOString(), "2026-12-01T06:00:00.000Z");
  assert.equal(parseSince("8h", now).toISOString(), "2026-12-04T04:00:00.000Z");
  assert.equal(parseSince("7d", now).toISOString(), "2026-11-27T12:00:00.000Z");
});

Deno.test("station: a store that cannot be opened is one clear error before any board; the password never shows", async () => {
  const dir = await tempFiles({ "r.yaml": counterRecipe("sn", 1) });
  try {
    const file = await runCli("station", `${dir}/r.yaml`, "--simulate", "stm32f103c8", "--db", `${dir}/no/such/x.db`);
    assert.equal(file.code, 2);
    assert.match(file.stderr, /^error\[E_STORE\]: production store .*x\.db: cannot open the database file/);
    assert.doesNotMatch(file.stdout, /board 1/);
    // A PostgreSQL server that is not there (a closed port): the URL is shown without its password.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const url = `postgres://flash:Hunter2-secret@127.0.0.1:${port}/line`;
    const pg = await runCli("station", `${dir}/r.yaml`, "--simulate", "stm32f103c8", "--db", url, "--json");
    assert.equal(pg.code, 2);
    assert.match(
      pg.stderr,
      new RegExp(`error\\[E_STORE\\]: production store postgres://flash:\\*\\*\\*@127\\.0\\.0\\.1:${port}/line`),
    );
    assert.ok(!pg.stderr.includes("Hunter2") && !pg.stdout.includes("Hunter2"), pg.stderr + pg.stdout);
    assert.doesNotMatch(pg.stdout, /run-start/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("station: a second station process of the same name on one store is refused", async () => {
  const dir = await tempFiles({ "r.yaml": counterRecipe("sn", 1) });
  try {
    const { openStore } = await import("../../lib/production/open_store.ts");
    const store = await openStore(`${dir}/line.db`);
    const session = await store.openSession("bench-1");
    try {
      const second = await runSimulatedStation(`${dir}/r.yaml`, { db: `${dir}/line.db` }, "--station", "bench-1");
      assert.equal(second.code, 2);
      assert.match(second.stderr, /error\[E_STATION_BUSY\]: station 'bench-1' is already running .*--station NAME/);
    } finally {
      await session.close();
      await store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a password in a URL given where a file was expected is redacted in the error line and the JSON event", async () => {
  for (const command of ["run", "station"]) {
    const result = await runCli(command, "postgres://u:Hunter2@h/x", "--simulate", "stm32f103c8", "--json");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /postgres:\/\/u:\*\*\*@h\/x/);
    assert.match(result.stdout, /postgres:\/\/u:\*\*\*@h\/x/);
    assert.ok(!result.stdout.includes("Hunter2") && !result.stderr.includes("Hunter2"), command);
  }
});
