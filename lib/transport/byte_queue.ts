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
  /** Bytes pushed and taken since the start, to place the line errors. */
  #pushed = 0;
  #taken = 0;
  /** Positions (in bytes pushed since the start) of bytes that arrived with a parity or framing error. */
  #errors: number[] = [];

  /** Number of bytes buffered. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends a copy of `data` (the caller may reuse its buffer); an empty chunk is ignored. `errorOffsets` are the
   * offsets in `data` of bytes that arrived with a line error (lib/transport/parity.ts).
   */
  push(data: Uint8Array, errorOffsets: readonly number[] = []): void {
    if (data.length === 0) return;
    for (const offset of errorOffsets) this.#errors.push(this.#pushed + offset);
    this.#pushed += data.length;
    this.#chunks.push(data.slice());
    this.#size += data.length;
  }

  /** Like {@linkcode take}; `errors` says whether any byte taken arrived with a line error. */
  takeChecked(length: number): { data: Uint8Array; errors: boolean } {
    const data = this.take(length);
    if (this.#errors.length === 0) return { data, errors: false };
    const start = this.#taken - length;
    const errors = this.#errors.some((at) => at >= start && at < this.#taken);
    this.#errors = this.#errors.filter((at) => at >= this.#taken);
    return { data, errors };
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
    this.#taken += length;
    return out;
  }

  /** Drops everything buffered. */
  clear(): void {
    this.#taken += this.#size;
    this.#errors = [];
    this.#chunks = [];
    this.#size = 0;
  }
}
