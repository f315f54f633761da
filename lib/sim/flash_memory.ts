/**
 * A model of STM32 embedded flash that behaves like the silicon where it matters to a flasher:
 * erased cells read 0xFF, erase works on whole pages/sectors, and programming a unit that is not erased fails
 * the way the part reports it (PGERR on F1, PROGERR on L4/G0/H7) instead of silently ANDing bits.
 *
 * @module
 */

import type { FlashPage } from "../chips/layout.ts";

/** Programming hit a unit that was not erased, or broke the program-unit rules. */
export class FlashProgramError extends Error {
  /** Address of the offending program unit. */
  readonly address: number;
  constructor(address: number, reason: string) {
    super(`flash program error at 0x${address.toString(16).padStart(8, "0")}: ${reason}`);
    this.name = "FlashProgramError";
    this.address = address;
  }
}

/** Construction options of {@linkcode FlashMemory}. */
export interface FlashMemoryOptions {
  /** The erase units, in address order and contiguous. */
  pages: readonly FlashPage[];
  /** Smallest programmable unit in bytes (2 on F1, 8 on L4/G0, 32 on H7). */
  programUnit: number;
  /**
   * Whether a unit may be programmed only once between erases even when the data written was all 0xFF
   * (parts with ECC on each unit: L4, G0, G4, H7, ...).
   */
  singleProgramPerErase?: boolean;
  /**
   * Whether programming a unit that is not erased goes ahead, clearing bits only, so the unit ends up holding the
   * AND of old and new (F2/F4: RM0090 §3.5.4) instead of failing (the default: PGERR/PROGERR on the others).
   */
  programOverDataClearsBits?: boolean;
}

/** Contents and state of a simulated main flash. */
export class FlashMemory {
  /** The erase units. */
  readonly pages: readonly FlashPage[];
  /** Smallest programmable unit in bytes. */
  readonly programUnit: number;
  /** Address of the first byte. */
  readonly base: number;
  /** Raw contents; index 0 is `base`. */
  readonly bytes: Uint8Array;
  readonly #programmed: Uint8Array;
  readonly #singleProgram: boolean;
  readonly #clearsBits: boolean;

  constructor(options: FlashMemoryOptions) {
    if (options.pages.length === 0) throw new RangeError("flash needs at least one page");
    this.pages = options.pages;
    this.programUnit = options.programUnit;
    this.base = options.pages[0].start;
    const last = options.pages[options.pages.length - 1];
    this.bytes = new Uint8Array(last.start + last.size - this.base).fill(0xff);
    this.#programmed = new Uint8Array(this.bytes.length / this.programUnit);
    this.#singleProgram = options.singleProgramPerErase ?? false;
    this.#clearsBits = options.programOverDataClearsBits ?? false;
  }

  /** Size in bytes. */
  get size(): number {
    return this.bytes.length;
  }

  /** True when `[address, address + length)` lies inside this flash. */
  contains(address: number, length = 1): boolean {
    return address >= this.base && address + length <= this.base + this.size;
  }

  /** Reads `length` bytes at `address` (must be inside the flash). */
  read(address: number, length: number): Uint8Array {
    this.#check(address, length);
    return this.bytes.slice(address - this.base, address - this.base + length);
  }

  /**
   * Programs `data` at `address`. Every program unit touched must be erased; partial units are padded with 0xFF
   * as the bootloader does. Throws {@linkcode FlashProgramError} and leaves earlier units programmed, as hardware
   * would stop at the failing unit — except on flash that clears bits over data, where the unit takes the AND.
   */
  program(address: number, data: Uint8Array): void {
    this.#check(address, data.length);
    const unit = this.programUnit;
    const first = Math.floor((address - this.base) / unit);
    const last = Math.floor((address - this.base + data.length - 1) / unit);
    for (let u = first; u <= last; u++) {
      const unitStart = u * unit;
      const current = this.bytes.subarray(unitStart, unitStart + unit);
      const next = current.slice().fill(0xff);
      for (let i = 0; i < unit; i++) {
        const offset = unitStart + i - (address - this.base);
        if (offset >= 0 && offset < data.length) next[i] = data[offset];
      }
      const erased = current.every((b) => b === 0xff) && !(this.#singleProgram && this.#programmed[u]);
      if (!erased && this.#clearsBits) {
        for (let i = 0; i < unit; i++) next[i] &= current[i];
      } else if (!erased) {
        throw new FlashProgramError(this.base + unitStart, "the location is not erased");
      }
      current.set(next);
      this.#programmed[u] = 1;
    }
  }

  /** Erases the page with this index. */
  erasePage(index: number): void {
    const page = this.pages[index];
    if (!page) throw new RangeError(`no page ${index}`);
    const offset = page.start - this.base;
    this.bytes.fill(0xff, offset, offset + page.size);
    this.#programmed.fill(0, offset / this.programUnit, (offset + page.size) / this.programUnit);
  }

  /** Erases every page. */
  eraseAll(): void {
    this.bytes.fill(0xff);
    this.#programmed.fill(0);
  }

  /** Replaces the whole contents (e.g. loaded from a `--flash-file`); units holding data count as programmed. */
  load(contents: Uint8Array): void {
    this.bytes.fill(0xff);
    this.bytes.set(contents.subarray(0, this.size));
    for (let u = 0; u < this.#programmed.length; u++) {
      const unit = this.bytes.subarray(u * this.programUnit, (u + 1) * this.programUnit);
      this.#programmed[u] = unit.every((b) => b === 0xff) ? 0 : 1;
    }
  }

  #check(address: number, length: number): void {
    if (!this.contains(address, length)) {
      throw new RangeError(`0x${address.toString(16)}+${length} is outside flash`);
    }
  }
}
