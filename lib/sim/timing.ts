/**
 * Timing model of the simulated chips: how long the link and the flash take, from datasheet figures, so that
 * simulated runs and benchmarks take realistic time. Unit tests use {@linkcode INSTANT}, where nothing waits.
 *
 * @module
 */

/** Flash durations of a product family, from its datasheet's "Flash memory characteristics" table (typical). */
export interface FlashTiming {
  /** Time to program one program unit, in microseconds. */
  programUnitUs: number;
  /** Time to erase one page/sector of the given size, in milliseconds. */
  eraseMs(pageSize: number): number;
  /** Time of a mass erase, in milliseconds. */
  massEraseMs: number;
  /** Where the figures come from. */
  source: string;
}

/** Typical flash timings per family. */
export const FLASH_TIMING: Readonly<Record<string, FlashTiming>> = {
  // STM32F103x8/B datasheet DS5319 Table 28: tPROG 52.5 µs (16-bit), tERASE 20 ms (page), tME 20 ms.
  F1: { programUnitUs: 52.5, eraseMs: () => 20, massEraseMs: 20, source: "DS5319 Table 28" },
  // STM32F405 datasheet DS8626 Table 42 (x32 parallelism): tPROG 16 µs/word; sector erase 16 KiB 400 ms,
  // 64 KiB 1100 ms, 128 KiB 2000 ms; mass erase 16 s.
  F4: {
    programUnitUs: 16,
    eraseMs: (size) => size <= 16 * 1024 ? 400 : size <= 64 * 1024 ? 1100 : 2000,
    massEraseMs: 16_000,
    source: "DS8626 Table 42",
  },
  // STM32L433 datasheet DS11453 Table 50: 64-bit programming 81.69 µs, page (2 KiB) erase 22.02 ms,
  // mass erase 22.13 ms.
  L4: { programUnitUs: 81.69, eraseMs: () => 22.02, massEraseMs: 22.13, source: "DS11453 Table 50" },
  // STM32G071 datasheet DS12232 Table 37: 64-bit programming 85 µs, page erase 22 ms, mass erase 22.1 ms.
  G0: { programUnitUs: 85, eraseMs: () => 22, massEraseMs: 22.1, source: "DS12232 Table 37" },
  // STM32H743 datasheet DS12110 Table 45 (x64 parallelism): 256-bit word 16 µs ... sector erase 128 KiB 1 s,
  // bank erase 8 s.
  H7: { programUnitUs: 16, eraseMs: () => 1000, massEraseMs: 8000, source: "DS12110 Table 45" },
};

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
