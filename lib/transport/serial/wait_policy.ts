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
 * @module
 */

let stretchMs = 0;

/**
 * Lets serial streams block the calling thread for up to `ms` milliseconds at a time before they let the event
 * loop run again; 0 (the default) never blocks.
 */
export function allowBlockingWaits(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`a blocking stretch is 0 ms or more, not ${ms}`);
  stretchMs = ms;
}

/** The stretch set by {@linkcode allowBlockingWaits}, in milliseconds (0: never block). */
export function blockingWaitStretchMs(): number {
  return stretchMs;
}
