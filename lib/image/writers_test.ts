import assert from "node:assert/strict";
import { writeImage } from "./writers.ts";
import { parseImage } from "./load.ts";
import { parseElf } from "./elf.ts";
import { MemoryImage } from "./memory_image.ts";
import { assertImageError } from "./test_util.ts";

const ELF = parseElf(
  await Deno.readFile(new URL("../../tests/fixtures/firmware/blinky.elf", import.meta.url)),
  "blinky.elf",
);
const SPARSE = new MemoryImage([
  { address: 0x00000010, data: new Uint8Array([1, 2, 3]) },
  { address: 0x0001fffe, data: new Uint8Array(70).map((_, i) => i) },
  { address: 0xfffffff0, data: new Uint8Array(16).fill(0xee) },
], { entry: 0x11 });

Deno.test("every writable format round-trips the demo firmware", () => {
  for (const format of ["hex", "srec", "dfu"] as const) {
    for (const bytesPerRecord of [16, 32] as const) {
      const back = parseImage(writeImage(ELF, format, { bytesPerRecord }), { name: `rt.${format}` });
      assert.deepEqual(back.segments, ELF.segments, format);
    }
  }
  const bin = parseImage(writeImage(ELF, "bin"), { name: "rt.bin", baseAddress: ELF.start });
  for (const segment of ELF.segments) assert.deepEqual(bin.slice(segment.address, segment.data.length), segment.data);
  assert.equal(bin.slice(ELF.segments[0].address + ELF.segments[0].data.length, 1)[0], 0xff);
});

Deno.test("hex and srec round-trip images spread over the whole address space, with entry", () => {
  for (const format of ["hex", "srec"] as const) {
    const back = parseImage(writeImage(SPARSE, format), { name: `rt.${format}` });
    assert.deepEqual(back.segments, SPARSE.segments, format);
    assert.equal(back.entry, 0x11, format);
  }
  assert.deepEqual(parseImage(writeImage(SPARSE, "dfu"), { name: "rt.dfu" }).segments, SPARSE.segments);
});

Deno.test("writeImage refuses ELF output and empty images", () => {
  assertImageError(() => writeImage(ELF, "elf"), "E_IMAGE_FORMAT", /ELF/);
  assertImageError(() => writeImage(MemoryImage.empty(), "hex"), "E_IMAGE_EMPTY");
});
