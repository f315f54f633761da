import assert from "node:assert/strict";
import { DeviceError } from "../errors.ts";
import type { RunResult } from "../recipe/reporter.ts";
import { BoardsInProgress, type RecordedBoardOptions, runRecordedBoard } from "./recorded_board.ts";
import { openStore } from "./open_store.ts";
import type { ProductionStore, StationSession } from "./store.ts";
import { TEST_START } from "./test_util.ts";

const PASSED: RunResult = { ok: true, durationMs: 7, steps: [] };
const unreachable = () => new DeviceError("E_STORE", "production store x: cannot record the board: gone");

/** Runs `body` with an in-memory store and a session on it. */
async function withSession(body: (store: ProductionStore, session: StationSession) => Promise<void>) {
  const store = await openStore(undefined);
  const session = await store.openSession("s");
  try {
    await body(store, session);
  } finally {
    await session.close();
    await store.close();
  }
}

/** Options around `session` that count the runs and the releases. */
function counted(session: StationSession, overrides: Partial<RecordedBoardOptions> = {}) {
  const calls = { runs: 0, releases: 0 };
  const options: RecordedBoardOptions = {
    session,
    start: TEST_START,
    policy: "stop",
    notify: () => {},
    stop: new AbortController().signal,
    inProgress: new BoardsInProgress(),
    run: () => {
      calls.runs++;
      return Promise.resolve(PASSED);
    },
    release: () => {
      calls.releases++;
      return Promise.resolve();
    },
    ...overrides,
  };
  return { calls, options };
}

Deno.test("recorded board: the record is written first, the board run, the record completed, the board let go once", async () => {
  await withSession(async (store, session) => {
    const inProgress = new BoardsInProgress();
    let openDuringRun = -1;
    const { calls, options } = counted(session, {
      inProgress,
      run: async () => {
        openDuringRun = inProgress.size;
        assert.equal((await store.records())[0].result, "IN_PROGRESS", "the record exists before the board is run");
        return PASSED;
      },
    });
    const done = await runRecordedBoard(options);
    assert.equal(openDuringRun, 1);
    assert.equal(inProgress.size, 0);
    assert.equal(calls.releases, 1);
    assert.equal(done?.stored?.result, "PASS");
    assert.equal(done?.storeFailure, undefined);
    assert.equal((await store.records())[0].result, "PASS");
  });
});

Deno.test("recorded board: a store that cannot record the board means the board is never run, only let go", async () => {
  await withSession(async (_store, session) => {
    const refusing: StationSession = { ...session, beginBoard: () => Promise.reject(unreachable()) };
    const { calls, options } = counted(refusing);
    await assert.rejects(runRecordedBoard(options), /cannot record the board/);
    assert.deepEqual(calls, { runs: 0, releases: 1 });
    // The stop while waiting for the store (--on-db-error wait): nothing run, nothing recorded.
    const stop = new AbortController();
    stop.abort();
    const stopped = counted(refusing, { policy: "wait", stop: stop.signal });
    assert.equal(await runRecordedBoard(stopped.options), undefined);
    assert.deepEqual(stopped.calls, { runs: 0, releases: 1 });
  });
});

Deno.test("recorded board: the store failing after the run is handed back with the result, the board let go", async () => {
  await withSession(async (store, session) => {
    const failingFinish: StationSession = {
      ...session,
      beginBoard: async (start) => {
        const board = await session.beginBoard(start);
        return { id: board.id, issueSerial: board.issueSerial, finish: () => Promise.reject(unreachable()) };
      },
    };
    const inProgress = new BoardsInProgress();
    const { calls, options } = counted(failingFinish, { inProgress });
    const done = await runRecordedBoard(options);
    assert.equal(done?.result, PASSED);
    assert.match(String(done?.storeFailure?.error), /cannot record the board/);
    assert.equal(done?.stored, undefined);
    assert.deepEqual(calls, { runs: 1, releases: 1 });
    assert.equal(inProgress.size, 0);
    assert.equal((await store.records())[0].result, "IN_PROGRESS", "left for the next start to mark INTERRUPTED");
  });
});

Deno.test("boards in progress: abortAll records each board still running as ABORTED", async () => {
  await withSession(async (store, session) => {
    const inProgress = new BoardsInProgress();
    const release = Promise.withResolvers<RunResult>();
    const running = [1, 2].map(() =>
      runRecordedBoard({ ...counted(session).options, inProgress, run: () => release.promise })
    );
    while (inProgress.size < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    await inProgress.abortAll();
    const records = await store.records();
    assert.deepEqual(records.map((r) => r.result), ["ABORTED", "ABORTED"]);
    release.resolve(PASSED);
    await Promise.all(running);
    assert.equal(inProgress.size, 0);
    // Written once: the run ending after all does not overwrite ABORTED.
    assert.deepEqual((await store.records()).map((r) => r.result), ["ABORTED", "ABORTED"]);
  });
});
