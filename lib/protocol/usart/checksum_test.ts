import assert from "node:assert/strict";
import { addressFrame, commandFrame, withChecksum, xorChecksum } from "./checksum.ts";

// Worked by hand from AN3155: every command is sent with its complement, so the pair XORs to 0xFF.
Deno.test("command frames carry the complement (AN3155 §2)", () => {
  assert.deepEqual(commandFrame(0x00), new Uint8Array([0x00, 0xff]));
  assert.deepEqual(commandFrame(0x11), new Uint8Array([0x11, 0xee]));
  assert.deepEqual(commandFrame(0x31), new Uint8Array([0x31, 0xce]));
  assert.deepEqual(commandFrame(0x44), new Uint8Array([0x44, 0xbb]));
});

// 0x08 ^ 0x00 ^ 0x00 ^ 0x00 = 0x08; 0x08 ^ 0x00 ^ 0x12 ^ 0x34 = 0x2E; 0x1F ^ 0xFF ^ 0xF8 ^ 0x00 = 0x18.
Deno.test("address frames end with the XOR of the four address bytes (AN3155 §3.4)", () => {
  assert.deepEqual(addressFrame(0x0800_0000), new Uint8Array([0x08, 0x00, 0x00, 0x00, 0x08]));
  assert.deepEqual(addressFrame(0x0800_1234), new Uint8Array([0x08, 0x00, 0x12, 0x34, 0x2e]));
  assert.deepEqual(addressFrame(0x1fff_f800), new Uint8Array([0x1f, 0xff, 0xf8, 0x00, 0x18]));
});

// Read Memory of 256 bytes sends N-1 = 0xFF and its complement 0x00; a write of 4 bytes sends
// N-1 = 0x03, then 0x01 0x02 0x03 0x04: 0x03 ^ 0x01 ^ 0x02 ^ 0x03 ^ 0x04 = 0x07.
Deno.test("data frames end with the XOR of the length byte and the data (AN3155 §3.6)", () => {
  assert.deepEqual(withChecksum([0x03, 0x01, 0x02, 0x03, 0x04]), new Uint8Array([3, 1, 2, 3, 4, 0x07]));
  assert.equal(xorChecksum([0xff]), 0xff);
  assert.equal(xorChecksum([]), 0);
});

// Erase of pages 0 and 1 with the 0x43 command: N-1 = 0x01, pages 0x00 0x01: checksum 0x00.
// Extended Erase of page 0x0001 and 0x0002: N-1 = 0x0001, 0x0001, 0x0002: 0^1^0^1^0^2 = 0x02.
Deno.test("erase frames (AN3155 §3.7, §3.8)", () => {
  assert.equal(xorChecksum([0x01, 0x00, 0x01]), 0x00);
  assert.equal(xorChecksum([0x00, 0x01, 0x00, 0x01, 0x00, 0x02]), 0x02);
  assert.deepEqual(withChecksum([0xff, 0xff]), new Uint8Array([0xff, 0xff, 0x00]));
});
