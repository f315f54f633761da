import assert from "node:assert/strict";
import { CHIPS } from "../chips/database.ts";
import { genericChip } from "../chips/generic.ts";
import type { ChipInfo } from "../chips/types.ts";
import { eraseWithProgress, readoutUnprotectWithProgress } from "./erase_progress.ts";
import type { EraseRequest, ProgressCallback, Target } from "./target.ts";

const F4 = CHIPS.find((chip) => chip.pid === 0x413)!;

/** A target whose erase finishes when the test says, and a clock and ticker the test moves. */
function harness(chip: ChipInfo = F4, flashSize = 1024 * 1024) {
  let now = 0;
  let tick: (() => void) | undefined;
  let finish: () => void = () => {};
  const seen: [number, number][] = [];
  const target = {
    identity: { transport: "usart", chip, flashSize },
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

Deno.test("erase progress moves for every family, by its own typical figures (an L0 page erase, 3.2 ms a page)", async () => {
  const l0 = CHIPS.find((chip) => chip.family === "L0")!;
  const h = harness(l0, 64 * 1024);
  const pages = Array.from({ length: 100 }, (_, index) => index);
  const erasing = eraseWithProgress(h.target, { kind: "pages", pages }, h.progress, h.clock);
  h.advance(160); // half of 100 x 3.2 ms
  assert.deepEqual(h.seen.at(-1), [50, 100]);
  h.finish();
  await erasing;
  assert.deepEqual(h.seen.at(-1), [100, 100]);
});

Deno.test("erase progress moves for a mass erase on every family of the database, and on an unknown product", async () => {
  const families = new Map(CHIPS.map((chip) => [chip.family, chip]));
  for (const chip of [...families.values(), genericChip(0x999)]) {
    const flashSize = chip.flash.maxSize;
    const h = harness(chip, flashSize);
    const erasing = eraseWithProgress(h.target, { kind: "all" }, h.progress, h.clock);
    h.advance(1e9); // far past any typical mass erase: held one short of the total
    const total = h.seen[0][1];
    assert.ok(total > 1, chip.family);
    assert.deepEqual(h.seen.at(-1), [total - 1, total], `${chip.family}: the estimate moved`);
    h.finish();
    await erasing;
  }
});
