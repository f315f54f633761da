import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describeImage, formatImageSummary, sha256Hex } from "./summary.ts";
import { parseImage } from "./load.ts";
import { MemoryImage } from "./memory_image.ts";
import { text } from "./test_util.ts";

const FIXTURES = new URL("../../tests/fixtures/firmware/", import.meta.url);

Deno.test("sha256Hex: FIPS 180-2 test vector and sub-arrays", async () => {
  assert.equal(await sha256Hex(text("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(await sha256Hex(text("xabcx").subarray(1, 4)), await sha256Hex(text("abc")));
});

Deno.test("describeImage lists segments with digests matching node:crypto", async () => {
  const bytes = await Deno.readFile(new URL("blinky.hex", FIXTURES));
  const image = parseImage(bytes, { name: "blinky.hex" });
  const summary = await describeImage(image, "hex");
  assert.equal(summary.format, "hex");
  assert.equal(summary.totalSize, image.size);
  assert.equal(summary.entry, image.entry);
  assert.deepEqual(
    summary.segments,
    image.segments.map((segment) => ({
      address: segment.address,
      length: segment.data.length,
      sha256: createHash("sha256").update(segment.data).digest("hex"),
    })),
  );
  // The raw binary's single segment hashes like the file itself.
  const bin = await Deno.readFile(new URL("blinky.bin", FIXTURES));
  const binSummary = await describeImage(parseImage(bin, { name: "b.bin", baseAddress: 0x08000000 }), "bin");
  assert.equal(binSummary.segments[0].sha256, createHash("sha256").update(bin).digest("hex"));
  assert.equal(JSON.parse(JSON.stringify(binSummary)).totalSize, bin.length);
});

Deno.test("formatImageSummary prints one row per segment", async () => {
  const image = new MemoryImage([
    { address: 0x08000000, data: text("abc") },
    { address: 0x08004000, data: new Uint8Array(1000) },
  ], { entry: 0x08000001 });
  const table = formatImageSummary(await describeImage(image, "srec"));
  const lines = table.split("\n");
  assert.equal(lines[0], "format srec, 2 segments, 1003 bytes, entry 0x08000001");
  assert.match(lines[1], /^address +end +length +sha256$/);
  assert.equal(
    lines[2],
    "0x08000000  0x08000003       3  ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.match(lines[3], /^0x08004000 {2}0x080043e8 {4}1000 {2}[0-9a-f]{64}$/);
  assert.equal(lines.length, 4);
  const one = formatImageSummary(await describeImage(new MemoryImage([{ address: 0, data: text("a") }]), "bin"));
  assert.match(one, /^format bin, 1 segment, 1 bytes\n/);
});
