import assert from "node:assert/strict";
import { loadImageFile } from "../../lib/image/load.ts";
import { RECORD_FIELDS } from "../../lib/cli/station/record.ts";
import { type CliResult, runSimulatedStation } from "../helpers/cli.ts";

const DEMO = new URL("../../recipes/demo.yaml", import.meta.url).pathname;
const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const SREC = new URL("../fixtures/firmware/blinky.srec", import.meta.url).pathname;

/** sha256 of the demo firmware's bytes, worked out here from the S-record build of the same program. */
async function expectedFirmwareSha256(): Promise<string> {
  const image = await loadImageFile(SREC);
  const bytes = new Uint8Array(image.segments.reduce((n, s) => n + s.data.length, 0));
  let at = 0;
  for (const segment of image.segments) {
    bytes.set(segment.data, at);
    at += segment.data.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Splits a log into lines, failing unless the text ends with a newline (no partial last line). */
function wholeLines(text: string): string[] {
  assert.ok(text.endsWith("\n"), `the log ends with a whole line: ${JSON.stringify(text.slice(-80))}`);
  return text.slice(0, -1).split("\n");
}

/** Parses a CSV line of the station log (fields quoted per RFC 4180 when needed). */
function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  const pattern = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
  for (const match of line.matchAll(pattern)) {
    const raw = match[1];
    fields.push(raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw);
    if (match[2] === "") break;
  }
  return fields;
}

/** `flashrecipe station` on the demo recipe with simulated STM32F103C8 boards, before any further arguments. */
const SIMULATED_DEMO_STATION = ["station", DEMO, "--simulate", "stm32f103c8"];

/** Runs the station in-process on `boards` simulated demo boards, logging to `log`; `extra` are more arguments. */
function runDemoStation(boards: number, log: string, ...extra: string[]): Promise<CliResult> {
  return runSimulatedStation(DEMO, { boards, log }, ...extra);
}

/** Runs `body` with a new temporary directory, removed afterwards whatever happens. */
async function withTempDir(body: (dir: string) => Promise<void>, prefix?: string): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The JSON Lines records of a `.jsonl` station log. */
async function readJsonRecords(log: string): Promise<Record<string, string | number>[]> {
  return wholeLines(await Deno.readTextFile(log)).map((line) => JSON.parse(line));
}

/** Checks one parsed record of a passing simulated board. */
function checkRecord(record: Record<string, string | number>, firmware: string, station: string): void {
  assert.match(String(record.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(record.station, station);
  assert.match(String(record.board), /^[0-9a-f]{24}$/);
  assert.equal(record.chip, "STM32F10xxx medium-density");
  assert.equal(record.firmware_sha256, firmware);
  assert.equal(record.serial_number, "");
  assert.ok(Number(record.duration_ms) >= 0);
  assert.equal(record.result, "PASS");
  assert.equal(record.error_code, "");
}

Deno.test("station --simulate --boards 3: three whole CSV records, each board a different chip", async () => {
  await withTempDir(async (dir) => {
    const log = `${dir}/line1.csv`;
    const result = await runDemoStation(3, log, "--station", "bench-7");
    assert.equal(result.code, 0, result.stderr);
    const lines = wholeLines(await Deno.readTextFile(log));
    assert.equal(lines[0], RECORD_FIELDS.join(","));
    assert.equal(lines.length, 4);
    const firmware = await expectedFirmwareSha256();
    const records = lines.slice(1).map((line) => {
      const fields = parseCsvLine(line);
      assert.equal(fields.length, RECORD_FIELDS.length, line);
      return Object.fromEntries(RECORD_FIELDS.map((name, i) => [name, fields[i]]));
    });
    for (const record of records) checkRecord(record, firmware, "bench-7");
    assert.equal(new Set(records.map((r) => r.board)).size, 3, "three different unique IDs");
    assert.match(result.stdout, /3 boards: 3 passed, 0 failed, yield 100\.0%; log: /);
    assert.equal(result.stdout.match(/^PASS board \d/gm)?.length, 3);

    // A second session appends to the same log without a second header.
    const again = await runDemoStation(1, log, "-q");
    assert.equal(again.code, 0, again.stderr);
    const after = wholeLines(await Deno.readTextFile(log));
    assert.equal(after.length, 5);
    assert.equal(after.filter((l) => l.startsWith("time,")).length, 1);
  });
});

Deno.test("station --simulate --boards 3 with a .jsonl log: three JSON records; --json events per board", async () => {
  await withTempDir(async (dir) => {
    const log = `${dir}/line1.jsonl`;
    const result = await runDemoStation(3, log, "--station", "s1", "--json");
    assert.equal(result.code, 0, result.stderr);
    const firmware = await expectedFirmwareSha256();
    const records = await readJsonRecords(log);
    assert.equal(records.length, 3);
    for (const record of records) {
      assert.deepEqual(Object.keys(record), [...RECORD_FIELDS]);
      checkRecord(record, firmware, "s1");
    }
    assert.equal(new Set(records.map((r) => r.board)).size, 3);

    const events = result.stdout.split("\n").map((line) => JSON.parse(line));
    assert.equal(events[0].event, "station-start");
    assert.equal(events[0].firmwareSha256, firmware);
    assert.equal(events.at(-1).event, "station-end");
    assert.deepEqual(
      { boards: events.at(-1).boards, passed: events.at(-1).passed, yieldPercent: events.at(-1).yieldPercent },
      { boards: 3, passed: 3, yieldPercent: 100 },
    );
    const boardEnds = events.filter((e) => e.event === "board-end");
    assert.deepEqual(boardEnds.map((e) => e.board), [1, 2, 3]);
    assert.deepEqual(boardEnds.map((e) => e.record), records, "the events carry the logged records");
    // Every run event of board 2 is tagged with it, between board 1's end and board 2's end.
    const runStarts = events.filter((e) => e.event === "run-start");
    assert.deepEqual(runStarts.map((e) => e.board), [1, 2, 3]);
  });
});

Deno.test("station: a log with an unknown extension is a usage error before any board", async () => {
  const result = await runDemoStation(1, "/tmp/x.txt");
  assert.equal(result.code, 2);
  assert.match(result.stderr, /error\[E_USAGE\]: cannot tell the log format of '\/tmp\/x\.txt'.*\*\.csv/);
  assert.equal(result.stdout, "");
});

/** Starts the real program as a station on simulated boards that never run out. */
function spawnStation(log: string, stdout: "piped" | "null"): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...SIMULATED_DEMO_STATION, "--boards", "100000", "--log", log, "-q"],
    stdin: "null",
    stdout,
    stderr: "piped",
  }).spawn();
}

/** Waits until the log has at least `count` lines (header included for CSV). */
async function waitForLines(log: string, count: number): Promise<void> {
  for (;;) {
    const text = await Deno.readTextFile(log).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return "";
      throw error;
    });
    if (text.split("\n").length - 1 >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const extension of ["csv", "jsonl"]) {
  Deno.test(`station killed with SIGKILL mid-run leaves a ${extension} log of whole records only`, async () => {
    const dir = await Deno.makeTempDir();
    const log = `${dir}/killed.${extension}`;
    const child = spawnStation(log, "null");
    try {
      await waitForLines(log, 6);
      child.kill("SIGKILL");
      const status = await child.status;
      assert.equal(status.signal, "SIGKILL");
      const text = await Deno.readTextFile(log);
      const lines = wholeLines(text);
      const records = extension === "csv" ? lines.slice(1) : lines;
      assert.ok(records.length >= 5, `${records.length} records`);
      for (const line of records) {
        if (extension === "csv") assert.equal(parseCsvLine(line).length, RECORD_FIELDS.length, line);
        else assert.deepEqual(Object.keys(JSON.parse(line)), [...RECORD_FIELDS]);
      }
    } finally {
      await child.stderr.cancel();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("station: Ctrl-C (SIGINT) finishes the current board, logs it, prints the summary and exits 0", async () => {
  const dir = await Deno.makeTempDir();
  const log = `${dir}/interrupted.csv`;
  const child = spawnStation(log, "piped");
  const output = child.output();
  try {
    await waitForLines(log, 4);
    child.kill("SIGINT");
    const { code, stdout, stderr } = await output;
    const out = new TextDecoder().decode(stdout);
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 0, err);
    assert.match(err, /stopping after this board/);
    const records = wholeLines(await Deno.readTextFile(log)).slice(1);
    const summary = out.match(/stopped — (\d+) boards?: (\d+) passed, 0 failed, yield 100\.0%/);
    assert.ok(summary, out.slice(-500));
    assert.equal(Number(summary[1]), records.length, "every board run is in the log");
    assert.equal(Number(summary[2]), records.length);
    // The board in progress when Ctrl-C came was finished and recorded: the last PASS line is the last board.
    const passes = [...out.matchAll(/^PASS board (\d+)/gm)].map((m) => Number(m[1]));
    assert.equal(passes.at(-1), records.length);
    for (const line of records) assert.equal(parseCsvLine(line)[7], "PASS");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("station --manual: a board for each Enter on stdin, and the end of input stops the station", async () => {
  await withTempDir(async (dir) => {
    const log = `${dir}/manual.jsonl`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...SIMULATED_DEMO_STATION, "--manual", "--log", log, "-q"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("\n\r\n"));
    await writer.close();
    const { code, stdout, stderr } = await child.output();
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 0, err);
    assert.equal(err.match(/press Enter/g)?.length, 3, "asked for boards 1, 2 and a third that never came");
    const records = await readJsonRecords(log);
    assert.equal(records.length, 2);
    assert.match(new TextDecoder().decode(stdout), /stopped — 2 boards: 2 passed, 0 failed, yield 100\.0%/);
  });
});

Deno.test("station: a DFU recipe with --simulate flashes a fresh DfuSe board each time, identified by its USB serial", async () => {
  await withTempDir(async (dir) => {
    const recipe = new URL("../../recipes/feather-f405-dfu.yaml", import.meta.url).pathname;
    const result = await runSimulatedStation(recipe, { chip: "stm32f405rg", boards: 2, log: `${dir}/log.jsonl` }, "-q");
    assert.equal(result.code, 0, result.stderr);
    const records = await readJsonRecords(`${dir}/log.jsonl`);
    assert.equal(records.length, 2);
    assert.ok(
      records.every((r) => r.result === "PASS" && /^[0-9A-F]{12}$/.test(String(r.board))),
      JSON.stringify(records),
    );
    assert.notEqual(records[0].board, records[1].board);
  }, "flashrecipe-station-dfu-");
});

Deno.test("station screen: one status per board, the PASS/FAIL and the counts; every step only with -v", async () => {
  await withTempDir(async (dir) => {
    const plain = await runDemoStation(2, `${dir}/a.csv`);
    assert.equal(plain.code, 0, plain.stderr);
    assert.doesNotMatch(plain.stdout, /\[\d\/5\] (connect|erase|write)/, "no engineer's step lines");
    assert.doesNotMatch(plain.stdout, /--- board/);
    assert.equal(plain.stdout.match(/^PASS board \d/gm)?.length, 2);
    assert.match(plain.stdout, /2 boards: 2 passed, 0 failed, yield 100\.0%/);
    const verbose = await runDemoStation(1, `${dir}/b.csv`, "-v");
    assert.equal(verbose.code, 0, verbose.stderr);
    assert.match(verbose.stdout, /--- board 1 ---[\s\S]*\[3\/5\] write +wrote/);
    const both = await runDemoStation(1, `${dir}/c.csv`, "-v", "-q");
    assert.equal(both.code, 2);
  });
});

Deno.test("station --simulate without --boards runs one board when no one is at a terminal (not hundreds)", async () => {
  await withTempDir(async (dir) => {
    const log = `${dir}/one.csv`;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...SIMULATED_DEMO_STATION, "--log", log],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, err);
    assert.match(err, /simulating one board \(--boards N for more\)/);
    assert.equal(wholeLines(await Deno.readTextFile(log)).length, 2, "a header and one record");
  });
});
