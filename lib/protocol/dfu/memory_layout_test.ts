import assert from "node:assert/strict";
import {
  layoutAllows,
  layoutPages,
  layoutSize,
  MemoryLayoutError,
  parseMemoryLayout,
  segmentAt,
} from "./memory_layout.ts";

const KIB = 1024;

// Strings as real ST bootloaders report them (dfu-util -l / lsusb -v captures of STM32F405/F415 and STM32L4).
Deno.test("STM32F405 internal flash: 4 x 16 KiB, 1 x 64 KiB, 7 x 128 KiB, all r/e/w", () => {
  const layout = parseMemoryLayout("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg");
  assert.equal(layout.name, "Internal Flash");
  assert.deepEqual(layout.segments, [
    { start: 0x0800_0000, pageSize: 16 * KIB, count: 4, readable: true, erasable: true, writable: true },
    { start: 0x0801_0000, pageSize: 64 * KIB, count: 1, readable: true, erasable: true, writable: true },
    { start: 0x0802_0000, pageSize: 128 * KIB, count: 7, readable: true, erasable: true, writable: true },
  ]);
  assert.equal(layoutSize(layout), 1024 * KIB);
  assert.equal(layoutPages(layout).length, 12);
  assert.deepEqual(layoutPages(layout)[5], { index: 5, start: 0x0802_0000, size: 128 * KIB });
});

Deno.test("option bytes, OTP and device feature: byte sizes with a space, type e = readable + writable", () => {
  const options = parseMemoryLayout("@Option Bytes  /0x1FFFC000/01*016 e");
  assert.equal(options.name, "Option Bytes");
  assert.deepEqual(options.segments, [
    { start: 0x1fff_c000, pageSize: 16, count: 1, readable: true, erasable: false, writable: true },
  ]);
  const otp = parseMemoryLayout("@OTP Memory /0x1FFF7800/01*512 e,01*016 e");
  assert.deepEqual(otp.segments.map((s) => [s.start, s.pageSize]), [[0x1fff_7800, 512], [0x1fff_7a00, 16]]);
  const feature = parseMemoryLayout("@Device Feature/0xFFFF0000/01*004 e");
  assert.equal(feature.name, "Device Feature");
  assert.equal(feature.segments[0].pageSize, 4);
  assert.equal(feature.segments[0].start, 0xffff_0000);
});

Deno.test("STM32L4 strings: 2 KiB pages and a unit directly followed by the type", () => {
  const flash = parseMemoryLayout("@Internal Flash  /0x08000000/0128*0002Kg");
  assert.deepEqual(flash.segments, [
    { start: 0x0800_0000, pageSize: 2 * KIB, count: 128, readable: true, erasable: true, writable: true },
  ]);
  const otp = parseMemoryLayout("@OTP Memory /0x1FFF7000/01*0001Ke");
  assert.deepEqual(otp.segments[0], {
    start: 0x1fff_7000,
    pageSize: 1024,
    count: 1,
    readable: true,
    erasable: false,
    writable: true,
  });
  assert.equal(parseMemoryLayout("@Option Bytes  /0x1FFF7800/01*040 e").segments[0].pageSize, 40);
});

Deno.test("every type letter a..g maps to its r/e/w bits", () => {
  const bits = "abcdefg".split("").map((letter) => {
    const s = parseMemoryLayout(`@X/0x0/1*1K${letter}`).segments[0];
    return `${s.readable ? "r" : "-"}${s.erasable ? "e" : "-"}${s.writable ? "w" : "-"}`;
  });
  assert.deepEqual(bits, ["r--", "-e-", "re-", "--w", "r-w", "-ew", "rew"]);
});

Deno.test("several address blocks, M units and read-only sectors", () => {
  const dual = parseMemoryLayout("@Option Bytes  /0x1FFFC000/01*016 e/0x1FFEC000/01*016 e");
  assert.deepEqual(dual.segments.map((s) => s.start), [0x1fff_c000, 0x1ffe_c000]);
  const mixed = parseMemoryLayout("@Internal Flash  /0x08000000/03*016Ka,01*016Kg,01*001Mg");
  assert.equal(mixed.segments[0].writable, false);
  assert.equal(mixed.segments[2].start, 0x0801_0000);
  assert.equal(mixed.segments[2].pageSize, 1024 * KIB);
  assert.equal(layoutAllows(mixed, 0x0800_0000, 16, "writable"), false);
  assert.equal(layoutAllows(mixed, 0x0800_c000, 0x14000, "writable"), true);
  assert.equal(layoutAllows(mixed, 0x0800_c000, 0x200000, "writable"), false);
  assert.equal(segmentAt(mixed, 0x0700_0000), undefined);
});

Deno.test("malformed strings are rejected with E_DFU_LAYOUT", () => {
  for (const text of ["Internal Flash/0x08000000/04*016Kg", "@Flash/08000000/04*016Kg", "@Flash/0x0800/4x16Kg", "@A"]) {
    assert.throws(() => parseMemoryLayout(text), (error: unknown) => {
      assert.ok(error instanceof MemoryLayoutError, text);
      assert.equal(error.code, "E_DFU_LAYOUT");
      return true;
    });
  }
});
