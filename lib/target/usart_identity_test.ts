/**
 * What a USART session trusts: replies that contradict each other stop it before anything is erased (a product
 * ID is two bytes without a checksum), erase timeouts follow the chip's datasheet, and reads recover from a
 * transient link fault.
 */

import assert from "node:assert/strict";
import { ERASE_BASE_MS, ERASE_MARGIN, massEraseTimeoutMs, pageEraseTimeoutMs } from "../chips/erase_times.ts";
import { chipByPid } from "../chips/database.ts";
import type { FaultSpec } from "../sim/faults.ts";
import { simulatedPart } from "../sim/parts.ts";
import { SimulatedChip } from "../sim/sim_chip.ts";
import { UsartBootloaderDevice } from "../sim/usart_device.ts";
import { createMemoryPipe } from "../transport/memory_pipe.ts";
import { connectUsart, type UsartTarget } from "./usart_target.ts";

async function withTarget(
  part: string,
  inject: FaultSpec[],
  fn: (connecting: () => Promise<UsartTarget>, chip: SimulatedChip) => Promise<void>,
  lineParity = true,
): Promise<void> {
  const chip = new SimulatedChip(simulatedPart(part));
  const [hostEnd, deviceEnd] = createMemoryPipe();
  const served = new UsartBootloaderDevice(chip, deviceEnd, { inject, lineParity }).serve();
  try {
    await fn(() => connectUsart(hostEnd, { replyTimeoutMs: 300, syncTimeoutMs: 100, resetTimeoutMs: 1000 }), chip);
  } finally {
    await hostEnd.close();
    await served;
  }
}

// Get ID replies ACK, N=1, 0x04, 0x10, ACK: byte 3 bit 2 turns 0x10 into 0x14.
const PID_FLIP: FaultSpec = { kind: "corrupt-reply", at: "get-id", byte: 3, bit: 2 };

Deno.test("without parity, a flipped bit in Get ID (0x410 as 0x414) contradicts the flash-size register: E_IDENTITY", async () => {
  await withTarget("stm32f103c8", [PID_FLIP], async (connecting) => {
    const error = await connecting().then(() => undefined, (e) => e);
    assert.equal(error?.code, "E_IDENTITY", String(error));
    assert.equal(error.exitCode, 1);
    assert.match(
      error.userMessage(),
      /product ID 0x414.*flash-size register says 64 KiB.*256-512 KiB.*nothing was erased/,
    );
  }, false);
});

Deno.test("with the line's parity, the flipped Get ID byte is a parity error: Get ID is asked again", async () => {
  await withTarget("stm32f103c8", [PID_FLIP], async (connecting) => {
    const target = await connecting();
    assert.equal(target.identity.pid, 0x410);
    assert.equal(target.identity.flashSize, 64 * 1024);
  });
});

Deno.test("a Get list whose erase command is not the product's contradicts the product ID: E_IDENTITY", async () => {
  // Get replies ACK, N, version, 11 commands, ACK: the erase command (0x43 on an F1) is byte 9; bit 0 makes 0x42.
  await withTarget("stm32f103c8", [{ kind: "corrupt-reply", at: "get", byte: 9, bit: 0 }], async (connecting) => {
    const error = await connecting().then(() => undefined, (e) => e);
    assert.equal(error?.code, "E_IDENTITY", String(error));
    assert.match(error.userMessage(), /lists no erase command, not Erase/);
  }, false);
});

Deno.test("erase timeouts are the datasheet maxima of exactly what is erased, with margin", () => {
  const f1 = chipByPid(0x410)!;
  const f4 = chipByPid(0x413)!;
  assert.equal(pageEraseTimeoutMs(f1, [1024]), Math.ceil(ERASE_BASE_MS + 40 * ERASE_MARGIN));
  assert.equal(pageEraseTimeoutMs(f4, [128 * 1024]), Math.ceil(ERASE_BASE_MS + 4000 * ERASE_MARGIN));
  assert.equal(
    pageEraseTimeoutMs(f4, [16 * 1024, 16 * 1024, 64 * 1024]),
    Math.ceil(ERASE_BASE_MS + (800 + 800 + 2400) * ERASE_MARGIN),
  );
  assert.equal(massEraseTimeoutMs(f4), Math.ceil(ERASE_BASE_MS + 32_000 * ERASE_MARGIN));
  // One slow F4 sector gets more time than a fixed per-page figure would give twenty small F1 pages.
  assert.ok(pageEraseTimeoutMs(f4, [128 * 1024]) > pageEraseTimeoutMs(f1, new Array(20).fill(1024)));
});

Deno.test("an F1 page erase far beyond its 40 ms maximum times out in about a second, not after 6 s", async () => {
  // Typical 20 ms x 100 = 2 s.
  await withTarget("stm32f103c8", [{ kind: "slow-erase", factor: 100 }], async (connecting) => {
    const target = await connecting();
    const started = Date.now();
    const error = await target.erase({ kind: "pages", pages: [3] }).then(() => undefined, (e) => e);
    assert.equal(error?.code, "E_TIMEOUT", String(error));
    assert.ok(Date.now() - started < 1900, "gave up before the slow erase ended");
  });
});

Deno.test("a slow erase within the datasheet maximum with margin completes", async () => {
  // Typical 20 ms x 3 = 60 ms, above the 40 ms maximum but within the margin.
  await withTarget("stm32f103c8", [{ kind: "slow-erase", factor: 3 }], async (connecting, chip) => {
    const target = await connecting();
    chip.write(0x0800_0c00, new Uint8Array(4));
    await target.erase({ kind: "pages", pages: [3] });
    assert.deepEqual(chip.read(0x0800_0c00, 4), new Uint8Array([0xff, 0xff, 0xff, 0xff]));
  });
});

Deno.test("a read whose reply is dropped or corrupted is retried once the session is back in sync", async () => {
  for (
    const fault of [
      { kind: "drop-reply", at: "read-memory", occurrence: 2, byte: 2 },
      { kind: "corrupt-reply", at: "read-memory", occurrence: 2, byte: 1, bit: 3 },
    ] satisfies FaultSpec[]
  ) {
    await withTarget("stm32f103c8", [fault], async (connecting, chip) => {
      const data = new Uint8Array(512).map((_, i) => i * 13);
      chip.write(0x0800_0000, data);
      const target = await connecting();
      assert.deepEqual(await target.readMemory(0x0800_0000, 512), data, fault.kind);
      assert.ok(target.recoveries >= 1, fault.kind);
    });
  }
});

Deno.test("a flash-size register read whose reply arrives with a parity error is read again", async () => {
  // The first Read Memory of a session is the signature span; byte 4 is the register's low byte (after 3 ACKs).
  await withTarget(
    "stm32f103c8",
    [{ kind: "corrupt-reply", at: "read-memory", byte: 3, bit: 5 }],
    async (connecting) => {
      const target = await connecting();
      assert.equal(target.identity.flashSize, 64 * 1024);
      assert.equal(target.recoveries, 0, "connect's own retry, before the target exists");
    },
  );
});
