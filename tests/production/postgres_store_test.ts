import assert from "node:assert/strict";
import { openStore } from "../../lib/production/open_store.ts";
import { checkStoreContract, TEST_START } from "../../lib/production/test_util.ts";
import { POSTGRES_UNAVAILABLE, startTestPostgres } from "../helpers/postgres.ts";

const ignore = POSTGRES_UNAVAILABLE !== undefined;

Deno.test({
  name: "PostgreSQL store: serials bound to boards, records, recovery, station claim",
  ignore,
  async fn() {
    const pg = await startTestPostgres();
    try {
      await checkStoreContract(() => openStore(pg.url));
      // Slots of one process at once, over the pool.
      const store = await openStore(pg.url, { maxConnections: 8 });
      const session = await store.openSession("gang");
      const values = await Promise.all(Array.from({ length: 40 }, async (_, i) => {
        const board = await session.beginBoard(TEST_START);
        return (await board.issueSerial({ name: "gang", start: 1, boardUid: `G${i}` })).value;
      }));
      assert.equal(new Set(values).size, 40);
      await session.close();
      await store.close();
    } finally {
      await pg.destroy();
    }
  },
});

Deno.test({
  name: "PostgreSQL store: a wrong password or a stopped server is E_STORE without the password",
  ignore,
  async fn() {
    const pg = await startTestPostgres();
    try {
      const wrong = pg.url.replace(pg.password, `${pg.password}x`);
      await assert.rejects(openStore(wrong), (error: Error & { code?: string }) => {
        assert.equal(error.code, "E_STORE");
        assert.ok(!error.message.includes(pg.password), error.message);
        assert.match(error.message, /postgres:\/\/flash:\*\*\*@127\.0\.0\.1/);
        return true;
      });
      await pg.stop();
      await assert.rejects(openStore(pg.url), (error: Error & { code?: string }) => {
        assert.equal(error.code, "E_STORE");
        assert.ok(!error.message.includes(pg.password), error.message);
        assert.ok(!String(error.stack).includes(pg.password));
        return true;
      });
    } finally {
      await pg.destroy();
    }
  },
});

Deno.test({
  name: "PostgreSQL store: a station whose claim connection dropped takes its name again, or stops if another has it",
  ignore,
  async fn() {
    const pg = await startTestPostgres();
    // @ts-types="@types/pg"
    const { default: pgClient } = await import("pg");
    const admin = new pgClient.Client({ connectionString: pg.url });
    await admin.connect();
    /** Ends the backends holding station advisory locks, as a server restart or a network cut would. */
    const dropClaims = () =>
      admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()`,
      );
    try {
      const store = await openStore(pg.url);
      const session = await store.openSession("s1");
      await (await session.beginBoard(TEST_START)).finish({ result: "PASS", steps: [], durationMs: 1 });
      await dropClaims();
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Nobody else took the name: the next board takes the claim again and goes on.
      await (await session.beginBoard(TEST_START)).finish({ result: "PASS", steps: [], durationMs: 1 });
      await dropClaims();
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Another process takes the name meanwhile: this one may not begin another board.
      const other = await openStore(pg.url);
      const rival = await other.openSession("s1");
      await assert.rejects(session.beginBoard(TEST_START), /E_STATION_BUSY|lost its name/);
      await rival.close();
      await other.close();
      await session.close();
      await store.close();
    } finally {
      await admin.end();
      await pg.destroy();
    }
  },
});
