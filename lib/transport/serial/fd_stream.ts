/**
 * Buffered, non-blocking byte I/O on a POSIX file descriptor (a serial port or a pseudo-terminal master).
 * Waiting happens in `poll()` on a worker thread (an FFI call declared `nonblocking`), in short slices so that
 * `close()` and deadlines are honoured promptly — or, where the process allows it (lib/transport/serial/
 * wait_policy.ts: only while it is the process's one open stream), first in a `poll()` that blocks the calling
 * thread for a bounded stretch, which spares every reply the hand-over from the worker to the event loop. The `read()` and `write()` calls themselves never wait
 * (the descriptor is O_NONBLOCK). A read or write with nothing queued ahead of it completes without yielding to
 * the event loop when the bytes are there (or the driver takes them) at once.
 *
 * @module
 */

import { ByteQueue } from "../byte_queue.ts";
import { ReadTimeoutError, StreamClosedError } from "../byte_stream.ts";
import { ParityError, ParmrkDecoder } from "../parity.ts";
import type { Libc } from "./libc.ts";
import { portGoneError, portIoError, writeTimeoutError } from "./port_errors.ts";
import { blockingWaitStretchMs, registerSerialStream } from "./wait_policy.ts";

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
  /**
   * The terminal marks bytes received with a parity or framing error (PARMRK with INPCK): decode the markings
   * (lib/transport/parity.ts) and fail the read that takes such a byte with `E_PARITY`.
   */
  parityMarked?: boolean;
}

/** Buffered non-blocking reader/writer over one descriptor. Does not own the descriptor. */
export class FdStream {
  readonly #libc: Libc;
  readonly #fd: number;
  readonly #options: FdStreamOptions;
  readonly #scratch = new Uint8Array(65536);
  readonly #buffer = new ByteQueue();
  readonly #parmrk?: ParmrkDecoder;
  #closed = false;
  #hungUp = false;
  /** In-flight operations, awaited by close() so no poll is left running on a closed descriptor. */
  readonly #busy = new Set<Promise<unknown>>();
  /** Reads and writes that wait asynchronously, in order; a new one may take the synchronous path only behind none. */
  readonly #reads = new OperationQueue();
  readonly #writes = new OperationQueue();
  /** When a wait last let the event loop run (performance.now()): the start of the current blocking stretch. */
  #lastYield = performance.now();
  /** Ends this stream's count in the process-wide wait policy (several open streams never block). */
  readonly #unregister = registerSerialStream();

  constructor(libc: Libc, fd: number, options: FdStreamOptions) {
    this.#libc = libc;
    this.#fd = fd;
    this.#options = options;
    if (options.parityMarked) this.#parmrk = new ParmrkDecoder();
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
    const deadline = Date.now() + timeoutMs;
    if (this.#reads.idle) {
      try {
        if (this.#closed) throw new StreamClosedError(this.#options.name);
        if (this.#waitBlocking(length, deadline) === "ready") return Promise.resolve(this.#take(length));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.#track(this.#reads.run(() => this.#read(length, deadline, timeoutMs)));
  }

  /** Takes everything received so far (possibly nothing) without waiting. */
  readAvailable(): Uint8Array {
    if (this.#closed) throw new StreamClosedError(this.#options.name);
    this.#pull();
    return this.#buffer.take(this.#buffer.size);
  }

  /**
   * Resolves `true` once at least one byte is buffered, `false` when `timeoutMs` passes first (waits without
   * limit when it is omitted) or the stream is closed meanwhile.
   */
  waitReadable(timeoutMs = Infinity): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    try {
      if (this.#waitBlocking(1, deadline) === "ready") return Promise.resolve(true);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#track(this.#waitFor(1, deadline));
  }

  /** Writes all of `data`; rejects with `E_WRITE_TIMEOUT` when the descriptor accepts nothing for `timeoutMs`. */
  write(data: Uint8Array, stallTimeoutMs: number): Promise<void> {
    let written = 0;
    if (this.#writes.idle) {
      try {
        written = this.#writeNow(data);
      } catch (error) {
        return Promise.reject(error);
      }
      if (written === data.length) return Promise.resolve();
    }
    // The driver's output queue is full (or earlier writes wait): the rest waits its turn.
    const rest = data.slice(written);
    return this.#track(this.#writes.run(() => this.#write(rest, stallTimeoutMs, written, data.length)));
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
    this.#unregister();
    while (this.#busy.size > 0) await Promise.allSettled([...this.#busy]);
  }

  #track<T>(job: Promise<T>): Promise<T> {
    this.#busy.add(job);
    const forget = () => this.#busy.delete(job);
    job.then(forget, forget);
    return job;
  }

  async #read(length: number, deadline: number, timeoutMs: number): Promise<Uint8Array> {
    if (this.#closed) throw new StreamClosedError(this.#options.name);
    const complete = await this.#waitFor(length, deadline);
    if (this.#closed) throw new StreamClosedError(this.#options.name);
    if (!complete) throw new ReadTimeoutError(length, this.#buffer.size, timeoutMs);
    return this.#take(length);
  }

  /**
   * Waits on the calling thread, within the blocking stretch the process allows, until `length` bytes are
   * buffered: `ready` when they are; `expired` when the deadline or the stretch ran out first (the event loop is
   * due a turn); `unavailable` when waiting here is not allowed now. The rest of the wait is
   * {@linkcode FdStream.#waitFor}'s.
   */
  #waitBlocking(length: number, deadline: number): "ready" | "expired" | "unavailable" {
    if (this.#buffer.size >= length) return "ready";
    const stretch = blockingWaitStretchMs();
    // A queued write may need the event loop to finish sending what the reply answers.
    if (stretch === 0 || this.#closed || this.#hungUp || !this.#writes.idle) return "unavailable";
    const { POLLIN } = this.#libc.platform.poll;
    for (;;) {
      const left = Math.min(deadline - Date.now(), stretch - (performance.now() - this.#lastYield));
      if (left <= 0) return "expired";
      const revents = this.#libc.pollBlocking(this.#fd, POLLIN, left);
      if (revents !== 0 && this.#onPolled(revents, length)) return "ready";
      if (this.#hungUp) return "unavailable";
    }
  }

  /**
   * Waits until `length` bytes are buffered (true) or the deadline passes or the stream closes (false). At the
   * deadline the descriptor is read once more without waiting, so a reply already there is never a timeout.
   */
  async #waitFor(length: number, deadline: number): Promise<boolean> {
    const { POLLIN, POLLHUP } = this.#libc.platform.poll;
    if (!this.#closed) this.#pull();
    while (!this.#closed) {
      if (this.#buffer.size >= length) return true;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        // One last look before giving up: bytes that came after the last poll, while the event loop was busy
        // elsewhere (other gang slots, a loaded machine), were in time. A hang-up found here still fails the read.
        this.#pull();
        return this.#buffer.size >= length;
      }
      const slice = Math.min(remaining, POLL_SLICE_MS);
      if (this.#hungUp && this.#options.hangup === "wait") {
        // poll() reports POLLHUP at once while no slave is open; sleep instead of spinning.
        await delay(slice);
        this.#lastYield = performance.now();
        if (this.#closed) return false;
        this.#hungUp = (this.#libc.pollNow(this.#fd, POLLIN) & POLLHUP) !== 0;
        this.#pull();
        continue;
      }
      const blocking = this.#waitBlocking(length, deadline);
      if (blocking === "ready") return true;
      // After a blocking stretch the worker-thread poll only gives the event loop its turn (it returns at once),
      // and the next stretch begins; otherwise it is the wait itself.
      const revents = await this.#libc.pollAsync(this.#fd, POLLIN, blocking === "expired" ? 0 : slice);
      this.#lastYield = performance.now();
      if (this.#closed) return false;
      if (revents !== 0 && this.#onPolled(revents, length)) return true;
    }
    return false;
  }

  /** Takes in what `poll()` reported: true when `length` bytes are now buffered. */
  #onPolled(revents: number, length: number): boolean {
    const { POLLHUP, POLLERR, POLLNVAL } = this.#libc.platform.poll;
    if ((revents & POLLNVAL) !== 0) throw portIoError(this.#options.name, "poll", "descriptor not open");
    this.#pull();
    if (this.#buffer.size >= length) return true;
    // A hung-up terminal polls readable too (POLLIN|POLLHUP) while read() returns 0: judge by POLLHUP.
    if ((revents & (POLLHUP | POLLERR)) !== 0) {
      if (this.#options.hangup === "error") throw portGoneError(this.#options.name);
      this.#hungUp = true;
    }
    return false;
  }

  /** Takes `length` buffered bytes; a byte among them marked with a line error fails the read. */
  #take(length: number): Uint8Array {
    const { data, errors } = this.#buffer.takeChecked(length);
    if (errors) throw new ParityError(` on ${this.#options.name}`);
    return data;
  }

  /** Moves whatever the descriptor has ready into the buffer, without waiting. */
  #pull(): void {
    const { EAGAIN, EINTR, EIO } = this.#libc.platform.errno;
    for (;;) {
      const { value, errno } = this.#libc.read(this.#fd, this.#scratch);
      if (value > 0) {
        this.#hungUp = false;
        if (this.#parmrk) {
          const { data, errors } = this.#parmrk.decode(this.#scratch.subarray(0, value));
          this.#buffer.push(data, errors);
        } else {
          this.#buffer.push(this.#scratch.subarray(0, value));
        }
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

  /** Hands the driver as much of `data` as it takes now, without waiting; returns how many bytes it took. */
  #writeNow(data: Uint8Array): number {
    const { EAGAIN, EINTR, EIO } = this.#libc.platform.errno;
    if (this.#closed) throw new StreamClosedError(this.#options.name);
    let offset = 0;
    while (offset < data.length) {
      const { value, errno } = this.#libc.write(this.#fd, offset === 0 ? data : data.subarray(offset));
      if (value > 0) {
        offset += value;
        continue;
      }
      if (value === -1 && errno === EINTR) continue;
      if (value === -1 && errno === EIO) throw portGoneError(this.#options.name);
      if (value === -1 && errno !== EAGAIN) throw portIoError(this.#options.name, "write", `errno ${errno}`);
      break;
    }
    return offset;
  }

  /** Writes all of `data`, waiting while the driver's output queue is full; `before` of `total` went already. */
  async #write(data: Uint8Array, stallTimeoutMs: number, before: number, total: number): Promise<void> {
    const { POLLOUT, POLLNVAL, POLLHUP, POLLERR } = this.#libc.platform.poll;
    let offset = 0;
    let lastProgress = Date.now();
    for (;;) {
      const taken = this.#writeNow(data.subarray(offset));
      if (taken > 0) {
        offset += taken;
        lastProgress = Date.now();
      }
      if (offset >= data.length) return;
      // The output queue is full: wait until the driver takes more.
      const remaining = lastProgress + stallTimeoutMs - Date.now();
      if (remaining <= 0) throw writeTimeoutError(this.#options.name, before + offset, total, stallTimeoutMs);
      const slice = Math.min(remaining, POLL_SLICE_MS);
      const revents = await this.#libc.pollAsync(this.#fd, POLLOUT, slice);
      this.#lastYield = performance.now();
      if ((revents & POLLNVAL) !== 0) throw portIoError(this.#options.name, "poll", "descriptor not open");
      if ((revents & (POLLHUP | POLLERR)) !== 0 && (revents & POLLOUT) === 0) {
        if (this.#options.hangup === "error") throw portGoneError(this.#options.name);
        await delay(slice); // pty master without a slave: poll() would return at once
      }
    }
  }
}

/** Operations run one after another, each once the one before has settled. */
class OperationQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  /** True while no operation waits or runs. */
  get idle(): boolean {
    return this.#pending === 0;
  }

  /** Runs `operation` after every operation queued before it has settled. */
  run<T>(operation: () => Promise<T>): Promise<T> {
    this.#pending++;
    const done = () => {
      this.#pending--;
    };
    const job = this.#tail.then(operation);
    job.then(done, done);
    this.#tail = job.catch(() => undefined);
    return job;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
