import assert from "node:assert/strict";
import { parseSrec, writeSrec } from "./srec.ts";
import { MemoryImage } from "./memory_image.ts";
import { ascii, assertImageError, text } from "./test_util.ts";

// Checksums below were computed independently (Python: 0xff - (sum(bytes) & 0xff)).
const HEADER = "S00600004844521B";

Deno.test("S-record: S1, S2 and S3 data records with 16/24/32-bit addresses", () => {
  const image = parseSrec(
    text(
      [HEADER, "S107100001020304DE", "S2080100000A0B0C0DC8", "S30908000000AABBCCDDE0", "S5030003F9", "S70508000000F2"]
        .join("\r\n"),
    ),
    "a.srec",
  );
  assert.deepEqual(image.segments, [
    { address: 0x1000, data: new Uint8Array([1, 2, 3, 4]) },
    { address: 0x10000, data: new Uint8Array([0x0a, 0x0b, 0x0c, 0x0d]) },
    { address: 0x08000000, data: new Uint8Array([0xaa, 0xbb, 0xcc, 0xdd]) },
  ]);
  assert.equal(image.entry, 0x08000000);
});

Deno.test("S-record: S9 and S8 terminate too", () => {
  assert.equal(parseSrec(text(["S107100001020304DE", "S9031000EC"].join("\n")), "s.s19").entry, 0x1000);
  assert.equal(parseSrec(text(["S107100001020304DE", "S804010000FA"].join("\n")), "s.s28").entry, 0x10000);
});

Deno.test("S-record: wrong checksum names the line", () => {
  assertImageError(
    () => parseSrec(text([HEADER, "S107100001020304DF", "S9031000EC"].join("\n")), "bad.srec"),
    "E_IMAGE_CHECKSUM",
    /^bad\.srec:2: checksum is 0xDF, the record's bytes give 0xDE/,
  );
});

Deno.test("S-record: unknown and malformed records", () => {
  assertImageError(
    () => parseSrec(text(["S403000000FC", "S9031000EC"].join("\n")), "u.srec"),
    "E_IMAGE_RECORD",
    /^u\.srec:1: unknown record type S4/,
  );
  assertImageError(() => parseSrec(text("X1\nS9031000EC"), "u.srec"), "E_IMAGE_RECORD", /^u\.srec:1:1: /);
  assertImageError(
    () => parseSrec(text(["S107100001020304DEAA", "S9031000EC"].join("\n")), "u.srec"),
    "E_IMAGE_RECORD",
    /record has 18 hex digits, its byte count 0x07 says 16/,
  );
  assertImageError(
    () => parseSrec(text(["S107100001020304DE", "S5030005F7", "S9031000EC"].join("\n")), "c.srec"),
    "E_IMAGE_RECORD",
    /^c\.srec:2: count record says 5 data records precede it, there are 1/,
  );
  assertImageError(
    () => parseSrec(text(["S9031000EC", "S107100001020304DE"].join("\n")), "t.srec"),
    "E_IMAGE_RECORD",
    /^t\.srec:2: record after the termination record on line 1/,
  );
});

Deno.test("S-record: truncated file", () => {
  assertImageError(
    () => parseSrec(text([HEADER, "S1071000010203"].join("\n")), "cut.srec"),
    "E_IMAGE_TRUNCATED",
    /^cut\.srec:2: file ends inside a record/,
  );
  assertImageError(
    () => parseSrec(text([HEADER, "S107100001020304DE", ""].join("\n")), "noend.srec"),
    "E_IMAGE_TRUNCATED",
    /no termination record/,
  );
});

Deno.test("S-record: wrap past 0xFFFFFFFF, self-overlap and empty image", () => {
  assertImageError(
    () => parseSrec(text(["S307FFFFFFFF0102F9", "S70508000000F2"].join("\n")), "w.srec"),
    "E_IMAGE_WRAP",
    /^w\.srec:1: 2 bytes at 0xffffffff run past 0xffffffff/,
  );
  assertImageError(
    () => parseSrec(text(["S30908000000AABBCCDDE0", "S3070800000211DD00", "S70508000000F2"].join("\n")), "o.srec"),
    "E_IMAGE_OVERLAP",
    /^o\.srec:2: 0x08000002 is written twice with different data \(line 1 wrote it first\)/,
  );
  assertImageError(() => parseSrec(text([HEADER, "S9031000EC"].join("\n")), "e.srec"), "E_IMAGE_EMPTY");
});

Deno.test("S-record writer picks the narrowest record type and round-trips", () => {
  const small = new MemoryImage([{ address: 0x1000, data: new Uint8Array([1, 2, 3, 4]) }]);
  const smallText = ascii(writeSrec(small)).trimEnd().split("\n");
  assert.ok(smallText[0].startsWith("S0"));
  assert.equal(smallText[1], "S107100001020304DE");
  assert.equal(smallText[2], "S5030001FB");
  assert.equal(smallText[3], "S9030000FC");

  const data = new Uint8Array(100).map((_, i) => 255 - i);
  const big = new MemoryImage([
    { address: 0x08000000, data },
    { address: 0x08004000, data: data.subarray(0, 7) },
  ], { entry: 0x08000101 });
  for (const bytesPerRecord of [16, 32] as const) {
    const written = writeSrec(big, { bytesPerRecord });
    const lines = ascii(written).trimEnd().split("\n");
    assert.ok(lines.slice(1, -2).every((line) => line.startsWith("S3")));
    assert.ok(lines[lines.length - 1].startsWith("S7"));
    const back = parseSrec(written, "rt.srec");
    assert.deepEqual(back.segments, big.segments);
    assert.equal(back.entry, 0x08000101);
  }
  const mid = new MemoryImage([{ address: 0x10000, data: new Uint8Array([0x0a, 0x0b, 0x0c, 0x0d]) }]);
  assert.ok(ascii(writeSrec(mid)).includes("S2080100000A0B0C0DC8"));
});
