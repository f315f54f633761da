import assert from "node:assert/strict";
import { colours } from "../colour.ts";
import type { Console } from "../command.ts";
import type { Connector } from "../connector.ts";
import { type BoardSource, simulatedBoards } from "./board_source.ts";
import { Gang, type GangOptions } from "./gang.ts";
import { StationLog } from "./log_writer.ts";
import { SlotScreen } from "./slot_screen.ts";
import { StationTally } from "./tally.ts";
import { loadRecipe } from "../../recipe/load.ts";
import { openStore } from "../../production/open_store.ts";
import { TEST_START } from "../../production/test_util.ts";
import type { ProductionStore, StationSession } from "../../production/store.ts";

const SILENT: Console = { out: () => {}, err: () => {} };

const COUNTER_RECIPE = "version: 1\nname: gang unit\ntarget: { chip: stm32f103c8 }\nsteps:\n  - connect\n" +
  "  - erase: { address: 0x0800FC00, length: 1024 }\n" +
  "  - serial-number: { address: 0x0800FC00, encoding: u32le, counter: { name: gang, start: 1 } }\n";

/** A folder with the counter recipe, a SQLite store and a log; `body` gets what a Gang needs. */
async function withGangParts(
  body: (parts: {
    dir: string;
    store: ProductionStore;
    session: StationSession;
    log: StationLog;
    base: Omit<GangOptions, "slots" | "limit" | "screen" | "tally" | "stop">;
  }) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "gang_unit_" });
  const store = await openStore(`${dir}/line.db`);
  const session = await store.openSession("gang");
  const log = await StationLog.open(`${dir}/log.csv`);
  try {
    await Deno.writeTextFile(`${dir}/r.yaml`, COUNTER_RECIPE);
    const recipe = await loadRecipe(`${dir}/r.yaml`);
    await body({
      dir,
      store,
      session,
      log,
      base: {
        recipe,
        flags: { confirmPermanent: false, yes: false },
        session,
        start: { ...TEST_START, station: "gang" },
        log,
        station: "gang",
        firmwareSha256: "cd".repeat(32),
        policy: "stop",
        console: SILENT,
        ask: () => Promise.resolve(true),
      },
    });
  } finally {
    log.close();
    await session.close();
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Simulated boards whose unique IDs say slot and board: `ss bbbb …`. */
function slotBoards(slot: number): BoardSource {
  let n = 0;
  return simulatedBoards("stm32f103c8", {
    warn: () => {},
    uniqueId: () => {
      n++;
      return Uint8Array.from([slot, n >> 8, n & 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x5a]);
    },
  });
}

Deno.test("gang: 8 slots x 25 boards in one process on one SQLite store: every serial distinct, bound to its board, no gaps", async () => {
  await withGangParts(async ({ dir, store, base }) => {
    const slots = Array.from({ length: 8 }, (_, i) => ({ name: `${i + 1} sim`, source: slotBoards(i + 1) }));
    const tally = new StationTally();
    const screen = new SlotScreen(SILENT, { names: slots.map((s) => s.name), tally, colour: colours(false) });
    const gang = new Gang({ ...base, slots, limit: 200, screen, tally, stop: new AbortController().signal });
    await gang.run();
    screen.close();
    assert.equal(tally.passed, 200);
    assert.equal(gang.inProgress, 0);
    const records = await store.records();
    assert.equal(records.length, 200);
    assert.ok(records.every((r) => r.result === "PASS"));
    const serials = records.map((r) => Number(r.serial_number)).sort((a, b) => a - b);
    assert.deepEqual(serials, Array.from({ length: 200 }, (_, i) => i + 1));
    assert.equal(new Set(records.map((r) => r.board_uid)).size, 200, "a number per board");
    // Every slot ran boards: they ran side by side, not one slot draining the limit.
    const perSlot = new Map<string, number>();
    for (const r of records) perSlot.set(r.board_uid.slice(0, 2), (perSlot.get(r.board_uid.slice(0, 2)) ?? 0) + 1);
    assert.equal(perSlot.size, 8, JSON.stringify([...perSlot]));
    const logLines = (await Deno.readTextFile(`${dir}/log.csv`)).trim().split("\n");
    assert.equal(logLines.length, 201, "one whole log line per board, whatever the slots' interleaving");
    assert.ok(logLines.slice(1).every((line) => line.split(",").length === 10));
  });
});

Deno.test("gang: the stop (first Ctrl-C) ends waiting slots at once and lets running boards finish", async () => {
  await withGangParts(async ({ store, base }) => {
    const stop = new AbortController();
    let waiting = 0;
    // Slot 1 gets boards; slot 2 waits forever for its first board (until the stop).
    const never: BoardSource = {
      description: "never",
      next: (signal) =>
        new Promise<Connector | undefined>((resolve) => {
          waiting++;
          signal.addEventListener("abort", () => resolve(undefined), { once: true });
        }),
    };
    const tally = new StationTally();
    const slots = [{ name: "1 sim", source: slotBoards(1) }, { name: "2 none", source: never }];
    const screen = new SlotScreen(SILENT, { names: slots.map((s) => s.name), tally, colour: colours(false) });
    const gang = new Gang({ ...base, slots, limit: Infinity, screen, tally, stop: stop.signal });
    const running = gang.run();
    while (tally.total < 3) await new Promise((resolve) => setTimeout(resolve, 1));
    stop.abort();
    await running;
    screen.close();
    assert.equal(waiting, 1);
    const records = await store.records();
    assert.equal(records.length, tally.total);
    assert.ok(records.every((r) => r.result === "PASS"), "no board was left in progress");
    assert.deepEqual(screen.views.map((v) => v.state), ["stopped", "stopped"]);
  });
});

Deno.test("gang: a slot that fails outright stops the others after their boards, and its error is thrown", async () => {
  await withGangParts(async ({ store, base }) => {
    let calls = 0;
    const broken: BoardSource = {
      description: "broken",
      next: async () => {
        if (++calls === 3) throw new Error("adapter unplugged");
        return await slotBoards(9).next(new AbortController().signal);
      },
    };
    const tally = new StationTally();
    const slots = [{ name: "1 sim", source: slotBoards(1) }, { name: "2 broken", source: broken }];
    const screen = new SlotScreen(SILENT, { names: slots.map((s) => s.name), tally, colour: colours(false) });
    const gang = new Gang({ ...base, slots, limit: Infinity, screen, tally, stop: new AbortController().signal });
    await assert.rejects(gang.run(), /adapter unplugged/);
    screen.close();
    const records = await store.records();
    assert.equal(records.length, tally.total);
    assert.ok(records.every((r) => r.result === "PASS"), "every board begun was finished and recorded");
  });
});

Deno.test("gang: abortInProgress records the boards in progress as ABORTED (the second Ctrl-C)", async () => {
  await withGangParts(async ({ store, base }) => {
    // Boards that hang inside the recipe: the connection never answers until the test ends.
    const release = new AbortController();
    const hanging = (slot: number): BoardSource => ({
      description: `hang ${slot}`,
      next: () =>
        Promise.resolve({
          link: () => Promise.reject(new Error("not used")),
          connect: () =>
            new Promise((_, reject) =>
              release.signal.addEventListener("abort", () => reject(new Error("released")), { once: true })
            ),
          close: () => Promise.resolve(),
        }),
    });
    const tally = new StationTally();
    const slots = [1, 2, 3].map((i) => ({ name: `${i}`, source: hanging(i) }));
    const screen = new SlotScreen(SILENT, { names: slots.map((s) => s.name), tally, colour: colours(false) });
    const gang = new Gang({ ...base, slots, limit: 3, screen, tally, stop: new AbortController().signal });
    const running = gang.run();
    while (gang.inProgress < 3) await new Promise((resolve) => setTimeout(resolve, 1));
    await gang.abortInProgress();
    const records = await store.records();
    assert.equal(records.length, 3);
    assert.ok(records.every((r) => r.result === "ABORTED" && r.error_code === "E_ABORTED"));
    release.abort();
    await running.catch(() => {});
    screen.close();
  });
});
