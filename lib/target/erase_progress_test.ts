import assert from "node:assert/strict";
import { CHIPS } from "../chips/database.ts";
import { eraseWithProgress, readoutUnprotectWithProgress } from "./erase_progress.ts";
import type { EraseRequest, ProgressCallback, Target } from "./target.ts";

const F4 = CHIPS.find((chip) => chip.pid === 0x413)!;

/** A target whose erase finishes when the test says, and a clock and ticker the test moves. */
function harness() {
  let now = 0;
  let tick: (() => void) | undefined;
  let finish: () => void = () => {};
  const seen: [number, number][] = [];
  const target = {
    identity: { transport: "usart", chip: F4, flashSize: 1024 * 1024 },
    erase: (_request: EraseRequest, _progress?: ProgressCallback) => new Promise<void>((resolve) => finish = resolve),
  } as unknown as Target;
  return {
    target,
    seen,
    progress: (done: number, total: number) => seen.push([done, total]),
    clock: {
      now: () => now,
      every(_ms: number, fn: () => void) {
        tick = fn;
        return () => tick = undefined;
      },
    },
    advance(ms: number) {
      now += ms;
      tick?.();
    },
    finish: () => finish(),
    get ticking() {
      return tick !== undefined;
    },
  };
}

Deno.test("erase progress: a mass erase moves by time against the datasheet's 16 s, held short of done", async () => {
  const h = harness();
  const erasing = eraseWithProgress(h.target, { kind: "all" }, h.progress, h.clock);
  await Promise.resolve();
  assert.deepEqual(h.seen, [[0, 12]], "12 sectors in 1 MiB of F4 flash");
  h.advance(4000); // a quarter of DS8626's 16 s
  assert.deepEqual(h.seen.at(-1), [3, 12]);
  h.advance(8000);
  assert.deepEqual(h.seen.at(-1), [9, 12]);
  h.advance(30_000); // slower than typical: never 12 before the bootloader answers
  assert.deepEqual(h.seen.at(-1), [11, 12]);
  h.finish();
  await erasing;
  assert.deepEqual(h.seen.at(-1), [12, 12]);
  assert.ok(!h.ticking, "the ticker is stopped");
  for (let i = 1; i < h.seen.length; i++) assert.ok(h.seen[i][0] >= h.seen[i - 1][0], "never backwards");
});

Deno.test("erase progress: sectors by their own erase times (128 KiB sectors take 2 s each on an F4)", async () => {
  const h = harness();
  const erasing = eraseWithProgress(h.target, { kind: "pages", pages: [5, 6] }, h.progress, h.clock);
  h.advance(2000); // half of 2 x 2 s
  assert.deepEqual(h.seen.at(-1), [1, 2]);
  h.finish();
  await erasing;
  assert.deepEqual(h.seen.at(-1), [2, 2]);
});

Deno.test("erase progress: a failed erase stops the ticker and passes the error on", async () => {
  const h = harness();
  const failing = {
    ...h.target,
    identity: h.target.identity,
    erase: () => Promise.reject(new Error("NACK")),
  } as unknown as Target;
  await assert.rejects(eraseWithProgress(failing, { kind: "all" }, h.progress, h.clock), /NACK/);
  assert.ok(!h.ticking);
});

Deno.test("leaving read protection shows the chip's mass erase by time (16 s on an F4)", async () => {
  const h = harness();
  let done: () => void = () => {};
  const unprotecting = readoutUnprotectWithProgress(
    h.target,
    () => new Promise<void>((resolve) => done = resolve),
    h.progress,
    h.clock,
  );
  h.advance(8000);
  assert.deepEqual(h.seen.at(-1), [6, 12]);
  done();
  await unprotecting;
  assert.deepEqual(h.seen.at(-1), [12, 12]);
  assert.ok(!h.ticking);
});
