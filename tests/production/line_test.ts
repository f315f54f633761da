/**
 * A line: several station processes on one store (a SQLite file, a PostgreSQL database), station processes
 * killed mid-board, the database stopped mid-shift, the second Ctrl-C.
 */
import assert from "node:assert/strict";
import { tempFiles } from "../helpers/cli.ts";
import { POSTGRES_UNAVAILABLE, startTestPostgres } from "../helpers/postgres.ts";
import { counterRecipe, readUntil, readUntilLastLine, recordsOf, spawnStation } from "./line_recipe.ts";

const STATIONS = 4;
const BOARDS = 100;

/** Runs STATIONS station processes of BOARDS boards each on `db` at once; checks every serial is distinct and bound. */
async function checkLine(db: string, dir: string): Promise<void> {
  const recipe = `${dir}/line.yaml`;
  const children = Array.from(
    { length: STATIONS },
    (_, i) =>
      spawnStation(recipe, [
        "--db",
        db,
        "--station",
        `s${i + 1}`,
        "--boards",
        String(BOARDS),
        "-q",
        "--log",
        `${dir}/s${i + 1}.csv`,
      ]),
  );
  const results = await Promise.all(children.map((child) => child.output()));
  for (const result of results) assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
  const records = await recordsOf(db);
  assert.equal(records.length, STATIONS * BOARDS);
  assert.ok(records.every((r) => r.result === "PASS"), "every board passed");
  const serials = records.map((r) => Number(r.serial_number));
  assert.equal(new Set(serials).size, records.length, "no serial number issued twice");
  assert.deepEqual(
    [...serials].sort((a, b) => a - b),
    Array.from({ length: records.length }, (_, i) => 5000 + i),
    "one counter, no gaps",
  );
  assert.equal(new Set(records.map((r) => r.board_uid)).size, records.length, "each number bound to its own board");
  for (let i = 1; i <= STATIONS; i++) {
    assert.equal(records.filter((r) => r.station === `s${i}`).length, BOARDS);
  }
}

Deno.test(`${STATIONS} station processes x ${BOARDS} simulated boards on one SQLite file: every serial distinct and bound`, async () => {
  const dir = await tempFiles({ "line.yaml": counterRecipe("line", 5000) });
  try {
    await checkLine(`${dir}/line.db`, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: `${STATIONS} station processes x ${BOARDS} simulated boards on one PostgreSQL database: every serial distinct`,
  ignore: POSTGRES_UNAVAILABLE !== undefined,
  async fn() {
    const pg = await startTestPostgres();
    const dir = await tempFiles({ "line.yaml": counterRecipe("line", 5000) });
    try {
      await checkLine(pg.url, dir);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await pg.destroy();
    }
  },
});

/** A recipe whose boards linger after their serial number is written, so a test can stop things mid-board. */
function slowRecipe(delay: string): string {
  return counterRecipe("line", 5000, `  - delay: ${delay}\n`);
}

/** Kills station s1 with SIGKILL mid-board (after board 4's number) while s2 runs on; s1 restarted marks it. */
async function checkKilledStation(db: string, dir: string): Promise<void> {
  const recipe = `${dir}/slow.yaml`;
  const other = spawnStation(recipe, ["--db", db, "--station", "s2", "--boards", "20", "-q"]);
  const killed = spawnStation(recipe, ["--db", db, "--station", "s1", "--boards", "1000", "--json"]);
  const seen = await readUntil(killed.stdout, /("serial number \d+ [^\n]*\n[^]*){4}/);
  // While s1 runs, a second process named s1 is refused before any board.
  const duplicate = await spawnStation(recipe, ["--db", db, "--station", "s1", "--boards", "1"]).output();
  assert.equal(duplicate.code, 2);
  assert.match(new TextDecoder().decode(duplicate.stderr), /error\[E_STATION_BUSY\]: station 's1' is already running/);
  // Then kill s1 just after its next serial number, during that board's delay: mid-board.
  await readUntilLastLine(seen.rest, /serial number \d+ /);
  killed.kill("SIGKILL");
  assert.equal((await killed.status).signal, "SIGKILL");
  await seen.rest.cancel();
  await killed.stderr.cancel();
  assert.equal((await other.output()).code, 0);
  const restarted = await spawnStation(recipe, ["--db", db, "--station", "s1", "--boards", "2", "-q"]).output();
  const stderr = new TextDecoder().decode(restarted.stderr);
  assert.equal(restarted.code, 0, stderr);
  assert.match(
    stderr,
    /warning: record \d+ \(board [0-9a-f]{24}, serial \d+\) was in progress when station s1 last stopped: marked INTERRUPTED/,
  );
  const records = await recordsOf(db);
  const interrupted = records.filter((r) => r.result === "INTERRUPTED");
  assert.equal(interrupted.length, 1, JSON.stringify(records.map((r) => r.result)));
  assert.equal(interrupted[0].station, "s1");
  assert.equal(interrupted[0].error_code, "E_INTERRUPTED");
  assert.ok(records.every((r) => r.result === "PASS" || r.result === "INTERRUPTED"));
  assert.equal(records.filter((r) => r.station === "s2").length, 20);
  // No number issued twice: every number belongs to one board, the killed board's included.
  const owner = new Map<string, unknown>();
  for (const record of records) {
    const serial = String(record.serial_number);
    assert.notEqual(serial, "");
    if (owner.has(serial)) assert.equal(owner.get(serial), record.board_uid, `serial ${serial} on two boards`);
    owner.set(serial, record.board_uid);
  }
  assert.equal(owner.size, records.length);
}

Deno.test("a station killed with SIGKILL mid-board (SQLite): no number issued twice; its next start marks the board", async () => {
  const dir = await tempFiles({ "slow.yaml": slowRecipe("150ms") });
  try {
    await checkKilledStation(`${dir}/line.db`, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a second Ctrl-C records the board in progress as ABORTED, with its serial number and unique ID", async () => {
  const dir = await tempFiles({ "slow.yaml": slowRecipe("30s") });
  try {
    const db = `${dir}/line.db`;
    // -v: every step line, so the serial number shows as soon as it is written.
    const child = spawnStation(`${dir}/slow.yaml`, ["--db", db, "--station", "s1", "--boards", "5", "-v"]);
    const seen = await readUntil(child.stdout, /serial number 5000 /);
    child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill("SIGINT");
    const status = await child.status;
    await seen.rest.cancel();
    await child.stderr.cancel();
    assert.equal(status.code, 130);
    const records = await recordsOf(db);
    assert.equal(records.length, 1);
    assert.equal(records[0].result, "ABORTED");
    assert.equal(records[0].error_code, "E_ABORTED");
    assert.equal(records[0].serial_number, "5000");
    assert.match(String(records[0].board_uid), /^[0-9a-f]{24}$/);
    assert.equal(records[0].chip, "STM32F10xxx medium-density");
    assert.deepEqual((records[0].steps as { type: string }[]).map((s) => s.type), [
      "connect",
      "erase",
      "serial-number",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "PostgreSQL: a station killed mid-board; the database stopped mid-shift (stop and wait); no password shown",
  ignore: POSTGRES_UNAVAILABLE !== undefined,
  async fn() {
    const pg = await startTestPostgres();
    const dir = await tempFiles({ "slow.yaml": slowRecipe("150ms") });
    const recipe = `${dir}/slow.yaml`;
    try {
      await checkKilledStation(pg.url, dir);
      const before = (await recordsOf(pg.url)).length;

      // --on-db-error stop: the database goes away during board 3; the station stops before another board.
      const stopping = spawnStation(recipe, [
        "--db",
        pg.url,
        "--station",
        "s3",
        "--boards",
        "1000",
        "--json",
        "--log",
        `${dir}/s3.jsonl`,
        "--on-db-error",
        "stop",
      ]);
      const stoppingErr = new Response(stopping.stderr).text();
      const seen = await readUntil(stopping.stdout, /("serial number \d+ [^\n]*\n[^]*){3}/);
      await pg.stop();
      const rest: string[] = [seen.text];
      for (;;) {
        const { value, done } = await seen.rest.read();
        if (done) break;
        rest.push(value);
      }
      const stdout = rest.join("");
      const stderr = await stoppingErr;
      assert.equal((await stopping.status).code, 1, stderr);
      assert.match(
        stderr,
        /error\[E_STORE\]: production store postgres:\/\/flash:\*\*\*@127\.0\.0\.1:\d+\/line: cannot/,
      );
      await pg.start();
      const runs = stdout.split("\n").filter((line) => line.includes('"event":"run-start"')).length;
      const flat = (await Deno.readTextFile(`${dir}/s3.jsonl`)).trim().split("\n").map((l) => JSON.parse(l));
      const s3 = (await recordsOf(pg.url)).filter((r) => r.station === "s3");
      assert.equal(s3.length, runs, "every board the station touched has its record");
      assert.ok(runs >= 3);
      for (const line of flat) assert.ok(s3.some((r) => r.board_uid === line.board), `board ${line.board} recorded`);
      // The board whose end could not be written (when the server went down mid-board) stays IN_PROGRESS.
      assert.ok(s3.filter((r) => r.result === "IN_PROGRESS").length <= 1);
      assert.ok(s3.every((r) => r.result === "PASS" || r.result === "IN_PROGRESS" || r.result === "FAIL"));

      // --on-db-error wait: the database stops for a while; the station waits and records every board.
      const waiting = spawnStation(recipe, [
        "--db",
        pg.url,
        "--station",
        "s4",
        "--boards",
        "6",
        "-v",
        "--on-db-error",
        "wait",
      ]);
      const waitingErr = new Response(waiting.stderr).text();
      const waitSeen = await readUntil(waiting.stdout, /serial number 50\d\d [^]*serial number 50\d\d /);
      await pg.stop();
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await pg.start();
      const rest2: string[] = [waitSeen.text];
      for (;;) {
        const { value, done } = await waitSeen.rest.read();
        if (done) break;
        rest2.push(value);
      }
      const waitErr = await waitingErr;
      assert.equal((await waiting.status).code, 0, waitErr);
      assert.match(waitErr, /trying again in 2 s/);
      const s4 = (await recordsOf(pg.url)).filter((r) => r.station === "s4");
      assert.equal(s4.length, 6);
      // Every board completed: PASS, or FAIL with E_STORE should the server have gone while a number was issued.
      assert.ok(
        s4.every((r) => r.result === "PASS" || (r.result === "FAIL" && r.error_code === "E_STORE")),
        JSON.stringify(s4.map((r) => [r.result, r.error_code])),
      );

      // The password shows nowhere: output, messages, records, logs.
      const everything = [
        stdout,
        stderr,
        rest2.join(""),
        waitErr,
        JSON.stringify(await recordsOf(pg.url)),
        await Deno.readTextFile(`${dir}/s3.jsonl`),
      ].join("\n");
      assert.ok(!everything.includes(pg.password), "the password leaked");
      assert.ok((await recordsOf(pg.url)).length > before);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await pg.destroy();
    }
  },
});
