/**
 * The demo firmware built by scripts/build_firmware.ts with independent tools (arm-none-eabi-gcc/objcopy,
 * dfu-util's dfuse-pack and dfu-suffix) must read as the same memory in every format.
 *
 * How bytes are compared: the ELF's loadable segments (at their load addresses) are the reference. Formats that
 * carry addresses (.hex, .srec, DfuSe .dfu) must hold exactly those segments. The raw .bin and the plain .dfu
 * (the same .bin plus a suffix) hold one contiguous run from 0x08000000, because `objcopy --gap-fill 0xff`
 * filled the gap between the code and the table at 0x08004000: they must match the ELF over its segments and
 * hold 0xFF everywhere else.
 */

import assert from "node:assert/strict";
import { detectFormat, type ImageFormat, loadImageFile } from "../../lib/image/load.ts";
import { parseDfuFile } from "../../lib/image/dfuse_file.ts";
import type { MemoryImage } from "../../lib/image/memory_image.ts";

const FIXTURES = new URL("../fixtures/firmware/", import.meta.url).pathname;
const FLASH = 0x08000000;
const TABLE = 0x08004000;

async function load(name: string, baseAddress?: number): Promise<MemoryImage> {
  return await loadImageFile(`${FIXTURES}${name}`, { baseAddress });
}

function describe(image: MemoryImage): [string, number][] {
  return image.segments.map((segment) => [segment.address.toString(16), segment.data.length]);
}

Deno.test("the ELF has the code+data segment and the table segment", async () => {
  const elf = await load("blinky.elf");
  assert.equal(elf.segments.length, 2);
  assert.equal(elf.segments[0].address, FLASH);
  assert.equal(elf.segments[1].address, TABLE);
  // The table ends with the marker "NILB" then 0 (scripts/firmware/main.c).
  const table = elf.segments[1].data;
  assert.equal(new TextDecoder().decode(table.subarray(24, 28)), "NILB");
  // Vector table: initial SP = end of 20 KiB RAM, reset handler in flash with the Thumb bit set.
  const vectors = new DataView(elf.segments[0].data.buffer, elf.segments[0].data.byteOffset);
  assert.equal(vectors.getUint32(0, true), 0x20000000 + 20 * 1024);
  const reset = vectors.getUint32(4, true);
  assert.equal(reset & 1, 1);
  assert.equal(elf.entry, reset);
});

Deno.test("hex, srec and DfuSe files hold exactly the ELF's segments", async () => {
  const elf = await load("blinky.elf");
  for (const name of ["blinky.hex", "blinky.srec", "blinky.dfu", "../../../recipes/firmware/blinky.hex"]) {
    const image = await load(name);
    assert.deepEqual(describe(image), describe(elf), name);
    assert.deepEqual(image.segments, elf.segments, name);
  }
});

Deno.test("bin and plain DFU match the ELF over its segments and are 0xFF in between", async () => {
  const elf = await load("blinky.elf");
  for (const name of ["blinky.bin", "blinky_plain.dfu"]) {
    const image = await load(name, FLASH);
    assert.equal(image.segments.length, 1, name);
    assert.equal(image.start, FLASH);
    assert.equal(image.end, elf.end);
    for (const segment of elf.segments) {
      assert.deepEqual(image.slice(segment.address, segment.data.length), segment.data, name);
    }
    for (let address = image.start; address < image.end; address++) {
      if (!elf.covers(address)) assert.equal(image.slice(address, 1)[0], 0xff, `${name} at ${address.toString(16)}`);
    }
  }
});

Deno.test("formats are detected from content", async () => {
  const expected: [string, ImageFormat][] = [
    ["blinky.elf", "elf"],
    ["blinky.hex", "hex"],
    ["blinky.srec", "srec"],
    ["blinky.bin", "bin"],
    ["blinky.dfu", "dfu"],
    ["blinky_plain.dfu", "dfu"],
  ];
  for (const [name, format] of expected) {
    const bytes = await Deno.readFile(`${FIXTURES}${name}`);
    assert.equal(detectFormat(bytes, "no-extension"), format, name);
  }
});

Deno.test("DfuSe fixture: one target, alt 0, two elements, ST's USB IDs", async () => {
  const dfu = parseDfuFile(await Deno.readFile(`${FIXTURES}blinky.dfu`), "blinky.dfu");
  assert.equal(dfu.kind, "dfuse");
  assert.equal(dfu.targets.length, 1);
  assert.equal(dfu.targets[0].alternateSetting, 0);
  assert.equal(dfu.targets[0].image.segments.length, 2);
  assert.equal(dfu.suffix.vendorId, 0x0483);
  assert.equal(dfu.suffix.productId, 0xdf11);
  assert.equal(dfu.suffix.dfuVersion, 0x011a);
  const plain = parseDfuFile(await Deno.readFile(`${FIXTURES}blinky_plain.dfu`), "p.dfu", FLASH);
  assert.equal(plain.kind, "plain");
  assert.equal(plain.suffix.dfuVersion, 0x0100);
});
