import assert from "node:assert/strict";
import { stm32Crc } from "./stm32_crc.ts";

// Reference values of the STM32 CRC unit: feeding the single word 0x00000000 from reset gives 0xC704DD7B,
// and the word 0x12345678 gives 0xDF8A8A2B (ST's CRC application note examples, checked with a bit-by-bit model).
Deno.test("STM32 CRC of single words", () => {
  assert.equal(stm32Crc(new Uint8Array([0, 0, 0, 0])), 0xc704dd7b);
  assert.equal(stm32Crc(new Uint8Array([0x78, 0x56, 0x34, 0x12])), 0xdf8a8a2b);
});

Deno.test("STM32 CRC continues across calls and matches a bit-serial model", () => {
  const data = new Uint8Array(64).map((_, i) => (i * 37 + 11) & 0xff);
  const split = stm32Crc(data.subarray(32), stm32Crc(data.subarray(0, 32)));
  assert.equal(split, stm32Crc(data));
  let crc = 0xffff_ffff;
  for (let i = 0; i < data.length; i += 4) {
    crc = (crc ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24))) >>> 0;
    for (let bit = 0; bit < 32; bit++) crc = crc & 0x8000_0000 ? ((crc << 1) ^ 0x04c11db7) >>> 0 : (crc << 1) >>> 0;
  }
  assert.equal(stm32Crc(data), crc);
});

Deno.test("STM32 CRC refuses a partial word", () => {
  assert.throws(() => stm32Crc(new Uint8Array(3)), RangeError);
});
