import assert from "node:assert/strict";
import type { Connector } from "../connector.ts";
import { manualBoards, pathExists, portBoards, simulatedBoards } from "./board_source.ts";

/** A connector that is never used, standing for "the board on `path`". */
function fakeConnector(path: string): Connector & { path: string } {
  return {
    path,
    link: () => Promise.reject(new Error("not used")),
    connect: () => Promise.reject(new Error("not used")),
    close: () => Promise.resolve(),
  };
}

Deno.test("port boards: the first board when the port is there; later ones after it goes away and comes back", async () => {
  // What each poll of the port sees, in order.
  const presence = [true, /* board 2: */ true, true, false, false, true];
  const seen: boolean[] = [];
  const notes: string[] = [];
  const source = portBoards("/dev/ttyFAKE", {
    pollMs: 1,
    settleMs: 1,
    exists: (path) => {
      assert.equal(path, "/dev/ttyFAKE");
      const present = presence.shift();
      if (present === undefined) throw new Error("polled more than expected");
      seen.push(present);
      return Promise.resolve(present);
    },
    connect: fakeConnector,
    notify: (message) => notes.push(message),
  });
  const signal = new AbortController().signal;
  const first = await source.next(signal) as ReturnType<typeof fakeConnector>;
  assert.equal(first.path, "/dev/ttyFAKE");
  assert.equal(seen.length, 1, "the first board needs no removal");
  assert.deepEqual(notes, []);
  const second = await source.next(signal);
  assert.ok(second);
  assert.equal(presence.length, 0, "waited for the port to disappear and reappear");
  assert.deepEqual(notes, [
    "remove the board (waiting for /dev/ttyFAKE to go away; if the adapter stays plugged in, stop with Ctrl-C and " +
    "use --manual: Enter for each board)",
    "connect the next board (waiting for /dev/ttyFAKE)",
  ]);
});

Deno.test("port boards: Ctrl-C while waiting for a board returns no board at once", async () => {
  const controller = new AbortController();
  const source = portBoards("/dev/ttyFAKE", {
    pollMs: 60_000,
    exists: () => Promise.resolve(false),
    connect: fakeConnector,
    notify: () => controller.abort(),
  });
  assert.equal(await source.next(controller.signal), undefined);
});

Deno.test("manual boards: each board waits for a line; the end of input ends the station", async () => {
  const lines = ["", "next"];
  const prompts: string[] = [];
  let made = 0;
  const inner = {
    description: "inner",
    next: () => Promise.resolve(fakeConnector(`board ${++made}`)),
  };
  const source = manualBoards(inner, () => Promise.resolve(lines.shift()), (m) => prompts.push(m));
  const signal = new AbortController().signal;
  assert.ok(await source.next(signal));
  assert.ok(await source.next(signal));
  assert.equal(await source.next(signal), undefined);
  assert.equal(made, 2);
  assert.equal(prompts.length, 3);
  assert.match(prompts[0], /press Enter/);
});

Deno.test("simulated boards: an unknown chip fails at once; an aborted station gets no board", async () => {
  assert.throws(() => simulatedBoards("stm32f999", { warn: () => {} }), /unknown simulated chip/);
  const source = simulatedBoards("stm32f103c8", { warn: () => {} });
  const controller = new AbortController();
  controller.abort();
  assert.equal(await source.next(controller.signal), undefined);
});

Deno.test("simulated boards: every board is a chip with its own unique ID", async () => {
  let n = 0;
  const source = simulatedBoards("stm32f103c8", {
    uniqueId: () => new Uint8Array(12).fill(++n),
    warn: () => {},
  });
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const connector = (await source.next(new AbortController().signal))!;
    const target = await connector.connect({ baud: 115200, retries: 1 });
    ids.push(target.identity.uniqueId!);
    await target.close();
    await connector.close();
  }
  assert.deepEqual(ids, ["01".repeat(12), "02".repeat(12)]);
});

Deno.test("pathExists: true for a file, false for a missing one", async () => {
  const file = await Deno.makeTempFile();
  try {
    assert.equal(await pathExists(file), true);
    assert.equal(await pathExists(file + ".missing"), false);
  } finally {
    await Deno.remove(file);
  }
});
