import assert from "node:assert/strict";
import { ParmrkDecoder } from "./parity.ts";

Deno.test("PARMRK: 0xFF 0xFF is a 0xFF byte, 0xFF 0x00 X is X with a parity error", () => {
  const decoder = new ParmrkDecoder();
  const { data, errors } = decoder.decode(Uint8Array.of(0x79, 0xff, 0xff, 0x12, 0xff, 0x00, 0x7b, 0x34));
  assert.deepEqual([...data], [0x79, 0xff, 0x12, 0x7b, 0x34]);
  assert.deepEqual(errors, [3]);
});

Deno.test("PARMRK: a marking split across reads is decoded with the next chunk", () => {
  const decoder = new ParmrkDecoder();
  const first = decoder.decode(Uint8Array.of(0x01, 0xff));
  assert.deepEqual([...first.data], [0x01]);
  const second = decoder.decode(Uint8Array.of(0x00));
  assert.deepEqual([...second.data], []);
  const third = decoder.decode(Uint8Array.of(0x1f, 0x02, 0xff));
  assert.deepEqual([...third.data], [0x1f, 0x02]);
  assert.deepEqual(third.errors, [0]);
  const fourth = decoder.decode(Uint8Array.of(0xff));
  assert.deepEqual([...fourth.data], [0xff]);
  assert.deepEqual(fourth.errors, []);
});

Deno.test("PARMRK: chunks without 0xFF pass through unchanged", () => {
  const chunk = Uint8Array.of(1, 2, 3);
  assert.equal(new ParmrkDecoder().decode(chunk).data, chunk);
});

Deno.test("Windows: CE_RXPARITY or CE_FRAME from ClearCommError mark every byte of the chunk; other errors none", async () => {
  const { CE_FRAME, CE_RXPARITY, windowsLineErrorOffsets } = await import("./serial/windows_port.ts");
  assert.deepEqual(windowsLineErrorOffsets(CE_RXPARITY, 3), [0, 1, 2]);
  assert.deepEqual(windowsLineErrorOffsets(CE_FRAME, 1), [0]);
  assert.deepEqual(windowsLineErrorOffsets(0x0001, /* CE_RXOVER */ 3), []);
  assert.deepEqual(windowsLineErrorOffsets(0, 3), []);
});
