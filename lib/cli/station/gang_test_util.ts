/**
 * What the gang tests share: a folder with a recipe that draws a serial number from a counter, a production store
 * (a SQLite file, or the store a URL names), a session and a log; simulated boards whose unique IDs name their slot;
 * and the check that N slots x M boards in one process get every serial distinct and bound to its board.
 *
 * @module
 */

import assert from "node:assert/strict";
import { colours } from "../colour.ts";
import type { Console } from "../command.ts";
import { type BoardSource, simulatedBoards } from "./board_source.ts";
import { Gang, type GangOptions } from "./gang.ts";
import { StationLog } from "./log_writer.ts";
import { SlotScreen } from "./slot_screen.ts";
import { StationTally } from "./tally.ts";
import { loadRecipe } from "../../recipe/load.ts";
import { openStore } from "../../production/open_store.ts";
import { TEST_START } from "../../production/test_util.ts";
import type { ProductionStore, StationSession } from "../../production/store.ts";

/** A console that shows nothing. */
export const SILENT: Console = { out: () => {}, err: () => {} };

const COUNTER_RECIPE = "version: 1\nname: gang unit\ntarget: { chip: stm32f103c8 }\nsteps:\n  - connect\n" +
  "  - erase: { address: 0x0800FC00, length: 1024 }\n" +
  "  - serial-number: { address: 0x0800FC00, encoding: u32le, counter: { name: gang, start: 1 } }\n";

/** What a gang test gets from {@linkcode withGangParts}. */
export interface GangParts {
  /** The temporary folder. */
  dir: string;
  /** The store. */
  store: ProductionStore;
  /** The station's session. */
  session: StationSession;
  /** The flat log (`DIR/log.csv`). */
  log: StationLog;
  /** Every {@linkcode GangOptions} field but the slots, limit, screen, tally and stop. */
  base: Omit<GangOptions, "slots" | "limit" | "screen" | "tally" | "stop">;
}

/** Runs `body` with a counter recipe, a store (`spec`: a URL; `undefined`: a SQLite file), a session and a log. */
export async function withGangParts(
  spec: string | undefined,
  body: (parts: GangParts) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "gang_unit_" });
  const store = await openStore(spec ?? `${dir}/line.db`, { maxConnections: 9 });
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

/** Simulated boards whose unique IDs start with the slot's number, then the board's. */
export function slotBoards(slot: number): BoardSource {
  let n = 0;
  return simulatedBoards("stm32f103c8", {
    warn: () => {},
    uniqueId: () => {
      n++;
      return Uint8Array.from([slot, n >> 8, n & 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x5a]);
    },
  });
}

/**
 * Runs `slotCount` slots of simulated boards, `perSlot` boards each on average, through one {@linkcode Gang}; checks
 * every board passed with its own number from one counter, no gaps, every slot took part, one log line a board.
 */
export async function checkGangStore({ dir, store, base }: GangParts, slotCount: number, perSlot: number) {
  const total = slotCount * perSlot;
  const slots = Array.from({ length: slotCount }, (_, i) => ({ name: `${i + 1} sim`, source: slotBoards(i + 1) }));
  const tally = new StationTally();
  const screen = new SlotScreen(SILENT, { names: slots.map((s) => s.name), tally, colour: colours(false) });
  const gang = new Gang({ ...base, slots, limit: total, screen, tally, stop: new AbortController().signal });
  await gang.run();
  screen.close();
  assert.equal(tally.passed, total);
  assert.equal(gang.inProgress, 0);
  const records = await store.records({ station: "gang" });
  assert.equal(records.length, total);
  assert.ok(records.every((r) => r.result === "PASS"));
  const serials = records.map((r) => Number(r.serial_number)).sort((a, b) => a - b);
  assert.deepEqual(serials, Array.from({ length: total }, (_, i) => i + 1));
  assert.equal(new Set(records.map((r) => r.board_uid)).size, total, "a number per board");
  // Every slot ran boards: they ran side by side, not one slot draining the limit.
  const slotsSeen = new Set(records.map((r) => r.board_uid.slice(0, 2)));
  assert.equal(slotsSeen.size, slotCount, JSON.stringify([...slotsSeen]));
  const logLines = (await Deno.readTextFile(`${dir}/log.csv`)).trim().split("\n");
  assert.equal(logLines.length, total + 1, "one whole log line per board, whatever the slots' interleaving");
  assert.ok(logLines.slice(1).every((line) => line.split(",").length === 10));
}
