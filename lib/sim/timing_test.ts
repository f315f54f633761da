import assert from "node:assert/strict";
import { UsartBootloader } from "../protocol/usart/bootloader.ts";
import { createMemoryPipe } from "../transport/memory_pipe.ts";
import { simulatedPart } from "./parts.ts";
import { SimulatedChip } from "./sim_chip.ts";
import {
  bitsPerFrame,
  EARLY_MS,
  MAX_CARRIED_LATENESS_MS,
  realTimeClock,
  type SimClock,
  uartTransferMs,
  usbFullSpeedControlMs,
} from "./timing.ts";
import { UsartBootloaderDevice } from "./usart_device.ts";

Deno.test("uartTransferMs: 8E1 is 11 bits a byte; 1047 bytes take 100 ms at 115200 baud", () => {
  assert.equal(bitsPerFrame(8, true, 1), 11);
  assert.equal(uartTransferMs(1, 115200, 11), 11_000 / 115200);
  assert.ok(Math.abs(uartTransferMs(1047.27, 115200, 11) - 100) < 1e-3);
});

/**
 * A fake monotonic clock and a fake timer like Deno's: a timeout is rounded up to whole milliseconds (at least 1) and
 * fires `late()` ms after that. Counts the timers set and the looks at the clock (a spinning wait looks thousands of
 * times).
 */
function fakeTime(late: () => number = () => 1.1) {
  const time = {
    t: 1000,
    timers: 0,
    looks: 0,
    now: () => {
      time.looks++;
      return time.t;
    },
    timer: (ms: number) => {
      time.timers++;
      time.t += Math.max(1, Math.ceil(ms)) + late();
      return Promise.resolve();
    },
  };
  return time;
}

/** A repeatable spread of timer lateness, 0.1-3 ms (what Linux shows under load). */
function jitter(seed = 7): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return 0.1 + (x / 2147483648) * 2.9;
  };
}

const BYTE_MS = uartTransferMs(1, 115200, 11); // 0.0955 ms

Deno.test("realTimeClock: a stream of byte times sums to its wire time, each byte near its own deadline", async () => {
  for (const late of [() => 1.1, jitter()]) {
    const time = fakeTime(late);
    const clock = realTimeClock(1, time.now, time.timer);
    const start = time.t;
    for (let i = 1; i <= 2000; i++) {
      await clock.sleep(BYTE_MS);
      // Each byte leaves at most EARLY_MS before its deadline and at most one timer's lateness (and rounding) after.
      const off = time.t - (start + i * BYTE_MS);
      assert.ok(off >= -EARLY_MS - 1e-9 && off <= 1 + 3 + 1e-9, `byte ${i} is ${off} ms off its deadline`);
    }
    const took = time.t - start;
    assert.ok(Math.abs(took - 2000 * BYTE_MS) <= 4, `2000 byte times took ${took} ms, not ${2000 * BYTE_MS}`);
    // Bytes are batched: a timer per millisecond or so, not per byte, and no spinning.
    assert.ok(time.timers < 2000 * BYTE_MS, `${time.timers} timers`);
    assert.ok(time.looks <= 2 * 2000 + 1, `${time.looks} looks at the clock: a spin`);
  }
});

Deno.test("realTimeClock: a command's waits sum exactly although a timer fires late (AN3155 Write Memory)", async () => {
  const time = fakeTime(jitter(11));
  const clock = realTimeClock(1, time.now, time.timer);
  const host = 0.3; // the host's turn: pty, its own code; paid in full every time
  const start = time.t;
  let ideal = 0;
  for (let block = 0; block < 64; block++) {
    // command 2 bytes in, ACK out after a 1 ms turnaround; address 5 in, ACK; 258 in, programming, ACK.
    for (const waits of [[2 * BYTE_MS, 1 + BYTE_MS], [5 * BYTE_MS, 1 + BYTE_MS], [258 * BYTE_MS, 6.72, 1 + BYTE_MS]]) {
      time.t += host;
      ideal += host;
      for (const ms of waits) {
        await clock.sleep(ms);
        ideal += ms;
      }
    }
  }
  const took = time.t - start;
  assert.ok(Math.abs(took - ideal) <= 4, `64 blocks took ${took} ms, exactly paced ${ideal}`);
});

Deno.test("realTimeClock gives no credit for the caller's idle time, and scales by its factor", async () => {
  const time = fakeTime();
  const clock = realTimeClock(2, time.now, time.timer);
  await clock.sleep(10);
  time.t += 500; // idle: the host thinks
  const before = time.t;
  for (let i = 0; i < 100; i++) await clock.sleep(BYTE_MS);
  const took = time.t - before;
  assert.ok(Math.abs(took - 200 * BYTE_MS) <= 4, `after an idle gap 100 byte times at factor 2 took ${took} ms`);
  // A lone short wait returns at once but its time is owed: the next wait is that much longer.
  const alone = time.t;
  await clock.sleep(0.2);
  await clock.sleep(5);
  assert.ok(time.t - alone >= 2 * 5.2 - EARLY_MS, `${time.t - alone} ms`);
});

Deno.test("realTimeClock catches up lateness only up to MAX_CARRIED_LATENESS_MS: a long stall costs real time", async () => {
  let stall = 100;
  const time = fakeTime(() => {
    const late = 1.1 + stall;
    stall = 0;
    return late;
  });
  const clock = realTimeClock(1, time.now, time.timer);
  const start = time.t;
  for (let i = 0; i < 50; i++) await clock.sleep(5);
  const took = time.t - start;
  const lost = 100 - MAX_CARRIED_LATENESS_MS;
  assert.ok(took >= 250 + lost - EARLY_MS && took <= 250 + lost + 4, `a 100 ms stall made 50 × 5 ms take ${took}`);
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
