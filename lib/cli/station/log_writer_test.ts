import assert from "node:assert/strict";
import { csvHeader, formatRecord, logFormatFor, StationLog } from "./log_writer.ts";
import type { StationRecord } from "./record.ts";
import { InputError } from "../../errors.ts";

const RECORD: StationRecord = {
  time: "2026-01-05T09:12:01.020Z",
  station: "bench, 3",
  board: "0011",
  chip: "STM32F10xxx medium-density",
  firmware_sha256: "ab".repeat(32),
  serial_number: "SN-1",
  duration_ms: 1234,
  result: "FAIL",
  error_code: "E_NO_RESPONSE",
  error: 'no response\nfrom "target"',
};

Deno.test("log format from the extension; others are a usage error", () => {
  assert.equal(logFormatFor("a/b.csv"), "csv");
  assert.equal(logFormatFor("B.JSONL"), "jsonl");
  assert.equal(logFormatFor("x.ndjson"), "jsonl");
  assert.throws(() => logFormatFor("log.txt"), /cannot tell the log format/);
  assert.throws(() => logFormatFor("dir.csv/log"), /cannot tell the log format/);
});

Deno.test("a record is exactly one line: CSV quotes commas and quotes, line breaks become spaces; JSON escapes", () => {
  const csv = formatRecord(RECORD, "csv");
  assert.equal(csv.indexOf("\n"), csv.length - 1);
  assert.equal(
    csv,
    `2026-01-05T09:12:01.020Z,"bench, 3",0011,STM32F10xxx medium-density,${"ab".repeat(32)},SN-1,1234,FAIL,` +
      `E_NO_RESPONSE,"no response from ""target"""\n`,
  );
  const json = formatRecord(RECORD, "jsonl");
  assert.equal(json.indexOf("\n"), json.length - 1);
  assert.deepEqual(JSON.parse(json), RECORD);
  assert.equal(csvHeader().split(",").length, 10);
});

Deno.test("StationLog appends: a new CSV gets one header, reopening adds none", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/log.csv`;
    for (let session = 0; session < 2; session++) {
      const log = await StationLog.open(path);
      await log.append(RECORD);
      log.close();
    }
    const lines = (await Deno.readTextFile(path)).split("\n");
    assert.deepEqual(lines, [
      csvHeader().trim(),
      formatRecord(RECORD, "csv").trim(),
      formatRecord(RECORD, "csv").trim(),
      "",
    ]);
    await assert.rejects(StationLog.open(`${dir}/missing/log.csv`), /cannot open station log/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a station log that is a FIFO, a folder or in a missing folder is refused before opening",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      assert.equal((await new Deno.Command("mkfifo", { args: [`${dir}/pipe.csv`] }).output()).code, 0);
      await Deno.mkdir(`${dir}/folder.csv`);
      for (
        const [path, pattern] of [
          [`${dir}/pipe.csv`, /it is a FIFO/],
          [`${dir}/folder.csv`, /it is a folder/],
          [`${dir}/missing/log.csv`, /does not exist/],
        ] as const
      ) {
        await assert.rejects(() => StationLog.open(path), (error: unknown) => {
          assert.ok(error instanceof InputError);
          assert.equal(error.code, "E_FILE");
          assert.match(error.message, pattern);
          return true;
        });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("StationLog: appends made at once (a gang's slots) are written one after the other, each record whole", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/log.jsonl`;
    const log = await StationLog.open(path);
    const records = Array.from({ length: 50 }, (_, i) => ({ ...RECORD, board: String(i), error: "x".repeat(4000) }));
    await Promise.all(records.map((record) => log.append(record)));
    log.close();
    const lines = (await Deno.readTextFile(path)).split("\n");
    assert.equal(lines.pop(), "");
    assert.deepEqual(lines.map((line) => JSON.parse(line).board), records.map((record) => record.board));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
