/**
 * A FIFO of received bytes kept as the chunks they arrived in, from which a reader takes exactly as many bytes as
 * it asks for. Stream ends (the in-memory pipe, the serial ports) buffer input in one while a `read(length)` waits
 * for enough to arrive.
 *
 * @module
 */

/** Bytes in arrival order; `take` copies them out without joining every chunk first. */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  #size = 0;

  /** Number of bytes buffered. */
  get size(): number {
    return this.#size;
  }

  /** Appends a copy of `data` (the caller may reuse its buffer); an empty chunk is ignored. */
  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.#chunks.push(data.slice());
    this.#size += data.length;
  }

  /** Removes and returns the first `length` bytes; throws `RangeError` when fewer are buffered. */
  take(length: number): Uint8Array {
    if (length > this.#size) throw new RangeError(`take(${length}) with only ${this.#size} bytes buffered`);
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

  /** Drops everything buffered. */
  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }
}
