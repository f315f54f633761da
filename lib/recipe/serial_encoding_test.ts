import assert from "node:assert/strict";
import { encodeSerial, SerialFitError } from "./serial_encoding.ts";

Deno.test("integers are little-endian", () => {
  assert.deepEqual(encodeSerial(0x12345678, "u32le"), new Uint8Array([0x78, 0x56, 0x34, 0x12]));
  assert.deepEqual(encodeSerial("4294967296", "u64le"), new Uint8Array([0, 0, 0, 0, 1, 0, 0, 0]));
  assert.throws(() => encodeSerial(4294967296, "u32le"), SerialFitError);
  assert.throws(() => encodeSerial("12a", "u32le"), SerialFitError);
});

Deno.test("ASCII numbers are zero-padded; text is NUL-padded", () => {
  assert.deepEqual(encodeSerial(42, "ascii", 4), new TextEncoder().encode("0042"));
  assert.deepEqual(encodeSerial("AB", "ascii", 4), new Uint8Array([0x41, 0x42, 0, 0]));
  assert.throws(() => encodeSerial(12345, "ascii", 4), SerialFitError);
});

Deno.test("BCD packs two digits per byte, most significant first", () => {
  assert.deepEqual(encodeSerial(1234, "bcd", 3), new Uint8Array([0x00, 0x12, 0x34]));
  assert.throws(() => encodeSerial(1234567, "bcd", 3), SerialFitError);
  assert.throws(() => encodeSerial("12-3", "bcd", 3), SerialFitError);
});
