/**
 * An in-memory, bidirectional byte pipe: two {@linkcode ByteStream} ends wired back to back. Tests and
 * `--simulate` connect the host protocol to a simulated chip through it, without any operating-system port.
 *
 * @module
 */

import { ByteQueue } from "./byte_queue.ts";
import { type ByteStream, ReadTimeoutError, StreamClosedError } from "./byte_stream.ts";
import { ParityError } from "./parity.ts";

/** One direction of the pipe: a byte FIFO that wakes waiting readers on every push and on close. */
class PipeQueue extends ByteQueue {
  #waiters: (() => void)[] = [];
  closed = false;

  override push(data: Uint8Array, errorOffsets: readonly number[] = []): void {
    if (data.length === 0) return;
    super.push(data, errorOffsets);
    this.#wake();
  }

  close(): void {
    this.closed = true;
    this.#wake();
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
  readonly #incoming: PipeQueue;
  readonly #outgoing: PipeQueue;
  /** Called with every chunk this end writes; lets a simulator observe or a test tap the traffic. */
  onWrite?: (data: Uint8Array) => void;

  constructor(incoming: PipeQueue, outgoing: PipeQueue) {
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
    return this.writeWithLineErrors(data, []);
  }

  /**
   * Writes `data` with the bytes at `errorOffsets` arriving with a parity error, as a one-bit flip on an 8E1 line
   * does: the reader that takes them gets a {@linkcode ParityError}, as a POSIX port with INPCK and PARMRK (or a
   * Windows port's CE_RXPARITY) reports it. The simulated board's UART model uses it.
   */
  writeWithLineErrors(data: Uint8Array, errorOffsets: readonly number[]): Promise<void> {
    if (this.#outgoing.closed) return Promise.reject(new StreamClosedError("pipe"));
    this.onWrite?.(data);
    this.#outgoing.push(data, errorOffsets);
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
    const { data, errors } = this.#incoming.takeChecked(length);
    if (errors) throw new ParityError(` (${length}-byte read)`);
    return data;
  }

  /** Reads whatever is buffered (possibly nothing) without waiting. */
  readAvailable(): Uint8Array {
    return this.#incoming.takeChecked(this.#incoming.size).data;
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
  const aToB = new PipeQueue();
  const bToA = new PipeQueue();
  return [new MemoryPipeEnd(bToA, aToB), new MemoryPipeEnd(aToB, bToA)];
}
