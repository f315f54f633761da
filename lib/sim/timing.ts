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
 * How late a timer fires, on average, for the waits the simulators make: Deno's timers round a delay up to whole
 * milliseconds and fire about 1.1 ms after that (measured on Linux: a 0.5 ms timeout takes ~2.1 ms, a 5 ms one
 * ~6.2 ms). A timer is set this much short of the deadline, so that it fires around it rather than after it.
 */
export const TIMER_LATE_MS = 1.1;

/**
 * A deadline this close is not waited for: the wait returns at once, at most this early. No timer is that short (see
 * {@linkcode TIMER_LATE_MS}); the time it returns early by is added to the next wait, so the schedule stays exact.
 */
export const EARLY_MS = 1;

/**
 * The most lateness carried forward to later waits. A late wake-up (a timer's rounding, a busy core) makes the next
 * waits shorter until the schedule is caught up, so bytes keep their average rate; a stall longer than this (the
 * process starved of CPU for a while) is not caught up: it costs real time, as it would have with exact waits.
 * Above a Windows timer tick (15.6 ms) so that coarse timers still only batch bytes.
 */
export const MAX_CARRIED_LATENESS_MS = 20;

/** Resolves after about `ms` real milliseconds (a timer; it may fire late). */
export type Timer = (ms: number) => Promise<void>;

const setTimeoutTimer: Timer = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A clock that waits real time, scaled by `factor` (1 = real time), and paces by deadlines without spinning: each
 * wait ends at a deadline on the monotonic clock `now`, reached with a timer (`timer`) set short of it by the
 * timer's usual lateness, and whatever the wait ends off its deadline (a timer fires late; a deadline under
 * {@linkcode EARLY_MS} away is not waited for at all) is carried into the next wait. Thousands of sub-millisecond
 * byte times (87 µs per byte at 115200 baud) thus sum to the datasheet figure although no single timer is that fine:
 * a coarse timer batches bytes, it does not slow their rate, and the simulator uses next to no CPU while it waits
 * (several simulators share a PC's cores, e.g. for a gang station).
 *
 * The time the caller spends between two waits (waiting for the host, its own work) is paid in full: a wait is
 * never credited with it. Only the clock's own error is carried, up to {@linkcode MAX_CARRIED_LATENESS_MS}.
 */
export function realTimeClock(
  factor = 1,
  now: () => number = () => performance.now(),
  timer: Timer = setTimeoutTimer,
): SimClock {
  // How far the last wait ended after its deadline (negative: before it); 0 before the first wait.
  let offSchedule = 0;
  return {
    async sleep(ms: number): Promise<void> {
      const wait = ms * factor;
      if (wait <= 0) return;
      // Where the caller would be had the last wait ended exactly on time: that is when this wait starts.
      const start = now();
      const deadline = start - Math.min(offSchedule, MAX_CARRIED_LATENESS_MS) + wait;
      const ahead = deadline - start;
      if (ahead > EARLY_MS) await timer(Math.max(0, ahead - TIMER_LATE_MS));
      offSchedule = now() - deadline;
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
