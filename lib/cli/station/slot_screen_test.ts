import assert from "node:assert/strict";
import { colours } from "../colour.ts";
import type { Console } from "../command.ts";
import { DeviceError } from "../../errors.ts";
import type { RunResult } from "../../recipe/reporter.ts";
import { lastResultText, renderSlotBlock, renderSlotLine, SlotScreen } from "./slot_screen.ts";
import { StationTally } from "./tally.ts";

const PLAIN = colours(false);
const PASS: RunResult = { ok: true, durationMs: 2100, steps: [], serialNumber: "1003" };
const FAIL: RunResult = {
  ok: false,
  durationMs: 500,
  steps: [],
  error: new DeviceError("E_NO_RESPONSE", "no answer"),
};

Deno.test("slot line: state, board, step and progress, and the last result, within the width", () => {
  const running = renderSlotLine(
    { name: "2 /dev/ttyUSB1", state: "running", board: 7, step: "3/5 write app.hex", progress: { done: 1, total: 4 } },
    80,
    PLAIN,
  );
  assert.equal(running, "slot 2 /dev/ttyUSB1  board 7: 3/5 write app.hex 25%");
  const waiting = renderSlotLine(
    { name: "1 /dev/ttyUSB0", state: "waiting", note: "connect the next board", last: "PASS #4 SN 1003 2.1 s" },
    80,
    PLAIN,
  );
  assert.match(waiting, /^slot 1 \/dev\/ttyUSB0 {2}connect the next board +last PASS #4 SN 1003 2\.1 s$/);
  const narrow = renderSlotLine(
    { name: "3 COM7", state: "running", board: 1, step: "2/9 a very long label" },
    24,
    PLAIN,
  );
  assert.ok(narrow.length <= 24, narrow);
  assert.equal(lastResultText(4, PASS), "PASS #4 SN 1003 2.10 s");
  assert.match(lastResultText(5, FAIL), /^FAIL #5 E_NO_RESPONSE 500 ms$/);
  // Written flash nobody checked (a write with verify: false) is never a PASS.
  assert.equal(
    lastResultText(6, { ...PASS, unverified: "fw.bin (3000 bytes) written and never verified" }),
    "UNVERIFIED #6 SN 1003 2.10 s",
  );
});

Deno.test("slot block: a line per slot and the totals", () => {
  const tally = new StationTally();
  tally.add(true);
  tally.add(false);
  const lines = renderSlotBlock(
    [{ name: "1", state: "stopped" }, { name: "2", state: "recording", board: 3 }],
    tally,
    80,
    PLAIN,
  );
  assert.deepEqual(lines, [
    "slot 1  stopped",
    "slot 2  board 3: recording",
    "2 boards: 1 passed, 1 failed, yield 50.0%",
  ]);
});

Deno.test("slot screen, not a terminal: plain lines prefixed with the slot, totals after each board", () => {
  const out: string[] = [];
  const err: string[] = [];
  const console: Console = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const tally = new StationTally();
  const screen = new SlotScreen(console, { names: ["1 /dev/a", "2 /dev/b"], tally, colour: PLAIN });
  assert.equal(screen.live, false);
  screen.waiting(0, "connect the next board (waiting for /dev/a)");
  screen.waiting(0, "connect the next board (waiting for /dev/a)"); // unchanged: said once
  screen.boardStart(1, 1);
  const reporter = screen.reporter(1);
  reporter.stepStart({ index: 0, count: 2, type: "connect", label: "connect" });
  assert.equal(screen.views[1].step, "1/2 connect");
  tally.add(true);
  screen.boardEnd(1, 1, PASS, "STM32F1, serial 1003, 2.1 s");
  screen.close();
  assert.deepEqual(err, ["[slot 1 /dev/a] connect the next board (waiting for /dev/a)"]);
  assert.deepEqual(out, [
    "[slot 2 /dev/b] board 1: started",
    "[slot 2 /dev/b] PASS board 1: STM32F1, serial 1003, 2.1 s",
    "1 board: 1 passed, 0 failed, yield 100.0%",
  ]);
});

Deno.test("slot screen on a terminal: the block is redrawn in place, results scroll above it", async () => {
  let written = "";
  const console: Console = {
    out: () => assert.fail("a live screen writes through the terminal"),
    err: () => assert.fail("a live screen writes through the terminal"),
    terminal: { write: (text) => written += text, columns: () => 100 },
  };
  const tally = new StationTally();
  const screen = new SlotScreen(console, { names: ["1 a", "2 b"], tally, colour: PLAIN });
  assert.equal(screen.live, true);
  screen.boardStart(0, 1);
  screen.reporter(0).progress({ index: 1, count: 3, type: "write", label: "write" }, 50, 100);
  await new Promise((resolve) => setTimeout(resolve, 150)); // the throttled redraw
  assert.match(written, /slot 1 a {2}board 1: starting 50%\nslot 2 b {2}waiting for a board\n0 boards: /);
  written = "";
  tally.add(false);
  screen.boardEnd(0, 1, FAIL, "no chip");
  // Up three lines (the block), clear, the result line, then the block again.
  assert.ok(written.startsWith("\x1b[3A\r\x1b[J[slot 1 a] FAIL board 1: no chip\n"), JSON.stringify(written));
  assert.match(written, /slot 1 a {2}waiting for a board +last FAIL #1 E_NO_RESPONSE 500 ms\n/);
  screen.close();
});
