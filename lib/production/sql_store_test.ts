import assert from "node:assert/strict";
import { openStore } from "./open_store.ts";
import { checkStoreContract, TEST_START } from "./test_util.ts";

Deno.test("SQLite file store: serials bound to boards, records, recovery, station claim", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await checkStoreContract(() => openStore(`${dir}/line.db`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("memory store: what --simulate uses; nothing outlives it", async () => {
  const store = await openStore(undefined);
  assert.equal(store.kind, "memory");
  const session = await store.openSession("s");
  const board = await session.beginBoard(TEST_START);
  assert.equal((await board.issueSerial({ name: "sn", start: 5, boardUid: "U" })).value, 5);
  await session.close();
  await store.close();
  const fresh = await openStore(undefined);
  assert.deepEqual(await fresh.records(), []);
  await fresh.close();
});

Deno.test("SQLite store: slots of one process issuing at once get distinct numbers", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = await openStore(`${dir}/line.db`);
    const session = await store.openSession("gang");
    const values = await Promise.all(Array.from({ length: 50 }, async (_, i) => {
      const board = await session.beginBoard(TEST_START);
      const { value } = await board.issueSerial({ name: "sn", start: 1, boardUid: `U${i}` });
      await board.finish({ result: "PASS", boardUid: `U${i}`, steps: [], durationMs: 1 });
      return value;
    }));
    assert.equal(new Set(values).size, 50);
    assert.deepEqual([...values].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1));
    await session.close();
    await store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SQLite store: a database file that cannot be opened is E_STORE before any board", async () => {
  await assert.rejects(openStore("/nonexistent-folder/x/line.db"), (error: Error & { code?: string }) => {
    assert.equal(error.code, "E_STORE");
    assert.match(error.message, /production store \/nonexistent-folder\/x\/line\.db: cannot open/);
    return true;
  });
});

Deno.test("a database with a newer schema version is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = await openStore(`${dir}/line.db`);
    await store.close();
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(`${dir}/line.db`);
    db.exec("UPDATE flashrecipe_schema SET version = 99");
    db.close();
    await assert.rejects(openStore(`${dir}/line.db`), /schema version 99; this flashrecipe knows up to 1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
