import assert from "node:assert/strict";
import { CHIPS } from "../chips/database.ts";
import { DeviceError } from "../errors.ts";
import type { StepInfo } from "../recipe/reporter.ts";
import { colours } from "./colour.ts";
import type { Console } from "./command.ts";
import { ProgressReporter, renderProgressLine } from "./progress_reporter.ts";
import { TextReporter } from "./text_reporter.ts";

const WRITE: StepInfo = { index: 2, count: 5, type: "write", label: "write" };
const ERASE: StepInfo = { index: 1, count: 5, type: "erase", label: "erase" };

/** A console with a terminal of `columns` columns that records everything, and a clock the test moves. */
function fakeTerminal(columns: number) {
  const writes: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  let now = 0;
  const console: Console = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    terminal: { write: (text) => writes.push(text), columns: () => columns },
  };
  return {
    console,
    writes,
    out,
    err,
    clock: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** The text left visible on the bar line after the last clear (the terminal's current line). */
function visible(writes: string[]): string {
  const joined = writes.join("");
  return joined.slice(joined.lastIndexOf("\r\x1b[2K") + 5);
}

Deno.test("progress bar: bytes done, percent, rate and time left from the clock, fitted to the width", () => {
  const t = fakeTerminal(100);
  const reporter = new ProgressReporter(t.console, { terminal: t.console.terminal!, now: t.clock });
  reporter.stepStart(WRITE);
  t.advance(2000);
  reporter.progress(WRITE, 16 * 1024, 64 * 1024);
  const line = visible(t.writes);
  // 16 KiB in 2 s = 8 KiB/s; 48 KiB left = 6 s.
  assert.match(line, /^\[3\/5\] write +\[#+\.+\] {2}25% {2}16\.0 KiB\/64\.0 KiB {2}8\.0 KiB\/s {2}0:06 left$/);
  assert.equal(line.length, 99, "fills the width but the last column");
  const bar = line.match(/\[(#+)(\.+)\]/)!;
  assert.equal(bar[1].length, Math.round((bar[1].length + bar[2].length) / 4));
});

Deno.test("progress bar: redraws at most every interval, always the last one, and clears before the step line", () => {
  const t = fakeTerminal(80);
  const reporter = new ProgressReporter(t.console, { terminal: t.console.terminal!, now: t.clock });
  reporter.stepStart(WRITE);
  const drawn = () => t.writes.filter((w) => w.includes("%")).length;
  t.advance(10);
  reporter.progress(WRITE, 256, 4096);
  assert.equal(drawn(), 1);
  t.advance(50);
  reporter.progress(WRITE, 512, 4096); // 50 ms later: skipped
  assert.equal(drawn(), 1);
  t.advance(60);
  reporter.progress(WRITE, 1024, 4096); // 110 ms after the first draw
  assert.equal(drawn(), 2);
  t.advance(1);
  reporter.progress(WRITE, 4096, 4096); // the last one always
  assert.equal(drawn(), 3);
  assert.match(visible(t.writes), /100% {2}4\.0 KiB\/4\.0 KiB/);
  reporter.stepEnd(WRITE, { summary: "wrote 4096 bytes", bytes: 4096 }, 121);
  assert.equal(t.writes.at(-1), "\r\x1b[2K", "the bar is cleared");
  assert.deepEqual(t.out, ["[3/5] write    ok wrote 4096 bytes (121 ms)"]);
});

Deno.test("progress bar: erase counts pages; a narrow terminal drops the bar, never wraps", () => {
  const wide = renderProgressLine({
    prefix: "[2/5] erase   ",
    done: 3,
    total: 12,
    unit: "pages",
    elapsedMs: 1500,
    columns: 90,
  });
  assert.match(wide, /\[#+\.+\] {2}25% {2}3\/12 pages {2}2\.0 pages\/s {2}0:05 left$/);
  const narrow = renderProgressLine({
    prefix: "[3/5] write   ",
    done: 1000,
    total: 2000,
    unit: "bytes",
    elapsedMs: 1000,
    columns: 40,
  });
  assert.ok(!narrow.includes("#"), narrow);
  assert.ok(narrow.length <= 39, narrow);
  assert.match(narrow, /^\[3\/5\] write +50%/);
});

Deno.test("progress bar: before any time has passed there is no rate and no time left", () => {
  const line = renderProgressLine({ prefix: "x", done: 0, total: 100, unit: "bytes", elapsedMs: 0, columns: 60 });
  assert.match(line, / {2}0% {2}0 B\/100 B$/);
});

Deno.test("progress reporter: failure line, error on stderr, summary with the chip's identity", () => {
  const t = fakeTerminal(80);
  const reporter = new ProgressReporter(t.console, {
    terminal: t.console.terminal!,
    now: t.clock,
    colour: colours(false),
  });
  const chip = CHIPS.find((c) => c.pid === 0x410)!;
  const identity = { transport: "usart" as const, pid: 0x410, chip, flashSize: 65536, uniqueId: "0011aabb" };
  reporter.stepStart(ERASE);
  const error = new DeviceError("E_NO_RESPONSE", "no response", { hint: "check BOOT0" });
  reporter.stepFailed(ERASE, error, 1500);
  reporter.runEnd({
    ok: false,
    durationMs: 1600,
    steps: [{ step: ERASE, error, durationMs: 1500 }],
    identity,
    error,
  });
  assert.equal(t.out[0], "[2/5] erase    FAILED after 1.50 s");
  assert.deepEqual(t.err, ["error[E_NO_RESPONSE]: no response (check BOOT0)"]);
  assert.match(t.out.join("\n"), /2 +erase +FAILED E_NO_RESPONSE +1\.50 s +0/);
  assert.match(t.out.join("\n"), /chip: .*\(0x410\).*64 KiB flash, unique ID 0011aabb, over USART/);
  assert.match(t.out.at(-1)!, /^FAILED on .*: 0 bytes moved in 1\.60 s \[E_NO_RESPONSE\]$/);
});

Deno.test("plain mode: one line per step, no progress output, no escape codes; quiet keeps the result line", () => {
  for (const quiet of [false, true]) {
    const out: string[] = [];
    const err: string[] = [];
    const reporter = new TextReporter({ out: (l) => out.push(l), err: (l) => err.push(l) }, { quiet });
    reporter.runStart("demo", 5);
    reporter.stepStart(WRITE);
    for (let done = 0; done <= 4096; done += 256) reporter.progress(WRITE, done, 4096);
    reporter.stepEnd(WRITE, { summary: "wrote 4096 bytes", bytes: 4096 }, 12);
    reporter.runEnd({
      ok: true,
      durationMs: 20,
      steps: [{ step: WRITE, outcome: { summary: "wrote 4096 bytes", bytes: 4096 }, durationMs: 12 }],
    });
    const text = out.join("\n");
    assert.ok(!text.includes("\x1b"), "no escape codes");
    assert.ok(!text.includes("\r"), "no carriage returns");
    if (quiet) {
      assert.deepEqual(out, ["done: 4096 bytes moved in 20 ms"]);
    } else {
      assert.equal(out.filter((l) => l.startsWith("[3/5] write")).length, 1);
      assert.equal(out[1], "[3/5] write    wrote 4096 bytes (12 ms)");
      assert.equal(out.at(-1), "done: 4096 bytes moved in 20 ms");
    }
    assert.deepEqual(err, []);
  }
});

Deno.test("colours: only on a terminal, never with NO_COLOR set", async () => {
  const { colourEnabled } = await import("./colour.ts");
  const terminal = { write: () => {}, columns: () => 80 };
  const base = { out: () => {}, err: () => {} };
  assert.equal(colourEnabled(base), false);
  assert.equal(colourEnabled({ ...base, terminal, env: () => undefined }), true);
  assert.equal(colourEnabled({ ...base, terminal, env: (n) => n === "NO_COLOR" ? "1" : undefined }), false);
  assert.equal(colourEnabled({ ...base, terminal, env: (n) => n === "NO_COLOR" ? "" : undefined }), true);
  assert.equal(colours(true).red("x"), "\x1b[31mx\x1b[39m");
  assert.equal(colours(false).red("x"), "x");
});

/** A ticker the test fires by hand. */
function manualTicker() {
  const ticks: (() => void)[] = [];
  let stopped = 0;
  return {
    ticker: (_ms: number, tick: () => void) => {
      ticks.push(tick);
      return () => {
        stopped++;
      };
    },
    fire: () => ticks.at(-1)!(),
    get started() {
      return ticks.length;
    },
    get stopped() {
      return stopped;
    },
  };
}

Deno.test("progress bar: redrawn by the ticker while no progress comes, so elapsed time and time left move", () => {
  const t = fakeTerminal(100);
  const ticks = manualTicker();
  const reporter = new ProgressReporter(t.console, {
    terminal: t.console.terminal!,
    now: t.clock,
    ticker: ticks.ticker,
  });
  reporter.stepStart(ERASE);
  t.advance(1000);
  ticks.fire();
  assert.match(visible(t.writes), /^\[2\/5\] erase +\.\.\. 1\.00 s$/, "before any progress: the time gone");
  reporter.progress(WRITE, 32 * 1024, 128 * 1024);
  const first = visible(t.writes);
  t.advance(1000);
  ticks.fire();
  const second = visible(t.writes);
  assert.notEqual(first, second, "a tick redraws the same amount with the time gone since");
  assert.match(second, /25%.*left$/);
  reporter.stepEnd(ERASE, { summary: "ok" }, 2000);
  assert.equal(ticks.stopped, 1, "the ticker stops with the step");
  reporter.runEnd({ ok: true, durationMs: 2000, steps: [] });
});

Deno.test("progress bar: a new phase of a step (another unit) starts its bar, rate and time left afresh", () => {
  const t = fakeTerminal(100);
  const reporter = new ProgressReporter(t.console, { terminal: t.console.terminal!, now: t.clock });
  reporter.stepStart(ERASE);
  t.advance(4000);
  reporter.progress(ERASE, 4096, 4096, "bytes");
  t.advance(1000);
  reporter.progress(ERASE, 1, 4, "pages");
  t.advance(1000);
  reporter.progress(ERASE, 2, 4, "pages");
  // 2 pages in 1 s (the bytes phase took the first 4 s): 1 page a second... since the phase began: 2 pages left.
  assert.match(visible(t.writes), /50% {2}2\/4 pages {2}2\.0 pages\/s {2}0:01 left$/);
});

Deno.test("progress bar: a narrow terminal keeps the percentage and the time left, dropping other figures first", () => {
  const state = {
    prefix: "[3/5] write   ",
    done: 64 * 1024,
    total: 256 * 1024,
    unit: "bytes" as const,
    elapsedMs: 8000,
  };
  for (const columns of [60, 40, 30]) {
    const line = renderProgressLine({ ...state, columns });
    assert.ok(line.length <= columns - 1, `${columns}: ${line}`);
    assert.match(line, /25%.*0:24 left$/, `${columns} columns: ${line}`);
  }
});

Deno.test("progress reporter: a warning clears the bar first and never lands inside it", () => {
  const t = fakeTerminal(80);
  const reporter = new ProgressReporter(t.console, { terminal: t.console.terminal!, now: t.clock });
  reporter.stepStart(WRITE);
  reporter.progress(WRITE, 10, 100);
  const before = t.writes.length;
  reporter.warning("parity cannot be carried on a pseudo-terminal");
  assert.equal(t.writes[before], "\r\x1b[2K", "the bar line is cleared before the warning");
  assert.deepEqual(t.err, ["warning: parity cannot be carried on a pseudo-terminal"]);
});

Deno.test("progress bar: an F4's erase counts sectors on screen, once the chip is known", () => {
  const t = fakeTerminal(100);
  const reporter = new ProgressReporter(t.console, { terminal: t.console.terminal!, now: t.clock });
  const chip = CHIPS.find((c) => c.pid === 0x413)!;
  reporter.identity({ transport: "usart", pid: 0x413, chip, flashSize: 1024 * 1024 });
  reporter.stepStart(ERASE);
  t.advance(1000);
  reporter.progress(ERASE, 3, 12);
  assert.match(visible(t.writes), / 3\/12 sectors {2}3\.0 sectors\/s {2}0:03 left$/);
});
