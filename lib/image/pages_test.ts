import assert from "node:assert/strict";
import { assertFitsPages, pageData, pagesTouched, rangesOutside } from "./pages.ts";
import { assertImageError } from "./test_util.ts";
import { MemoryImage } from "./memory_image.ts";
import { flashPages } from "../chips/layout.ts";
import { chipByPid } from "../chips/database.ts";

const f103 = chipByPid(0x410);
if (f103 === undefined) throw new Error("database lacks 0x410");
const pages = flashPages(f103, 64 * 1024); // 64 pages of 1 KiB from 0x08000000 (RM0008 §3.3.3)

Deno.test("pagesTouched lists the pages holding image bytes", () => {
  const image = new MemoryImage([
    { address: 0x08000000, data: new Uint8Array(0x401) },
    { address: 0x08004000, data: new Uint8Array(8) },
  ]);
  assert.deepEqual(pagesTouched(image, pages).map((p) => p.index), [0, 1, 16]);
});

Deno.test("pageData pads a page with erased bytes", () => {
  const image = new MemoryImage([{ address: 0x08000402, data: new Uint8Array([1, 2]) }]);
  const data = pageData(image, pages[1]);
  assert.equal(data.length, pages[1].size);
  assert.deepEqual([...data.subarray(0, 5)], [0xff, 0xff, 1, 2, 0xff]);
});

Deno.test("rangesOutside finds bytes beyond flash", () => {
  const image = new MemoryImage([
    { address: 0x07fffffe, data: new Uint8Array(4) },
    { address: 0x0800fffe, data: new Uint8Array(4) },
    { address: 0x20000000, data: new Uint8Array(2) },
  ]);
  assert.deepEqual(rangesOutside(image, pages), [
    { address: 0x07fffffe, length: 2 },
    { address: 0x08010000, length: 2 },
    { address: 0x20000000, length: 2 },
  ]);
  assert.deepEqual(rangesOutside(new MemoryImage([{ address: 0x08000000, data: new Uint8Array(10) }]), pages), []);
});

Deno.test("assertFitsPages names what lies outside flash", () => {
  const inside = new MemoryImage([{ address: 0x08000000, data: new Uint8Array(0x10000) }], { name: "ok.hex" });
  assertFitsPages(inside, pages, "the flash of stm32f103c8");
  const big = new MemoryImage([{ address: 0x08000000, data: new Uint8Array(0x10004) }], { name: "big.hex" });
  assertImageError(
    () => assertFitsPages(big, pages, "the 64 KiB flash of stm32f103c8"),
    "E_IMAGE_RANGE",
    /^big\.hex: 4 bytes of the image lie outside the 64 KiB flash of stm32f103c8 \(0x08000000-0x08010000\), the first 4 at 0x08010000/,
  );
});
