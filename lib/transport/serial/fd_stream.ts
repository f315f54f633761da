/**
 * Buffered, non-blocking byte I/O on a POSIX file descriptor (a serial port or a pseudo-terminal master)
 * that never blocks the event loop: waiting happens in `poll()` on a worker thread (an FFI call declared
 * `nonblocking`), in short slices so that `close()` and deadlines are honoured promptly; the `read()` and
 * `write()` calls themselves run only when `poll()` said they will not block (the descriptor is also
 * O_NONBLOCK).
 *
 * @module
 */

import { ByteQueue } from "../byte_queue.ts";
import { ReadTimeoutError, StreamClosedError } from "../byte_stream.ts";
import type { Libc } from "./libc.ts";
import { portGoneError, portIoError, writeTimeoutError } from "./port_errors.ts";

/** Longest single `poll()` wait; bounds how long `close()` waits for an in-flight wait to return. */
export const POLL_SLICE_MS = 50;

/** What a hang-up (POLLHUP, EIO) means for this descriptor. */
export type HangupPolicy =
  /** A serial port whose device went away: reads fail with `E_PORT_GONE`. */
  | "error"
  /** A pseudo-terminal master whose slave is not open right now: keep waiting for the next host program. */
  | "wait";

/** Options of {@linkcode FdStream}. */
export interface FdStreamOptions {
  /** Name used in error messages (the port path). */
  name: string;
  /** What a hang-up means. */
  hangup: HangupPolicy;
}

/** Buffered non-blocking reader/writer over one descriptor. Does not own the descriptor. */
export class FdStream {
  readonly #libc: Libc;
  readonly #fd: number;
  readonly #options: FdStreamOptions;
  readonly #scratch = new Uint8Array(65536);
  readonly #buffer = new ByteQueue();
  #closed = false;
  #hungUp = false;
  /** In-flight operations, awaited by close() so no poll is left running on a closed descriptor. */
  readonly #busy = new Set<Promise<unknown>>();
  #readQueue: Promise<unknown> = Promise.resolve();
  #writeQueue: Promise<unknown> = Promise.resolve();

  constructor(libc: Libc, fd: number, options: FdStreamOptions) {
    this.#libc = libc;
    this.#fd = fd;
    this.#options = options;
  }

  /** Bytes received and not yet read (after pulling what the descriptor has ready). */
  get pending(): number {
    if (!this.#closed) this.#pull();
    return this.#buffer.size;
  }

  /** True when the last look at the descriptor found the other side hung up (pty: no host program). */
  get hungUp(): boolean {
    return this.#hungUp;
  }

  /** True after {@linkcode FdStream.close}. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Reads exactly `length` bytes within `timeoutMs`, else rejects with {@linkcode ReadTimeoutError}. */
  read(length: number, timeoutMs: number): Promise<Uint8Array> {
    return this.#enqueueRead(() => this.#read(length, timeoutMs));
  }

  /** Takes everything received so far (possibly nothing) without waiting. */
  readAvailable(): Uint8Array {
    if (this.#closed) throw new StreamClosedError(this.#options.name);
    this.#pull();
    return this.#take(this.#buffer.size);
  }

  /**
   * Resolves `true` once at least one byte is buffered, `false` when `timeoutMs` passes first (waits without
   * limit when it is omitted) or the stream is closed meanwhile.
   */
  waitReadable(timeoutMs = Infinity): Promise<boolean> {
    return this.#track(this.#waitFor(1, Date.now() + timeoutMs));
  }

  /** Writes all of `data`; rejects with `E_WRITE_TIMEOUT` when the descriptor accepts nothing for `timeoutMs`. */
  write(data: Uint8Array, stallTimeoutMs: number): Promise<void> {
    const copy = data.slice();
    const job = this.#writeQueue.then(() => this.#write(copy, stallTimeoutMs));
    this.#writeQueue = job.catch(() => undefined);
    return this.#track(job);
  }

  /** Drops buffered bytes and whatever the descriptor has ready now. */
  discardBuffered(): void {
    if (this.#closed) return;
    this.#pull();
    this.#buffer.clear();
  }

  /** Stops all waits and resolves once no call is using the descriptor any more. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#busy.size > 0) await Promise.allSettled([...this.#busy]);
  }

  #enqueueRead<T>(operation: () => Promise<T>): Promise<T> {
    const job = this.#readQueue.then(operation);
    this.#readQueue = job.catch(() => undefined);
    return this.#track(job);
  }

  #track<T>(job: Promise<T>): Promise<T> {
    this.#busy.add(job);
    const forget = () => this.#busy.delete(job);
    job.then(forget, forget);
    return job;
  }

  async #read(length: number, timeoutMs: number): Promise<Uint8Array> {
    if (this.#closed) throw new StreamClosedError(this.#options.name);
    const complete = await this.#waitFor(length, Date.now() + timeoutMs);
    if (this.#closed) throw new StreamClosedError(this.#options.name);
    if (!complete) throw new ReadTimeoutError(length, this.#buffer.size, timeoutMs);
    return this.#take(length);
  }

  /** Waits until `length` bytes are buffered (true) or the deadline passes or the stream closes (false). */
  async #waitFor(length: number, deadline: number): Promise<boolean> {
    const { POLLIN, POLLHUP, POLLERR, POLLNVAL } = this.#libc.platform.poll;
    while (!this.#closed) {
      this.#pull();
      if (this.#buffer.size >= length) return true;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      const slice = Math.min(remaining, POLL_SLICE_MS);
      if (this.#hungUp && this.#options.hangup === "wait") {
        // poll() reports POLLHUP at once while no slave is open; sleep instead of spinning.
        await delay(slice);
        this.#hungUp = (this.#libc.pollNow(this.#fd, POLLIN) & POLLHUP) !== 0 && this.#buffer.size < length;
        continue;
      }
      const revents = await this.#libc.pollAsync(this.#fd, POLLIN, slice);
      if (this.#closed) return false;
      if ((revents & POLLNVAL) !== 0) throw portIoError(this.#options.name, "poll", "descriptor not open");
      // A hung-up terminal polls readable too (POLLIN|POLLHUP) while read() returns 0: judge by POLLHUP.
      if ((revents & (POLLHUP | POLLERR)) !== 0) {
        this.#pull();
        if (this.#buffer.size >= length) return true;
        if (this.#options.hangup === "error") throw portGoneError(this.#options.name);
        this.#hungUp = true;
      }
    }
    return false;
  }

  /** Moves whatever the descriptor has ready into the buffer, without waiting. */
  #pull(): void {
    const { EAGAIN, EINTR, EIO } = this.#libc.platform.errno;
    for (;;) {
      const { value, errno } = this.#libc.read(this.#fd, this.#scratch);
      if (value > 0) {
        this.#hungUp = false;
        this.#buffer.push(this.#scratch.subarray(0, value));
        if (value < this.#scratch.length) return;
        continue;
      }
      // With VMIN=0/VTIME=0 a terminal returns 0 when nothing is waiting.
      if (value === 0 || errno === EAGAIN) return;
      if (errno === EINTR) continue;
      if (errno === EIO) {
        // Linux: EIO on a pty master whose slave is closed (drivers/tty/n_tty.c, TTY_OTHER_CLOSED), or a
        // port whose device went away.
        if (this.#options.hangup === "error") throw portGoneError(this.#options.name);
        this.#hungUp = true;
        return;
      }
      throw portIoError(this.#options.name, "read", `errno ${errno}`);
    }
  }

  #take(length: number): Uint8Array {
    return this.#buffer.take(length);
  }

  async #write(data: Uint8Array, stallTimeoutMs: number): Promise<void> {
    const { EAGAIN, EINTR, EIO } = this.#libc.platform.errno;
    const { POLLOUT, POLLNVAL, POLLHUP, POLLERR } = this.#libc.platform.poll;
    let offset = 0;
    let lastProgress = Date.now();
    while (offset < data.length) {
      if (this.#closed) throw new StreamClosedError(this.#options.name);
      const { value, errno } = this.#libc.write(this.#fd, data.subarray(offset));
      if (value > 0) {
        offset += value;
        lastProgress = Date.now();
        continue;
      }
      if (value === -1 && errno === EINTR) continue;
      if (value === -1 && errno === EIO) throw portGoneError(this.#options.name);
      if (value === -1 && errno !== EAGAIN) throw portIoError(this.#options.name, "write", `errno ${errno}`);
      // The output queue is full: wait until the driver takes more.
      const remaining = lastProgress + stallTimeoutMs - Date.now();
      if (remaining <= 0) throw writeTimeoutError(this.#options.name, offset, data.length, stallTimeoutMs);
      const slice = Math.min(remaining, POLL_SLICE_MS);
      const revents = await this.#libc.pollAsync(this.#fd, POLLOUT, slice);
      if ((revents & POLLNVAL) !== 0) throw portIoError(this.#options.name, "poll", "descriptor not open");
      if ((revents & (POLLHUP | POLLERR)) !== 0 && (revents & POLLOUT) === 0) {
        if (this.#options.hangup === "error") throw portGoneError(this.#options.name);
        await delay(slice); // pty master without a slave: poll() would return at once
      }
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
