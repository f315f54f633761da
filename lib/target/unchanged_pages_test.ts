import assert from "node:assert/strict";
import { flashPages } from "../chips/layout.ts";
import { MemoryImage } from "../image/memory_image.ts";
import { simulatedPart } from "../sim/parts.ts";
import type { Target } from "./target.ts";
import { findUnchangedPages, GIVE_UP_AFTER, piecesOutside, wantedPages } from "./unchanged_pages.ts";

const part = simulatedPart("stm32f103c8");
const pages = flashPages(part.chip, part.part.flashSize); // 1 KiB pages from 0x08000000

Deno.test("wantedPages: image bytes over 0xFF, images combined, pages where images disagree left out", () => {
  const a = new MemoryImage([{ address: 0x0800_0002, data: new Uint8Array([1, 2]) }]);
  const b = new MemoryImage([{ address: 0x0800_0004, data: new Uint8Array([3]) }, {
    address: 0x0800_0400,
    data: new Uint8Array([9]),
  }]);
  const c = new MemoryImage([{ address: 0x0800_0400, data: new Uint8Array([8]) }]);
  const wanted = wantedPages([a, b, c], pages);
  assert.deepEqual(wanted.map((w) => w.page.index), [0]);
  assert.deepEqual(wanted[0].data.subarray(0, 6), new Uint8Array([0xff, 0xff, 1, 2, 3, 0xff]));
  assert.equal(wanted[0].data.length, 1024);
});

Deno.test("piecesOutside cuts the skipped pages out of the segments", () => {
  const image = new MemoryImage([{ address: 0x0800_0200, data: new Uint8Array(2048).map((_, i) => i & 0xff) }]);
  const pieces = piecesOutside(image, pages, new Set([1]));
  assert.deepEqual(pieces.map((p) => [p.address, p.data.length]), [[0x0800_0200, 512], [0x0800_0800, 512]]);
  assert.equal(pieces[1].data[0], (0x600) & 0xff);
});

/** A target over a plain array that counts the bytes it reads. */
function fakeTarget(flash: Uint8Array): Target & { bytesRead: number } {
  const target = {
    bytesRead: 0,
    identity: { transport: "usart" as const, chip: part.chip, flashSize: flash.length },
    readMemory(address: number, length: number) {
      target.bytesRead += length;
      return Promise.resolve(flash.slice(address - 0x0800_0000, address - 0x0800_0000 + length));
    },
    writeMemory: () => Promise.reject(new Error("no writes here")),
    erase: () => Promise.reject(new Error("no erases here")),
    go: () => Promise.reject(new Error("no go")),
    close: () => Promise.resolve(),
  };
  return target;
}

Deno.test("findUnchangedPages: a blank chip costs a probe of the first pages only", async () => {
  const image = new MemoryImage([{ address: 0x0800_0000, data: new Uint8Array(8192).fill(0x33) }]);
  const target = fakeTarget(new Uint8Array(part.part.flashSize).fill(0xff));
  const { unchanged } = await findUnchangedPages(target, wantedPages([image], pages));
  assert.equal(unchanged.size, 0);
  assert.equal(target.bytesRead, GIVE_UP_AFTER * 16);
});

Deno.test("findUnchangedPages: every page read in full when the flash holds the image; a late difference found", async () => {
  // (Only the first page is probed with a short read; the reads add up to the image all the same.)
  const data = new Uint8Array(4096).map((_, i) => (i * 5) & 0xff);
  const flash = new Uint8Array(part.part.flashSize).fill(0xff);
  flash.set(data);
  flash[2 * 1024 + 1023] ^= 1; // last byte of page 2
  const target = fakeTarget(flash);
  const image = new MemoryImage([{ address: 0x0800_0000, data }]);
  const { unchanged, method } = await findUnchangedPages(target, wantedPages([image], pages));
  assert.deepEqual([...unchanged], [0, 1, 3]);
  assert.equal(method, "read-back");
  assert.equal(target.bytesRead, 4096);
});
