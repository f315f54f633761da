import assert from "node:assert/strict";
import { flashPages } from "../chips/layout.ts";
import { MemoryImage } from "../image/memory_image.ts";
import { simulatedPart } from "../sim/parts.ts";
import { stm32Crc } from "../protocol/usart/stm32_crc.ts";
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

/** A target over a plain array that counts the reads and the bytes it reads. */
function fakeTarget(flash: Uint8Array): Target & { bytesRead: number; reads: number } {
  const target = {
    bytesRead: 0,
    reads: 0,
    identity: { transport: "usart" as const, chip: part.chip, flashSize: flash.length },
    readMemory(address: number, length: number) {
      target.reads++;
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

Deno.test("findUnchangedPages: a blank chip costs one probe of the first page", async () => {
  const image = new MemoryImage([{ address: 0x0800_0000, data: new Uint8Array(8192).fill(0x33) }]);
  const target = fakeTarget(new Uint8Array(part.part.flashSize).fill(0xff));
  const { unchanged } = await findUnchangedPages(target, wantedPages([image], pages));
  assert.equal(unchanged.size, 0);
  assert.equal(target.reads, 1);
  assert.equal(target.bytesRead, 16);
});

Deno.test("findUnchangedPages: a first page holding other code, not erased, still costs two probes", async () => {
  const image = new MemoryImage([{ address: 0x0800_0000, data: new Uint8Array(8192).fill(0x33) }]);
  const target = fakeTarget(new Uint8Array(part.part.flashSize).fill(0x44));
  const { unchanged } = await findUnchangedPages(target, wantedPages([image], pages));
  assert.equal(unchanged.size, 0);
  assert.equal(target.reads, GIVE_UP_AFTER);
  assert.equal(target.bytesRead, GIVE_UP_AFTER * 16);
});

Deno.test("findUnchangedPages: an erased first page counts as blank only where the image has data there", async () => {
  // The image starts 16 bytes into page 0: the probe of 0xFF matches the padding, the page is read on and
  // differs further in, so it is an ordinary differing page and page 1 is probed too.
  const image = new MemoryImage([{ address: 0x0800_0010, data: new Uint8Array(4096).fill(0x33) }]);
  const target = fakeTarget(new Uint8Array(part.part.flashSize).fill(0xff));
  await findUnchangedPages(target, wantedPages([image], pages));
  assert.equal(target.reads, 3); // page 0: probe + one piece; page 1: probe
});

Deno.test("findUnchangedPages: a re-flash whose first page changed still finds the unchanged pages after it", async () => {
  const data = new Uint8Array(4096).map((_, i) => (i * 3 + 1) & 0xff);
  const flash = new Uint8Array(part.part.flashSize).fill(0xff);
  flash.set(data);
  flash[0] ^= 0x80; // the vector table changed
  const target = fakeTarget(flash);
  const image = new MemoryImage([{ address: 0x0800_0000, data }]);
  const { unchanged } = await findUnchangedPages(target, wantedPages([image], pages));
  assert.deepEqual([...unchanged], [1, 2, 3]);
});

Deno.test("findUnchangedPages: a re-flash after an erased first page is still found past it", async () => {
  // Only the first page is tested for blankness: an erased page further on is just a differing page.
  const data = new Uint8Array(4096).map((_, i) => (i * 3 + 1) & 0xff);
  const flash = new Uint8Array(part.part.flashSize).fill(0xff);
  flash.set(data);
  flash.fill(0xff, 1024, 2048); // page 1 erased
  const target = fakeTarget(flash);
  const image = new MemoryImage([{ address: 0x0800_0000, data }]);
  const { unchanged } = await findUnchangedPages(target, wantedPages([image], pages));
  assert.deepEqual([...unchanged], [0, 2, 3]);
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

Deno.test("findUnchangedPages: with Get Checksum, the CRC of an erased first page ends the comparison", async () => {
  const image = new MemoryImage([{ address: 0x0800_0000, data: new Uint8Array(8192).fill(0x33) }]);
  const flash = new Uint8Array(part.part.flashSize).fill(0xff);
  const sums: number[] = [];
  const target = {
    ...fakeTarget(flash),
    checksum(address: number, length: number) {
      sums.push(address);
      return Promise.resolve(stm32Crc(flash.slice(address - 0x0800_0000, address - 0x0800_0000 + length)));
    },
  };
  const { unchanged, method } = await findUnchangedPages(target, wantedPages([image], pages));
  assert.equal(unchanged.size, 0);
  assert.equal(method, "CRC");
  assert.deepEqual(sums, [0x0800_0000]);
});
