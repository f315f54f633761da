import assert from "node:assert/strict";
import { FlashMemory, FlashProgramError } from "./flash_memory.ts";
import type { FlashPage } from "../chips/layout.ts";

function pages(count: number, size: number, start = 0x0800_0000): FlashPage[] {
  return Array.from({ length: count }, (_, index) => ({ index, start: start + index * size, size, bank: "bank 1" }));
}

Deno.test("erased flash reads 0xFF", () => {
  const flash = new FlashMemory({ pages: pages(4, 1024), programUnit: 2 });
  assert.deepEqual(flash.read(0x0800_0000, 4), new Uint8Array([0xff, 0xff, 0xff, 0xff]));
  assert.equal(flash.size, 4096);
});

Deno.test("programming a non-erased half-word fails instead of ANDing bits", () => {
  const flash = new FlashMemory({ pages: pages(4, 1024), programUnit: 2 });
  flash.program(0x0800_0000, new Uint8Array([0x12, 0x34]));
  assert.throws(() => flash.program(0x0800_0000, new Uint8Array([0x02, 0x04])), FlashProgramError);
  assert.deepEqual(flash.read(0x0800_0000, 2), new Uint8Array([0x12, 0x34]));
});

Deno.test("flash that clears bits over data (F2/F4) programs a non-erased word to the AND of old and new", () => {
  const flash = new FlashMemory({ pages: pages(4, 16384), programUnit: 4, programOverDataClearsBits: true });
  flash.program(0x0800_0000, new Uint8Array([0xf0, 0x0f, 0x33, 0xff]));
  flash.program(0x0800_0000, new Uint8Array([0x3c, 0xff, 0x0f, 0xfe]));
  assert.deepEqual(flash.read(0x0800_0000, 4), new Uint8Array([0x30, 0x0f, 0x03, 0xfe]));
});

Deno.test("a partial program unit is padded with 0xFF", () => {
  const flash = new FlashMemory({ pages: pages(4, 1024), programUnit: 8 });
  flash.program(0x0800_0002, new Uint8Array([1, 2, 3]));
  assert.deepEqual(flash.read(0x0800_0000, 8), new Uint8Array([0xff, 0xff, 1, 2, 3, 0xff, 0xff, 0xff]));
});

Deno.test("ECC parts refuse a second program of a unit even with 0xFF data", () => {
  const flash = new FlashMemory({ pages: pages(2, 2048), programUnit: 8, singleProgramPerErase: true });
  flash.program(0x0800_0000, new Uint8Array(8).fill(0xff));
  assert.throws(() => flash.program(0x0800_0000, new Uint8Array(8).fill(0)), FlashProgramError);
  flash.erasePage(0);
  flash.program(0x0800_0000, new Uint8Array(8).fill(0));
});

Deno.test("page erase clears only that page; mass erase clears all", () => {
  const flash = new FlashMemory({ pages: pages(2, 1024), programUnit: 2 });
  flash.program(0x0800_0000, new Uint8Array([0, 0]));
  flash.program(0x0800_0400, new Uint8Array([0, 0]));
  flash.erasePage(1);
  assert.deepEqual(flash.read(0x0800_0400, 2), new Uint8Array([0xff, 0xff]));
  assert.deepEqual(flash.read(0x0800_0000, 2), new Uint8Array([0, 0]));
  flash.eraseAll();
  assert.deepEqual(flash.read(0x0800_0000, 2), new Uint8Array([0xff, 0xff]));
});

Deno.test("access outside flash is a RangeError", () => {
  const flash = new FlashMemory({ pages: pages(1, 1024), programUnit: 2 });
  assert.throws(() => flash.read(0x0800_0400, 1), RangeError);
  assert.equal(flash.contains(0x0800_03ff), true);
});
