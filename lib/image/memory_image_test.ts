import assert from "node:assert/strict";
import { MemoryImage, MemoryImageBuilder } from "./memory_image.ts";
import { assertImageError } from "./test_util.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

Deno.test("MemoryImage sorts segments and merges adjacent ones", () => {
  const image = new MemoryImage([
    { address: 0x20, data: bytes(5, 6) },
    { address: 0x10, data: bytes(1, 2) },
    { address: 0x12, data: bytes(3, 4) },
  ]);
  assert.equal(image.segments.length, 2);
  assert.deepEqual(image.segments[0], { address: 0x10, data: bytes(1, 2, 3, 4) });
  assert.deepEqual(image.segments[1], { address: 0x20, data: bytes(5, 6) });
  assert.equal(image.size, 6);
  assert.equal(image.start, 0x10);
  assert.equal(image.end, 0x22);
  assert.equal(image.isEmpty, false);
});

Deno.test("MemoryImage accepts identical overlap and rejects conflicting overlap", () => {
  const image = new MemoryImage([
    { address: 0, data: bytes(1, 2, 3) },
    { address: 1, data: bytes(2, 3, 4) },
  ]);
  assert.deepEqual(image.segments, [{ address: 0, data: bytes(1, 2, 3, 4) }]);
  assertImageError(
    () => new MemoryImage([{ address: 0, data: bytes(1, 2, 3) }, { address: 1, data: bytes(2, 9) }], { name: "x" }),
    "E_IMAGE_OVERLAP",
    /^x: 0x00000002 is given twice with different data/,
  );
});

Deno.test("MemoryImage copies its input", () => {
  const data = bytes(1, 2);
  const image = new MemoryImage([{ address: 0, data }]);
  data[0] = 9;
  assert.equal(image.segments[0].data[0], 1);
});

Deno.test("empty image has size 0 and start/end 0", () => {
  const image = MemoryImage.empty();
  assert.equal(image.isEmpty, true);
  assert.equal(image.size, 0);
  assert.equal(image.start, 0);
  assert.equal(image.end, 0);
  assert.deepEqual(image.chunks(4, 256), []);
});

Deno.test("segments past 0xFFFFFFFF are rejected", () => {
  assertImageError(() => new MemoryImage([{ address: 0xfffffffe, data: bytes(1, 2, 3) }]), "E_IMAGE_WRAP", /past/);
  const top = new MemoryImage([{ address: 0xfffffffe, data: bytes(1, 2) }]);
  assert.equal(top.end, 0x1_0000_0000);
});

Deno.test("merge names both sources and the lowest conflicting address", () => {
  const a = new MemoryImage([{ address: 0x100, data: bytes(1, 2, 3, 4) }]);
  const b = new MemoryImage([{ address: 0x102, data: bytes(3, 5) }, { address: 0x0, data: bytes(7) }]);
  const error = assertImageError(
    () => a.merge(b, { mine: "boot.hex", theirs: "app.hex" }),
    "E_IMAGE_OVERLAP",
    /boot\.hex and app\.hex differ at 0x00000103 \(0x04 vs 0x05\)/,
  );
  assert.equal(error.exitCode, 2);
  const c = new MemoryImage([{ address: 0x104, data: bytes(5) }, { address: 0x101, data: bytes(2) }]);
  assert.deepEqual(a.merge(c).segments, [{ address: 0x100, data: bytes(1, 2, 3, 4, 5) }]);
});

Deno.test("builder reports the lowest conflict even when a later record starts lower", () => {
  const builder = new MemoryImageBuilder("f.hex");
  builder.add(0, new Uint8Array(16), 1);
  builder.add(2, bytes(...new Array(13).fill(0), 7), 2); // conflicts at 0x0f
  builder.add(4, bytes(8), 3); // conflicts at 0x04, found later
  assertImageError(() => builder.build(), "E_IMAGE_OVERLAP", /^f\.hex:3: 0x00000004 .*line 2 wrote it first/);
});

Deno.test("slice fills gaps with 0xFF or a given value", () => {
  const image = new MemoryImage([{ address: 4, data: bytes(1, 2) }, { address: 8, data: bytes(3) }]);
  assert.deepEqual(image.slice(2, 8), bytes(0xff, 0xff, 1, 2, 0xff, 0xff, 3, 0xff));
  assert.deepEqual(image.slice(5, 2, 0), bytes(2, 0));
  assert.deepEqual(image.slice(20, 2), bytes(0xff, 0xff));
  assert.deepEqual(image.slice(0, 0), bytes());
});

Deno.test("covers and overlaps", () => {
  const image = new MemoryImage([{ address: 4, data: bytes(1, 2) }, { address: 8, data: bytes(3) }]);
  assert.deepEqual([3, 4, 5, 6, 7, 8, 9].map((a) => image.covers(a)), [false, true, true, false, false, true, false]);
  assert.equal(image.overlaps(0, 4), false);
  assert.equal(image.overlaps(0, 5), true);
  assert.equal(image.overlaps(6, 2), false);
  assert.equal(image.overlaps(9, 100), false);
  assert.equal(image.overlaps(5, 0), false);
});

Deno.test("chunks are aligned, bounded, padded and never overlap", () => {
  const image = new MemoryImage([
    { address: 0x101, data: new Uint8Array(0x200).fill(0x11) },
    { address: 0x303, data: bytes(0x22) }, // pads into the same 4-byte unit as the first segment's tail
    { address: 0x1000, data: bytes(0x33, 0x44) },
  ]);
  const chunks = image.chunks(4, 256);
  assert.deepEqual(chunks.map((c) => [c.address, c.data.length]), [
    [0x100, 0x100],
    [0x200, 0x100],
    [0x300, 4],
    [0x1000, 4],
  ]);
  assert.equal(chunks[0].data[0], 0xff);
  assert.equal(chunks[0].data[1], 0x11);
  assert.deepEqual(chunks[2].data, bytes(0x11, 0xff, 0xff, 0x22));
  assert.deepEqual(chunks[3].data, bytes(0x33, 0x44, 0xff, 0xff));
  assert.throws(() => image.chunks(4, 250), RangeError);
});

Deno.test("builder collects unordered records and names the line of a conflict", () => {
  const builder = new MemoryImageBuilder("a.hex");
  builder.add(0x10, bytes(3, 4), 3);
  builder.add(0x0e, bytes(1, 2), 2);
  builder.add(0x20, bytes(), 4);
  const image = builder.build({ entry: 0x10 });
  assert.deepEqual(image.segments, [{ address: 0x0e, data: bytes(1, 2, 3, 4) }]);
  assert.equal(image.entry, 0x10);
  assert.equal(image.name, "a.hex");

  const bad = new MemoryImageBuilder("b.hex");
  bad.add(0x10, bytes(1, 2), 5);
  bad.add(0x11, bytes(7), 9);
  assertImageError(() => bad.build(), "E_IMAGE_OVERLAP", /^b\.hex:9: 0x00000011 is written twice .*line 5/);
});

Deno.test("builder rejects empty images and wrapping records", () => {
  assertImageError(() => new MemoryImageBuilder("e.hex").build(), "E_IMAGE_EMPTY", /^e\.hex: the file holds no data/);
  assertImageError(
    () => new MemoryImageBuilder("w.hex").add(0xffffffff, bytes(1, 2), 7),
    "E_IMAGE_WRAP",
    /^w\.hex:7: 2 bytes at 0xffffffff run past 0xffffffff/,
  );
});

Deno.test("building from 65536 records is one pass", () => {
  const builder = new MemoryImageBuilder("big.hex");
  for (let i = 65535; i >= 0; i--) builder.add(0x08000000 + i * 16, new Uint8Array(16).fill(i & 0xff), i + 1);
  const image = builder.build();
  assert.equal(image.segments.length, 1);
  assert.equal(image.size, 1 << 20);
  assert.equal(image.slice(0x08000000 + 16 * 300, 1)[0], 300 & 0xff);
});

Deno.test("builder: contiguous records share one run, and an overlap still names both lines", () => {
  const builder = new MemoryImageBuilder("a.hex");
  for (let line = 1; line <= 100; line++) {
    builder.add(0x0800_0000 + (line - 1) * 16, new Uint8Array(16).fill(line), line);
  }
  builder.add(0x0800_0000 + 40 * 16 + 3, new Uint8Array([0xee]), 200);
  const error = assertImageError(() => builder.build(), "E_IMAGE_OVERLAP", /line 41 wrote it first/);
  assert.equal(error.location?.line, 200);
  const fine = new MemoryImageBuilder("b.hex");
  const scratch = new Uint8Array(16);
  for (let line = 1; line <= 100; line++) {
    scratch.fill(line); // the caller reuses its buffer: the builder copied each record
    fine.add(0x0800_0000 + (line - 1) * 16, scratch, line);
  }
  const image = fine.build();
  assert.equal(image.segments.length, 1);
  assert.equal(image.segments[0].data[16 * 40], 41);
  assert.equal(fine.bytesAdded, 1600);
});

Deno.test("segmentsIn finds the segments touching a range", () => {
  const image = new MemoryImage([
    { address: 0x100, data: new Uint8Array(0x10) },
    { address: 0x200, data: new Uint8Array(0x10) },
    { address: 0x300, data: new Uint8Array(0x10) },
  ]);
  assert.deepEqual(image.segmentsIn(0x0, 0x100).map((s) => s.address), []);
  assert.deepEqual(image.segmentsIn(0x10f, 0x1f1).map((s) => s.address), [0x100, 0x200]);
  assert.deepEqual(image.segmentsIn(0x110, 0xf0).map((s) => s.address), []);
  assert.deepEqual(image.segmentsIn(0x0, 0x1000).map((s) => s.address), [0x100, 0x200, 0x300]);
});

Deno.test("builder: overlap lines are found in runs of unequal records and skipped lines", () => {
  const sizes = [16, 16, 8, 16, 4, 4, 32];
  const lines = [1, 2, 4, 5, 6, 9, 10];
  for (let target = 0; target < sizes.length; target++) {
    const builder = new MemoryImageBuilder("a.hex");
    let address = 0x100;
    const starts: number[] = [];
    sizes.forEach((size, i) => {
      starts.push(address);
      builder.add(address, new Uint8Array(size).fill(i + 1), lines[i]);
      address += size;
    });
    builder.add(starts[target] + sizes[target] - 1, new Uint8Array([0xee]), 99);
    assertImageError(() => builder.build(), "E_IMAGE_OVERLAP", new RegExp(`line ${lines[target]} wrote it first`));
  }
});
