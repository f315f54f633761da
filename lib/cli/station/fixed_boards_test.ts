import assert from "node:assert/strict";
import type { Connector } from "../connector.ts";
import type { BoardSource } from "./board_source.ts";
import { fixedPortBoards, RoundGate } from "./fixed_boards.ts";

function fakeConnector(): Connector {
  return {
    link: () => Promise.reject(new Error("not used")),
    connect: () => Promise.reject(new Error("not used")),
    close: () => Promise.resolve(),
  };
}

const counting = (): BoardSource & { made: number } => {
  const source = {
    description: "inner",
    made: 0,
    next: () => {
      source.made++;
      return Promise.resolve(fakeConnector());
    },
  };
  return source;
};

Deno.test("fixed port: every board connects to the port as it is, never waiting for it to go away", async () => {
  const presence = [false, false, true, true, true];
  const notes: string[] = [];
  let connects = 0;
  const source = fixedPortBoards("/dev/ttyFIX", {
    pollMs: 1,
    exists: () => Promise.resolve(presence.shift() ?? true),
    connect: () => {
      connects++;
      return fakeConnector();
    },
    notify: (message) => notes.push(message),
  });
  const signal = new AbortController().signal;
  assert.ok(await source.next(signal));
  assert.ok(await source.next(signal));
  assert.ok(await source.next(signal));
  assert.equal(connects, 3);
  assert.deepEqual(notes, ["plug the adapter in (waiting for /dev/ttyFIX)"]);
  const stopped = new AbortController();
  const missing = fixedPortBoards("/dev/ttyGONE", {
    pollMs: 60_000,
    exists: () => Promise.resolve(false),
    connect: fakeConnector,
    notify: () => stopped.abort(),
  });
  assert.equal(await missing.next(stopped.signal), undefined, "Ctrl-C ends the wait for a missing adapter");
});

Deno.test("round gate: the prompt comes once every slot waits; one Enter releases them all; the end of input ends all", async () => {
  const lines = [""];
  const prompts: string[] = [];
  let reads = 0;
  const gate = new RoundGate(3, () => {
    reads++;
    return Promise.resolve(lines.shift());
  }, (message) => prompts.push(message));
  const inner = [counting(), counting(), counting()];
  const sources = inner.map((source) => gate.wrap(source));
  const signal = new AbortController().signal;
  const first = sources[0].next(signal);
  const second = sources[1].next(signal);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(reads, 0, "no prompt while a slot is still busy");
  const third = sources[2].next(signal);
  assert.ok(await first);
  assert.ok(await second);
  assert.ok(await third);
  assert.equal(reads, 1);
  assert.deepEqual(prompts, ["put the next 3 boards on the fixture and press Enter (Ctrl-C to stop)"]);
  assert.deepEqual(inner.map((s) => s.made), [1, 1, 1]);
  // Round two: the input has ended.
  const ends = await Promise.all(sources.map((source) => source.next(signal)));
  assert.deepEqual(ends, [undefined, undefined, undefined]);
  assert.equal(await sources[0].next(signal), undefined, "after the end, no more rounds");
});

Deno.test("round gate: Ctrl-C ends a waiting slot's wait; an input error reaches every waiting slot", async () => {
  const stop = new AbortController();
  const gate = new RoundGate(2, () => new Promise(() => {}), () => {});
  const waiting = gate.wrap(counting()).next(stop.signal);
  stop.abort();
  assert.equal(await waiting, undefined);

  const broken = new RoundGate(2, () => Promise.reject(new Error("stdin closed badly")), () => {});
  const signal = new AbortController().signal;
  const results = await Promise.allSettled([
    broken.wrap(counting()).next(signal),
    broken.wrap(counting()).next(signal),
  ]);
  assert.ok(results.every((r) => r.status === "rejected" && /stdin closed badly/.test(String(r.reason))));
});
