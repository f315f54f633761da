import assert from "node:assert/strict";
import { chipByPid } from "../chips/database.ts";
import { flashPages } from "../chips/layout.ts";
import { MemoryImage } from "../image/memory_image.ts";
import { FlashLedger } from "./ledger.ts";

const pages = flashPages(chipByPid(0x410)!, 8 * 1024); // 8 pages of 1 KiB
const image = new MemoryImage([{ address: 0x0800_0000, data: new Uint8Array(3 * 1024).fill(7) }]);

Deno.test("ledger: pages found unchanged are settled until an erase makes their proof stale", () => {
  const ledger = new FlashLedger(pages);
  ledger.noteUnchanged([0, 1, 2]);
  assert.deepEqual(ledger.verifyPieces([image]), []);
  ledger.assertSettled([image]);
  ledger.noteErased([5]);
  assert.equal(ledger.settled(0), false);
  assert.equal(ledger.state(0), "unchanged", "still neither erased nor written by the plan");
  assert.deepEqual(ledger.verifyPieces([image]).map((p) => [p.address, p.data.length]), [[0x0800_0000, 3072]]);
  assert.throws(() => ledger.assertSettled([image]), /left 3 page\(s\) unverified/);
});

Deno.test("ledger: a verify of every image byte in a page proves it; part of a page does not", () => {
  const ledger = new FlashLedger(pages);
  ledger.noteErased([0, 1, 2]);
  ledger.noteProgramming(0x0800_0000, 3072);
  const pieces = ledger.verifyPieces([image]);
  ledger.noteVerified([{ address: 0x0800_0000, data: pieces[0].data.subarray(0, 1024 + 512) }], [image]);
  assert.equal(ledger.settled(0), true);
  assert.equal(ledger.settled(1), false);
  ledger.noteVerified(ledger.verifyPieces([image]), [image]);
  ledger.assertSettled([image]);
});

Deno.test("ledger: forget() makes everything unknown and unproven", () => {
  const ledger = new FlashLedger(pages);
  ledger.noteUnchanged([0]);
  ledger.forget();
  assert.equal(ledger.state(0), "unknown");
  assert.equal(ledger.settled(0), false);
});
