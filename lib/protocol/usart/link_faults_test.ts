/**
 * The host protocol against a simulated bootloader committing the faults of lib/sim/faults.ts: noise before
 * sync, a reset mid-command, a refusal — each must end as what it is, in bounded time.
 */

import assert from "node:assert/strict";
import { UsartBootloader } from "./bootloader.ts";
import { DesyncError, LineNoiseError, NackError } from "./errors.ts";
import type { FaultSpec } from "../../sim/faults.ts";
import { simulatedPart } from "../../sim/parts.ts";
import { SimulatedChip } from "../../sim/sim_chip.ts";
import { UsartBootloaderDevice } from "../../sim/usart_device.ts";
import { createMemoryPipe } from "../../transport/memory_pipe.ts";

async function withDevice(
  inject: FaultSpec[],
  fn: (host: UsartBootloader, chip: SimulatedChip) => Promise<void>,
  options: { syncAttempts?: number; syncTimeoutMs?: number } = {},
): Promise<void> {
  const chip = new SimulatedChip(simulatedPart("stm32f103c8"));
  const [hostEnd, deviceEnd] = createMemoryPipe();
  const served = new UsartBootloaderDevice(chip, deviceEnd, { inject }).serve();
  try {
    const host = new UsartBootloader(hostEnd, {
      replyTimeoutMs: 300,
      syncTimeoutMs: options.syncTimeoutMs ?? 200,
      syncAttempts: options.syncAttempts ?? 5,
      resetTimeoutMs: 1000,
    });
    await fn(host, chip);
  } finally {
    await hostEnd.close();
    await served;
  }
}

Deno.test("sync outlasts 0.5 s of noise with 5 attempts: waiting for a quiet line does not burn attempts", async () => {
  await withDevice([{ kind: "noise-before-sync", ms: 500, seed: 3 }], async (host) => {
    const started = Date.now();
    assert.equal(await host.sync(), "synced");
    assert.ok(Date.now() - started >= 450, "synced only once the noise stopped");
    const get = await host.get();
    assert.equal(get.version, 0x22);
    assert.equal(await host.getId(), 0x410);
  });
});

Deno.test("sync on a line that never falls quiet says bytes were arriving (E_LINE_NOISE), not BOOT0", async () => {
  await withDevice([{ kind: "noise-before-sync", ms: 5000, seed: 9 }], async (host) => {
    const started = Date.now();
    const error = await host.sync().then(() => undefined, (e) => e);
    assert.ok(error instanceof LineNoiseError, String(error));
    assert.equal(error.code, "E_LINE_NOISE");
    assert.match(error.userMessage(), /other byte\(s\) arrived.*application still running/);
    assert.doesNotMatch(error.userMessage(), /BOOT0 was high/);
    // The first attempt meets the noise at once; each later one waits up to 200 ms for a quiet line: bounded by
    // the attempts, not over in milliseconds.
    const took = Date.now() - started;
    assert.ok(took >= 350 && took < 2500, `took ${took} ms`);
  }, { syncAttempts: 3 });
});

Deno.test("a reset after the address of a Write Memory is E_DEVICE_RESET, not 'write-protected?'", async () => {
  await withDevice([{ kind: "reset", at: "write-memory", byte: 2 }], async (host) => {
    await host.sync();
    await host.get();
    // 0x7F in the data is taken for a sync by the restarted bootloader, which ACKs it and NACKs the bytes after.
    const data = new Uint8Array(64).fill(0x11);
    data[8] = 0x7f;
    await host.writeMemory(0x0800_0000, data).catch(() => {});
    const error = await host.writeMemory(0x0800_0400, new Uint8Array(4)).then(() => undefined, (e) => e);
    assert.ok(error instanceof DesyncError, String(error));
    assert.equal(error.code, "E_DEVICE_RESET");
    assert.doesNotMatch(error.userMessage(), /write-protected/);
  });
});

Deno.test("a reset after the command byte of a Write Memory is E_DEVICE_RESET or a timeout naming a reset", async () => {
  await withDevice([{ kind: "reset", at: "write-memory" }], async (host) => {
    await host.sync();
    await host.get();
    const error = await host.writeMemory(0x0800_0000, new Uint8Array(8)).then(() => undefined, (e) => e);
    assert.ok(error?.code === "E_TIMEOUT" || error?.code === "E_DEVICE_RESET", String(error));
    assert.match(error.userMessage(), /reset/);
  });
});

Deno.test("a real refusal stays E_NACK and leaves the session usable", async () => {
  await withDevice([], async (host, chip) => {
    await host.sync();
    await host.get();
    chip.write(0x0800_0000, new Uint8Array(4));
    const error = await host.writeMemory(0x0800_0000, new Uint8Array([1, 2, 3, 4])).then(() => undefined, (e) => e);
    assert.ok(error instanceof NackError, String(error));
    assert.deepEqual(await host.readMemory(0x0800_0000, 4), new Uint8Array(4));
  });
});
