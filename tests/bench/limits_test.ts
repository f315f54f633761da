import assert from "node:assert/strict";
import { usartLimit } from "../../scripts/bench/usart_limit.ts";
import { dfuseLimit } from "../../scripts/bench/dfu_rows.ts";
import { nonBlankChunks, randomImage, realisticImage } from "../../scripts/bench/images.ts";
import { uartTransferMs, usbFullSpeedControlMs } from "../../lib/sim/timing.ts";

const LINK = { baud: 115200, bitsPerByte: 11, latencyMs: 1 };

Deno.test("bench images: seeded and reproducible; the firmware layout is about half 0xFF", () => {
  assert.deepEqual(randomImage(64, 3), randomImage(64, 3));
  assert.notDeepEqual(randomImage(64, 3), randomImage(64, 4));
  assert.equal(nonBlankChunks(randomImage(4096, 1)).length, 16);
  const firmware = realisticImage();
  assert.equal(firmware.length, 64 * 1024);
  const blank = 256 - nonBlankChunks(firmware).length;
  assert.ok(blank > 80 && blank < 160, `${blank} of 256 blocks blank`);
});

Deno.test("USART limit of one 256-byte block on the F103CB, counted by hand", () => {
  const limit = usartLimit("stm32f103cb", new Uint8Array(256).fill(0x5a), LINK);
  // connect: 0x7F / ACK; Get (2) / ACK n v 11 commands ACK (15); Get ID (2) / 5  -> 5 out, 21 in, 3 replies
  // read back: cmd 2 + address 5 + length 2 out, 3 ACKs + 256 in                 -> 9 out, 259 in, 3 replies
  // erase page 0 with Erase 0x43: cmd 2 + (N-1, page, checksum) 3 out, 2 ACKs     -> 5 out, 2 in, 2 replies
  // write: cmd 2 + address 5 + (N-1, 256 bytes, checksum) 258 out, 3 ACKs          -> 265 out, 3 in, 3 replies
  const bytes = 5 + 21 + 9 + 259 + 5 + 2 + 265 + 3;
  assert.ok(Math.abs(limit.wireMs - uartTransferMs(bytes, 115200, 11)) < 1e-9);
  assert.equal(limit.latencyMs, 11);
  assert.equal(limit.eraseMs, 20); // DS5319: 20 ms a page
  assert.ok(Math.abs(limit.programMs - 128 * 0.0525) < 1e-9); // 128 half-words at 52.5 µs
  const again = usartLimit("stm32f103cb", new Uint8Array(256).fill(0x5a), LINK, true);
  assert.equal(again.eraseMs + again.programMs, 0);
  assert.ok(again.totalMs < limit.totalMs);
});

Deno.test("USART limit on a blank chip: no erase for the pages the image fills, one for the page it fills in part", () => {
  const filled = usartLimit("stm32f103cb", new Uint8Array(2048).fill(0x5a), LINK);
  assert.equal(filled.eraseMs, 0);
  const more = usartLimit("stm32f103cb", new Uint8Array(2048 + 256).fill(0x5a), LINK);
  assert.equal(more.eraseMs, 20); // page 2 only
  // The erase command (5 out, 2 in, 2 replies) appears only with the page to erase, beside one more block each way.
  const block = uartTransferMs(265 + 3 + 9 + 259, 115200, 11);
  assert.ok(Math.abs(more.wireMs - filled.wireMs - block - uartTransferMs(7, 115200, 11)) < 1e-9);
  assert.equal(more.latencyMs - filled.latencyMs, 6 + 2);
  // An F4 sector the image fills: no erase either (the F4 programs over data by clearing bits, RM0090).
  assert.equal(usartLimit("stm32f405rg", new Uint8Array(16 * 1024).fill(1), LINK).eraseMs, 0);
});

Deno.test("DFU limit: bus time of every transfer plus the waits bwPollTimeout imposes", () => {
  const one = dfuseLimit("stm32f405rg", new Uint8Array(2048).fill(1));
  // Sector 0 erase: 400 ms rounded up to 100 ms polls; Set Address Pointer twice (104 ms); one block (104 ms).
  assert.equal(one.waitMs, 400 + 104 + 104 + 104);
  assert.ok(one.usbMs > 2 * usbFullSpeedControlMs(2048));
  const blank = dfuseLimit("stm32f405rg", new Uint8Array(2048).fill(0xff));
  assert.equal(blank.waitMs, 400 + 104 + 104);
});
