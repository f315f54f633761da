import assert from "node:assert/strict";
import { parseIntelHex, writeIntelHex } from "./intel_hex.ts";
import { MemoryImage } from "./memory_image.ts";
import { ascii, assertImageError, text } from "./test_util.ts";

// Checksums below were computed independently (Python: (-sum(bytes)) & 0xff).
const EOF = ":00000001FF";

Deno.test("Intel HEX: extended linear address and data records", () => {
  const image = parseIntelHex(
    text(":020000040800F2\r\n:0400000001020304F2\r\n:03001000050607DB\r\n:0400000508000101ED\r\n:00000001FF\r\n"),
    "a.hex",
  );
  assert.deepEqual(image.segments, [
    { address: 0x08000000, data: new Uint8Array([1, 2, 3, 4]) },
    { address: 0x08000010, data: new Uint8Array([5, 6, 7]) },
  ]);
  assert.equal(image.entry, 0x08000101);
});

Deno.test("Intel HEX: extended segment address multiplies by 16, start segment gives CS:IP", () => {
  const image = parseIntelHex(
    text([":020000021000EC", ":0400000001020304F2", ":04000003123400FFB4", EOF].join("\n")),
    "s.hex",
  );
  assert.deepEqual(image.segments, [{ address: 0x10000, data: new Uint8Array([1, 2, 3, 4]) }]);
  assert.equal(image.entry, 0x1234 * 16 + 0x00ff);
});

Deno.test("Intel HEX: blank lines, lower case and a missing final newline are fine", () => {
  const image = parseIntelHex(text("\n:0400000001020304f2\n\n  :00000001ff"), "l.hex");
  assert.equal(image.size, 4);
});

Deno.test("Intel HEX: wrong checksum names the line", () => {
  assertImageError(
    () => parseIntelHex(text([":020000040800F2", ":0400000001020304F3", EOF].join("\n")), "bad.hex"),
    "E_IMAGE_CHECKSUM",
    /^bad\.hex:2: checksum is 0xF3, the record's bytes give 0xF2/,
  );
});

Deno.test("Intel HEX: unknown record type", () => {
  assertImageError(
    () => parseIntelHex(text([":00000006FA", EOF].join("\n")), "t.hex"),
    "E_IMAGE_RECORD",
    /^t\.hex:1: unknown record type 0x06/,
  );
});

Deno.test("Intel HEX: truncated file", () => {
  assertImageError(
    () => parseIntelHex(text(":020000040800F2\n:04000000010203"), "cut.hex"),
    "E_IMAGE_TRUNCATED",
    /^cut\.hex:2: file ends inside a record/,
  );
  assertImageError(
    () => parseIntelHex(text(":020000040800F2\n:0400000001020304F2\n"), "noeof.hex"),
    "E_IMAGE_TRUNCATED",
    /no end-of-file record/,
  );
});

Deno.test("Intel HEX: malformed records", () => {
  assertImageError(() => parseIntelHex(text("0400000001020304F2\n" + EOF), "m.hex"), "E_IMAGE_RECORD", /:1:1: .*':'/);
  assertImageError(() => parseIntelHex(text(":04000000010G0304F2\n" + EOF), "m.hex"), "E_IMAGE_RECORD", /:1:13: "G"/);
  assertImageError(
    () => parseIntelHex(text(":04000000010203\n" + EOF), "m.hex"),
    "E_IMAGE_RECORD",
    /^m\.hex:1: record has 14 hex digits/,
  );
  assertImageError(
    () => parseIntelHex(text(":020000040800F2FF\n" + EOF), "m.hex"),
    "E_IMAGE_RECORD",
    /^m\.hex:1: record has 16 hex digits, its byte count 0x02 says 14/,
  );
  assertImageError(() => parseIntelHex(text(EOF + "\n" + EOF), "m.hex"), "E_IMAGE_RECORD", /:2: record after/);
  assertImageError(
    () => parseIntelHex(text(":03000004080000F1\n" + EOF), "m.hex"),
    "E_IMAGE_RECORD",
    /type 0x04 must hold 2 bytes, not 3/,
  );
});

Deno.test("Intel HEX: addresses that wrap or cross 64 KiB are refused", () => {
  assertImageError(
    () => parseIntelHex(text([":02000004FFFFFC", ":02FFFF00AABB9B", EOF].join("\n")), "w.hex"),
    "E_IMAGE_WRAP",
    /^w\.hex:2: .*crosses a 64 KiB boundary/,
  );
  const top = parseIntelHex(text([":02000004FFFFFC", ":02FFFE00AABB9C", EOF].join("\n")), "top.hex");
  assert.equal(top.end, 0x1_0000_0000);
});

Deno.test("Intel HEX: empty image and self-overlap", () => {
  assertImageError(() => parseIntelHex(text(EOF), "e.hex"), "E_IMAGE_EMPTY", /^e\.hex: the file holds no data/);
  assertImageError(() => parseIntelHex(text(""), "z.hex"), "E_IMAGE_TRUNCATED");
  assertImageError(
    () =>
      parseIntelHex(text([":0400000001020304F2", ":03001000050607DB", ":0400000001020305F1", EOF].join("\n")), "o.hex"),
    "E_IMAGE_OVERLAP",
    /^o\.hex:3: 0x00000003 is written twice with different data \(line 1 wrote it first\)/,
  );
  // Identical overlap is accepted.
  assert.equal(parseIntelHex(text([":0400000001020304F2", ":0400000001020304F2", EOF].join("\n")), "d.hex").size, 4);
});

Deno.test("Intel HEX writer: type 04, 00 and 01 records, round trip", () => {
  const data = new Uint8Array(80).map((_, i) => i * 7);
  const image = new MemoryImage([
    { address: 0x0800fff0, data },
    { address: 0x08020000, data: new Uint8Array([0xaa]) },
  ]);
  const written = writeIntelHex(image);
  const lines = ascii(written).trimEnd().split("\n");
  assert.equal(lines[0], ":020000040800F2");
  assert.equal(lines[lines.length - 1], EOF);
  assert.ok(lines.includes(":020000040801F1"));
  assert.ok(lines.includes(":020000040802F0"));
  assert.ok(lines.every((line) => line.length <= 11 + 32));
  assert.deepEqual(parseIntelHex(written, "rt.hex").segments, image.segments);

  const wide = writeIntelHex(image, { bytesPerRecord: 32 });
  assert.ok(ascii(wide).split("\n").some((line) => line.startsWith(":20")));
  assert.deepEqual(parseIntelHex(wide, "rt.hex").segments, image.segments);
});

Deno.test("Intel HEX writer: entry point becomes a type 05 record", () => {
  const image = new MemoryImage([{ address: 0x08000000, data: new Uint8Array([1]) }], { entry: 0x08000101 });
  const written = writeIntelHex(image);
  assert.ok(ascii(written).includes(":0400000508000101ED"));
  assert.equal(parseIntelHex(written, "e.hex").entry, 0x08000101);
});
