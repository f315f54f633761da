import assert from "node:assert/strict";
import { UsartBootloader } from "../protocol/usart/bootloader.ts";
import { createMemoryPipe } from "../transport/memory_pipe.ts";
import { simulatedPart } from "./parts.ts";
import { SimulatedChip } from "./sim_chip.ts";
import { bitsPerFrame, realTimeClock, type SimClock, uartTransferMs, usbFullSpeedControlMs } from "./timing.ts";
import { UsartBootloaderDevice } from "./usart_device.ts";

Deno.test("uartTransferMs: 8E1 is 11 bits a byte; 1047 bytes take 100 ms at 115200 baud", () => {
  assert.equal(bitsPerFrame(8, true, 1), 11);
  assert.equal(uartTransferMs(1, 115200, 11), 11_000 / 115200);
  assert.ok(Math.abs(uartTransferMs(1047.27, 115200, 11) - 100) < 1e-3);
});

Deno.test("realTimeClock paces sub-millisecond sleeps to a running deadline and gives no credit for idle time", async () => {
  // A fake monotonic clock that the spin loop itself advances: each look at it moves time on by 1 µs.
  let t = 1000;
  const now = () => (t += 0.001);
  const clock = realTimeClock(1, now);
  const start = t;
  for (let i = 0; i < 100; i++) await clock.sleep(0.087); // one byte at 115200 baud, 100 times
  const paced = t - start;
  assert.ok(paced >= 8.7 && paced < 8.7 + 0.5, `100 byte times took ${paced} ms, not 8.7`);
  t += 500; // idle: the host thinks
  const before = t;
  await clock.sleep(0.5);
  assert.ok(t - before >= 0.5, "an idle gap must not pay for later waits");
});

/** A clock that only records what the device sleeps. */
function recordingClock(): SimClock & { total: number } {
  const clock = {
    total: 0,
    sleep(ms: number) {
      clock.total += ms;
      return Promise.resolve();
    },
  };
  return clock;
}

async function timeOf(turnaroundMs: number, work: (host: UsartBootloader) => Promise<void>): Promise<number> {
  const clock = recordingClock();
  const chip = new SimulatedChip(simulatedPart("stm32f103c8"));
  const [hostEnd, deviceEnd] = createMemoryPipe();
  const device = new UsartBootloaderDevice(chip, deviceEnd, { clock, baudRate: 115200, turnaroundMs });
  const served = device.serve();
  try {
    const host = new UsartBootloader(hostEnd, { replyTimeoutMs: 200, syncTimeoutMs: 50 });
    await host.sync();
    await host.get();
    const before = clock.total;
    await work(host);
    return clock.total - before;
  } finally {
    await hostEnd.close();
    await served;
  }
}

Deno.test("the adapter's turnaround latency is paid once per reply: three times for a Write Memory", async () => {
  const write = (host: UsartBootloader) => host.writeMemory(0x0800_0000, new Uint8Array(256).fill(0x5a));
  const plain = await timeOf(0, write);
  const slow = await timeOf(16, write);
  // command -> ACK, address -> ACK, data -> ACK: the line turns three times towards the host.
  assert.ok(Math.abs(slow - plain - 48) < 1e-9, `latency added ${slow - plain} ms`);
  // The wire time of the exchange: 2 + 5 + 258 bytes out, 3 ACKs back, at 11 bits per byte; plus programming
  // 128 half-words at 52.5 µs (DS5319 Table 28).
  const expected = uartTransferMs(2 + 5 + 258 + 3, 115200, 11) + 128 * 52.5 / 1000;
  assert.ok(Math.abs(plain - expected) < 1e-9, `${plain} ms, expected ${expected}`);
});

Deno.test("a Read Memory reply of ACK and data turns the line once for both", async () => {
  const read = async (host: UsartBootloader) => void await host.readMemory(0x0800_0000, 256);
  assert.ok(Math.abs((await timeOf(1, read)) - (await timeOf(0, read)) - 3) < 1e-9);
});

Deno.test("usbFullSpeedControlMs: setup, 64-byte data packets and status, 45 bytes of overhead each", () => {
  // 2048 bytes: 32 data transactions. (8 + 45) + 2048 + 32 × 45 + 45 = 3586 bytes at 12 Mbit/s.
  assert.ok(Math.abs(usbFullSpeedControlMs(2048) - (3586 * 8) / 12_000) < 1e-12);
  assert.ok(Math.abs(usbFullSpeedControlMs(0) - (98 * 8) / 12_000) < 1e-12);
  assert.ok(usbFullSpeedControlMs(65) > usbFullSpeedControlMs(64));
});
