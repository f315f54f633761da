import assert from "node:assert/strict";
import {
  type BoardWiring,
  enterBootloaderSequence,
  pinLevel,
  runApplicationSequence,
  WIRING_PRESETS,
} from "./board_wiring.ts";

const direct: BoardWiring = { reset: "dtr", boot0: "rts", resetInverted: false, boot0Inverted: false };

Deno.test("an asserted line drives its pin low; an inverting transistor flips it", () => {
  assert.equal(pinLevel(true, false), false);
  assert.equal(pinLevel(false, false), true);
  assert.equal(pinLevel(true, true), true);
});

Deno.test("entering the bootloader on direct wiring: reset asserted, BOOT0 line released (high)", () => {
  const sequence = enterBootloaderSequence(direct, { resetPulseMs: 10, startupMs: 20 });
  assert.deepEqual(sequence, [
    { lines: { dtr: true, rts: false } },
    { delayMs: 10 },
    { lines: { dtr: false, rts: false } },
    { delayMs: 20 },
  ]);
});

Deno.test("with an inverted BOOT0 line, BOOT0 high needs the line asserted", () => {
  const wiring = WIRING_PRESETS["dtr-reset-rts-boot0"];
  const [hold, , release] = enterBootloaderSequence(wiring);
  assert.deepEqual(hold, { lines: { dtr: true, rts: true } });
  assert.deepEqual(release, { lines: { dtr: false, rts: true } });
  const [, , run] = runApplicationSequence(wiring);
  assert.deepEqual(run, { lines: { dtr: false, rts: false } });
});

Deno.test("a jumpered BOOT0 leaves the other line alone", () => {
  const [hold] = enterBootloaderSequence(WIRING_PRESETS["rts-reset"]);
  assert.deepEqual(hold, { lines: { rts: true } });
});
