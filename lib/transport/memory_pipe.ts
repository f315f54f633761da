/**
 * An in-memory, bidirectional byte pipe: two {@linkcode ByteStream} ends wired back to back. Tests and
 * `--simulate` connect the host protocol to a simulated chip through it, without any operating-system port.
 *
 * @module
 */

import { type ByteStream, ReadTimeoutError, StreamClosedError } from "./byte_stream.ts";

/** One direction of the pipe: a FIFO with waiters. */
class ByteQueue {
  #chunks: Uint8Array[] = [];
  #size = 0;
  #waiters: (() => void)[] = [];
  closed = false;

  get size(): number {
    return this.#size;
  }

  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.#chunks.push(data.slice());
    this.#size += data.length;
    this.#wake();
  }

  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }

  close(): void {
    this.closed = true;
    this.#wake();
  }

  /** Removes and returns exactly `length` bytes; the caller ensures they are present. */
  take(length: number): Uint8Array {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const head = this.#chunks[0];
      const n = Math.min(head.length, length - filled);
      out.set(head.subarray(0, n), filled);
      filled += n;
      if (n === head.length) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(n);
    }
    this.#size -= length;
    return out;
  }

  /** Resolves on the next push or close. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** One end of a {@linkcode createMemoryPipe} pair. */
export class MemoryPipeEnd implements ByteStream {
  readonly #incoming: ByteQueue;
  readonly #outgoing: ByteQueue;
  /** Called with every chunk this end writes; lets a simulator observe or a test tap the traffic. */
  onWrite?: (data: Uint8Array) => void;

  constructor(incoming: ByteQueue, outgoing: ByteQueue) {
    this.#incoming = incoming;
    this.#outgoing = outgoing;
  }

  /** Bytes received and not yet read. */
  get pending(): number {
    return this.#incoming.size;
  }

  /** True once either end has been closed. */
  get closed(): boolean {
    return this.#outgoing.closed || this.#incoming.closed;
  }

  write(data: Uint8Array): Promise<void> {
    if (this.#outgoing.closed) return Promise.reject(new StreamClosedError("pipe"));
    this.onWrite?.(data);
    this.#outgoing.push(data);
    return Promise.resolve();
  }

  async read(length: number, timeoutMs: number): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    while (this.#incoming.size < length) {
      if (this.#incoming.closed) throw new StreamClosedError("pipe");
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new ReadTimeoutError(length, this.#incoming.size, timeoutMs);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<void>((resolve) => timer = setTimeout(resolve, remaining));
      await Promise.race([this.#incoming.changed(), timedOut]);
      clearTimeout(timer);
    }
    return this.#incoming.take(length);
  }

  /** Reads whatever is buffered (possibly nothing) without waiting. */
  readAvailable(): Uint8Array {
    return this.#incoming.take(this.#incoming.size);
  }

  /** Resolves when at least one byte is buffered or the pipe closes. */
  async waitReadable(): Promise<void> {
    while (this.#incoming.size === 0 && !this.#incoming.closed) await this.#incoming.changed();
  }

  discardInput(): Promise<void> {
    this.#incoming.clear();
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#outgoing.close();
    this.#incoming.close();
    return Promise.resolve();
  }
}

/** Creates two connected ends: bytes written to one are read from the other. */
export function createMemoryPipe(): [MemoryPipeEnd, MemoryPipeEnd] {
  const aToB = new ByteQueue();
  const bToA = new ByteQueue();
  return [new MemoryPipeEnd(bToA, aToB), new MemoryPipeEnd(aToB, bToA)];
}
