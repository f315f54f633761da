import assert from "node:assert/strict";
import { colours } from "../colour.ts";
import type { Console } from "../command.ts";
import { StationBoardReporter } from "./station_reporter.ts";

const WRITE = { index: 2, count: 5, type: "write", label: "write" };

Deno.test("station board line: the board, its step and progress redrawn in one line; cleared at the end", () => {
  const writes: string[] = [];
  const out: string[] = [];
  let now = 0;
  const console: Console = {
    out: (line) => out.push(line),
    err: (line) => out.push(line),
    terminal: { write: (text) => writes.push(text), columns: () => 100 },
  };
  const reporter = new StationBoardReporter(console, { board: 3, colour: colours(false), now: () => now });
  reporter.stepStart(WRITE);
  now = 1000;
  reporter.progress(WRITE, 512, 1024);
  const line = writes.at(-1)!.slice(5);
  assert.match(line, /^board 3 {2}\[3\/5\] write +\[#+\.+\] {2}50% {2}512 B\/1\.0 KiB {2}512 B\/s {2}0:01 left$/);
  assert.ok(line.length < 100);
  reporter.stepEnd(WRITE, { summary: "wrote" }, 2000);
  reporter.runEnd({ ok: true, durationMs: 2000, steps: [] });
  assert.equal(writes.at(-1), "\r\x1b[2K", "the line is cleared for the PASS/FAIL banner");
  assert.deepEqual(out, [], "no step lines");
});

Deno.test("station board line: without a terminal nothing is printed per step", () => {
  const out: string[] = [];
  const console: Console = { out: (line) => out.push(line), err: (line) => out.push(line) };
  const reporter = new StationBoardReporter(console, { board: 1, colour: colours(false) });
  reporter.stepStart(WRITE);
  reporter.progress(WRITE, 1024, 1024);
  reporter.runEnd({ ok: true, durationMs: 1, steps: [] });
  assert.deepEqual(out, []);
});
