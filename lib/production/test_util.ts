/**
 * The behaviour every production store must show, as one function the tests run against SQLite (file and
 * memory) and PostgreSQL alike.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { BoardStart } from "./record.ts";
import type { ProductionStore } from "./store.ts";

/** A board start for tests. */
export const TEST_START: BoardStart = {
  station: "s1",
  operator: "ana",
  lot: "WO-1",
  recipe: "demo",
  recipeSha256: "aa".repeat(32),
  toolVersion: "0.0.0-test",
  firmwareSha256: "bb".repeat(32),
  vars: { batch: "7" },
};

/**
 * Checks serial issue, binding to the board, records, recovery and the station claim on stores made by `open`
 * (each call a fresh connection to the same, initially empty, database).
 */
export async function checkStoreContract(open: () => Promise<ProductionStore>): Promise<void> {
  const store = await open();
  try {
    const session = await store.openSession("s1");
    assert.deepEqual(session.recovered, []);

    // Two boards, two numbers from the start; the first board again keeps its number.
    const a = await session.beginBoard(TEST_START);
    assert.deepEqual(await a.issueSerial({ name: "sn", start: 1000, boardUid: "UID-A" }), {
      value: 1000,
      reissued: false,
    });
    const aRecord = await a.finish({ result: "FAIL", chip: "STM32F1", boardUid: "UID-A", steps: [], durationMs: 5 });
    assert.equal(aRecord.serial_number, "1000", "a failed board keeps the number written into it");
    const b = await session.beginBoard(TEST_START);
    assert.equal((await b.issueSerial({ name: "sn", start: 1000, boardUid: "UID-B" })).value, 1001);
    await b.finish({
      result: "PASS",
      chip: "STM32F1",
      boardUid: "UID-B",
      steps: [{ step: "write x", type: "write", ms: 12, ok: true }],
      durationMs: 40.4,
    });
    const again = await session.beginBoard(TEST_START);
    assert.deepEqual(await again.issueSerial({ name: "sn", start: 1000, boardUid: "uid-a".toUpperCase() }), {
      value: 1000,
      reissued: true,
    });
    await again.finish({ result: "PASS", boardUid: "UID-A", steps: [], durationMs: 1 });
    // Another counter starts at its own start; a board with no unique ID gets a fresh number each time.
    const c = await session.beginBoard(TEST_START);
    assert.equal((await c.issueSerial({ name: "mac", start: 7, boardUid: "UID-A" })).value, 7);
    assert.equal((await c.issueSerial({ name: "sn", start: 1000 })).value, 1002);
    assert.equal((await c.issueSerial({ name: "sn", start: 1000 })).value, 1003);
    // A board left in progress: the station's next session marks it.
    const left = await session.beginBoard(TEST_START);
    await left.issueSerial({ name: "sn", start: 1000, boardUid: "UID-K" });
    await assert.rejects(store.openSession("s1"), /E_STATION_BUSY|already running/);
    await session.close();

    const records = await store.records();
    assert.equal(records.length, 5);
    assert.deepEqual(records.map((r) => r.result), ["FAIL", "PASS", "PASS", "IN_PROGRESS", "IN_PROGRESS"]);
    const pass = records[1];
    assert.equal(pass.station, "s1");
    assert.equal(pass.operator, "ana");
    assert.equal(pass.lot, "WO-1");
    assert.equal(pass.recipe_sha256, "aa".repeat(32));
    assert.equal(pass.duration_ms, 40);
    assert.deepEqual(pass.vars, { batch: "7" });
    assert.deepEqual(pass.steps, [{ step: "write x", type: "write", ms: 12, ok: true }]);
    assert.match(pass.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const second = await open();
    try {
      const resumed = await second.openSession("s1");
      assert.deepEqual(resumed.recovered.map((r) => [r.result, r.serial_number, r.error_code]), [
        ["INTERRUPTED", "1003", "E_INTERRUPTED"],
        ["INTERRUPTED", "1004", "E_INTERRUPTED"],
      ]);
      await resumed.close();
      // Look-ups: by serial, by board (any case), newest N, since.
      assert.deepEqual((await second.records({ serial: "1001" })).map((r) => r.board_uid), ["UID-B"]);
      // Board A: its first run, its run again, and the board that drew a number of another counter for UID-A.
      assert.equal((await second.records({ board: "uid-a" })).length, 3);
      assert.deepEqual((await second.records({ limit: 2 })).map((r) => r.serial_number), ["1003", "1004"]);
      assert.equal((await second.records({ since: new Date(Date.now() + 60_000) })).length, 0);
      assert.equal((await second.records({ since: new Date(Date.now() - 60_000) })).length, 5);
      assert.equal((await second.records({ station: "other" })).length, 0);
      // Pages of two: every record once, in order, whatever the page size.
      const paged: number[] = [];
      for await (const record of second.eachRecord({}, 2)) paged.push(record.id);
      assert.deepEqual(paged, records.map((r) => r.id));
      const newestPaged: string[] = [];
      for await (const record of second.eachRecord({ limit: 3, board: "UID-A" }, 1)) newestPaged.push(record.result);
      assert.equal((await second.records({ limit: 2, board: "UID-A" })).length, 2);
      assert.deepEqual(newestPaged, ["FAIL", "PASS", "INTERRUPTED"]);
    } finally {
      await second.close();
    }
  } finally {
    await store.close();
  }
}
