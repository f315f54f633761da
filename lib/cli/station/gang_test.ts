import assert from "node:assert/strict";
import { colours } from "../colour.ts";
import type { Connector } from "../connector.ts";
import type { BoardSource } from "./board_source.ts";
import { Gang } from "./gang.ts";
import { checkGangStore, SILENT, slotBoards, withGangParts } from "./gang_test_util.ts";
import { SlotScreen } from "./slot_screen.ts";
import { StationTally } from "./tally.ts";

Deno.test("gang: 8 slots x 25 boards in one process on one SQLite store: every serial distinct, bound to its board, no gaps", async () => {
  await withGangParts(undefined, (parts) => checkGangStore(parts, 8, 25));
});

Deno.test("gang: the stop (first Ctrl-C) ends waiting slots at once and lets running boards finish", async () => {
  await withGangParts(undefined, async ({ store, base }) => {
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
  await withGangParts(undefined, async ({ store, base }) => {
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
  await withGangParts(undefined, async ({ store, base }) => {
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
