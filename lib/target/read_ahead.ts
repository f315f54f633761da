/**
 * Read-ahead for links where one large read costs little more than a small one. Over USB DfuSe every read starts
 * with a Set Address Pointer command and its GETSTATUS polls, then a DFU_ABORT (AN3156), while each further
 * wTransferSize block is one control transfer: comparing flash in 256-byte pieces (what lib/target/unchanged_pages.ts
 * asks for, the USART's Read Memory size) spends most of its time on those commands. A read that continues where the
 * last one ended is served from a window fetched in one upload, the window doubling with every sequential read (up to
 * a bound): a short probe costs a short read, a page-by-page comparison of a whole image costs about one large read.
 *
 * Why comparing first is then the cheaper plan on DFU, whatever the flash holds: a comparison costs at most one read of
 * the image (it stops at a page's first difference, and gives up after two leading pages that differ), about 1.5 ms per
 * 2048-byte block at full speed; erasing and writing costs the erase times (0.4-2 s per F4 sector) and a bwPollTimeout
 * per written block (about 100 ms on the captured ROMs, lib/sim/dfuse/parts.ts), and the verify reads it all anyway.
 * Before read-ahead, each 256-byte piece of the comparison paid its own Set Address Pointer and its bwPollTimeout, and
 * comparing 128 KiB (513 commands) took longer than erasing and writing it (issue 14: 6.3 s against 3.0 s).
 *
 * The window holds what the device returned; the owner drops it whenever the memory may have changed (any write,
 * erase, protection or option-byte change, reset), so a verify never compares against a stale copy.
 *
 * @module
 */

/** Reads `length` bytes at `address` from the device, reporting progress in bytes. */
export type FetchMemory = (
  address: number,
  length: number,
  progress?: (done: number, total: number) => void,
) => Promise<Uint8Array>;

/** Serves sequential reads from growing windows. */
export class ReadAhead {
  readonly #fetch: FetchMemory;
  readonly #maxWindow: number;
  readonly #readableEnd: (address: number) => number;
  #window: { address: number; data: Uint8Array } | undefined;

  /**
   * `fetch` reads the device; `maxWindow` bounds a window; `readableEnd(address)` is where the readable memory
   * holding `address` ends (a window never reaches past it, so reading ahead never asks for what the device refuses).
   */
  constructor(fetch: FetchMemory, maxWindow: number, readableEnd: (address: number) => number) {
    this.#fetch = fetch;
    this.#maxWindow = maxWindow;
    this.#readableEnd = readableEnd;
  }

  /**
   * `length` bytes at `address`: from the window when it holds them, else fetched (ahead, when sequential).
   * `progress` hears about the bytes asked for only.
   */
  async read(
    address: number,
    length: number,
    progress?: (done: number, total: number) => void,
  ): Promise<Uint8Array> {
    const window = this.#window;
    if (window && address >= window.address && address + length <= window.address + window.data.length) {
      const from = address - window.address;
      progress?.(length, length);
      return window.data.slice(from, from + length);
    }
    const sequential = window !== undefined && address >= window.address &&
      address <= window.address + window.data.length;
    let size = length;
    if (sequential) {
      const grown = Math.min(2 * window.data.length, this.#maxWindow);
      size = Math.max(length, Math.min(grown, this.#readableEnd(address) - address));
    }
    const data = await this.#fetch(address, size, progress && ((done) => progress(Math.min(done, length), length)));
    this.#window = size > length ? { address, data } : { address, data: data.slice() };
    return data.slice(0, length);
  }

  /** Drops the window: the memory may have changed. */
  invalidate(): void {
    this.#window = undefined;
  }
}
