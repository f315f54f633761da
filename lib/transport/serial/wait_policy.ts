/**
 * How serial streams wait for input, process-wide.
 *
 * By default every wait runs `poll()` on a worker thread (an FFI call declared `nonblocking`), so the event loop
 * keeps turning meanwhile: timers, signal handlers and other streams go on. The price is a hand-over on every
 * wake-up — the kernel wakes the worker, the worker wakes the event loop — which costs tens of microseconds per
 * reply (on a Linux pty round trip: about 80 µs through the worker against 55 µs blocking the calling thread). The
 * USART bootloader turns the line around three times per 256-byte block, thousands of times per flash.
 *
 * A process that does nothing but talk to one device — the CLI flashing a board, `sim usart` serving one — may let
 * the first part of each wait block the calling thread instead: the kernel then wakes the very thread that goes on
 * with the protocol. The stretch bounds how long the event loop can be kept from running: once that long has
 * passed since a wait last let it run, a zero-timeout poll on the worker thread gives it its turn before the next
 * stretch begins, so Ctrl-C, timers and progress output are late by at most the stretch. Only the program's entry
 * point turns this on; libraries and tests, which may serve a simulator on the same event loop, keep the default.
 *
 * Blocking is only right while the stream is the process's only one: a station flashing several boards at once
 * (gang mode) has a port per slot, and a stretch spent blocked on one port is a stretch in which no other slot's
 * reply is read, no other slot's command is sent — N slots would take turns instead of running together. So every
 * open serial stream registers here ({@linkcode registerSerialStream}), and waits block only while no more than
 * `maxOpenStreams` (default 1) are open; with more, every wait is the worker-thread poll, which lets each port's
 * reply wake the event loop on its own. One port keeps its single-port speed; N ports share the process fairly.
 * A gang station also holds waits non-blocking for its whole run ({@linkcode holdNonBlockingWaits}): its ports open
 * and close board by board, and a moment with one port open is not a moment with nothing else to do.
 *
 * @module
 */

let stretchMs = 0;
let maxOpen = 1;
let open = 0;
let holds = 0;

/** Options of {@linkcode allowBlockingWaits}. */
export interface BlockingWaitOptions {
  /**
   * Waits block only while at most this many serial streams are open in the process (default 1: the stream is the
   * only one). A test holding both ends of a pseudo-terminal in one process passes 2. `Infinity` blocks whatever is
   * open or held — the rule before gang stations, which `deno task bench:gang --policies` compares against.
   */
  maxOpenStreams?: number;
}

/**
 * Lets serial streams block the calling thread for up to `ms` milliseconds at a time before they let the event
 * loop run again, while the process has no more than `maxOpenStreams` serial streams open; 0 (the default) never
 * blocks.
 */
export function allowBlockingWaits(ms: number, options: BlockingWaitOptions = {}): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`a blocking stretch is 0 ms or more, not ${ms}`);
  const most = options.maxOpenStreams ?? 1;
  if (!(most >= 1)) throw new RangeError(`maxOpenStreams is 1 or more, not ${most}`);
  stretchMs = ms;
  maxOpen = most;
}

/**
 * The stretch a wait may block for now, in milliseconds: the one set by {@linkcode allowBlockingWaits} while no
 * more serial streams are open than it allows, else 0 (never block).
 */
export function blockingWaitStretchMs(): number {
  if (maxOpen === Infinity) return stretchMs;
  return open <= maxOpen && holds === 0 ? stretchMs : 0;
}

/**
 * Keeps every serial wait non-blocking until the returned function is called (once; later calls do nothing),
 * whatever the number of open streams: for a process that runs several boards at once (a gang station), whose slots
 * open and close their ports at different moments — while the first slot's port is the only one open, the others
 * are still starting their boards and need the event loop.
 */
export function holdNonBlockingWaits(): () => void {
  holds++;
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    holds--;
  };
}

/** Serial streams open in this process now. */
export function openSerialStreams(): number {
  return open;
}

/**
 * Counts a serial stream as open until the returned function is called (once; later calls do nothing). Every
 * stream that may wait registers, so the policy knows when blocking would starve another.
 */
export function registerSerialStream(): () => void {
  open++;
  let registered = true;
  return () => {
    if (!registered) return;
    registered = false;
    open--;
  };
}
