/**
 * Timing model of the simulated chips: how long the link and the flash take, from datasheet figures, so that
 * simulated runs and benchmarks take realistic time. Unit tests use {@linkcode INSTANT}, where nothing waits.
 *
 * @module
 */

// The datasheet figures are chip data (lib/chips/flash_timing.ts): the host's erase progress estimates from them too.
export { familyTiming, FLASH_TIMING, type FlashTiming, typicalTiming } from "../chips/flash_timing.ts";

/** Waits for simulated time to pass. */
export interface SimClock {
  /** Resolves after `ms` simulated milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** A clock where nothing waits: unit tests. */
export const INSTANT: SimClock = { sleep: () => Promise.resolve() };

/**
 * The last part of every wait is spun: Deno's timers fire about 1.2 ms late on average and up to ~3 ms (measured
 * on Linux), far more than a byte time, so a timer is set for the wait less this margin.
 */
const SPIN_BELOW_MS = 3;

/**
 * A clock that waits real time, scaled by `factor` (1 = real time), and paces precisely: successive sleeps add up
 * to a deadline on the monotonic clock, so that thousands of sub-millisecond byte times (87 µs per byte at 115200
 * baud) sum to the datasheet figure instead of one timer tick each. A wait is never credited with time the caller
 * spent idle (waiting for the host): the deadline starts from now when it lies in the past.
 */
export function realTimeClock(factor = 1, now: () => number = () => performance.now()): SimClock {
  let due = 0;
  return {
    async sleep(ms: number): Promise<void> {
      const wait = ms * factor;
      if (wait <= 0) return;
      due = Math.max(due, now()) + wait;
      const coarse = due - now() - SPIN_BELOW_MS;
      if (coarse > 0) await new Promise((resolve) => setTimeout(resolve, coarse));
      // The sim runs in its own process and does nothing else meanwhile; spinning keeps byte times exact.
      while (now() < due) { /* spin */ }
    },
  };
}

/** Bits on the wire per byte for a UART frame: start + data + parity + stop. 8E1 is 11 bits (AN3155 §2). */
export function bitsPerFrame(dataBits: number, parity: boolean, stopBits: number): number {
  return 1 + dataBits + (parity ? 1 : 0) + stopBits;
}

/** Milliseconds to carry `bytes` over a UART at `baudRate` with `bitsPerByte` bits per frame. */
export function uartTransferMs(bytes: number, baudRate: number, bitsPerByte = 11): number {
  return (bytes * bitsPerByte * 1000) / baudRate;
}

/**
 * Turnaround latency of a USB-serial adapter: bytes from the device wait in the adapter until its latency timer
 * expires (or its buffer fills) before the host sees them. FTDI's default latency timer is 16 ms and 1 ms in
 * low-latency mode (FTDI AN232B-04 "Data Throughput, Latency and Handshaking", §3 "Latency timer").
 */
export const ADAPTER_LATENCY_MS = { default: 16, lowLatency: 1 } as const;

/** Full-speed USB signalling rate, bits per second (USB 2.0 §7.1.11). */
const FULL_SPEED_BPS = 12_000_000;

/** Largest packet on a full-speed control endpoint (USB 2.0 §5.5.3), what STM32 bootloaders use on EP0. */
const CONTROL_PACKET = 64;

/**
 * Bus bytes of protocol overhead per full-speed control transaction: token, data and handshake packets with their
 * SYNC, PID, CRC and EOP, and inter-packet gaps (USB 2.0 §5.5.4, Table 5-5: "Protocol Overhead (45 bytes)").
 */
const CONTROL_TRANSACTION_OVERHEAD = 45;

/**
 * Milliseconds a full-speed control transfer with `dataBytes` in its data stage occupies the bus: a SETUP
 * transaction (8 bytes), one transaction per 64-byte data packet, and the zero-length status transaction, each
 * with its protocol overhead (USB 2.0 §5.5.4). A 2048-byte DfuSe block: 2.4 ms.
 */
export function usbFullSpeedControlMs(dataBytes: number): number {
  const packets = Math.ceil(dataBytes / CONTROL_PACKET);
  const bytes = (8 + CONTROL_TRANSACTION_OVERHEAD) + dataBytes + packets * CONTROL_TRANSACTION_OVERHEAD +
    CONTROL_TRANSACTION_OVERHEAD;
  return (bytes * 8 * 1000) / FULL_SPEED_BPS;
}
