/**
 * The memories behind a simulated DfuSe bootloader's alternate settings: main flash and OTP use the shared
 * {@linkcode FlashMemory} model (erase before program; OTP is never erased), option bytes and the device-feature
 * word are plain bytes that a write replaces.
 *
 * @module
 */

import type { FlashPage } from "../../chips/layout.ts";
import { FlashMemory } from "../flash_memory.ts";
import { layoutPages, type MemoryLayout } from "../../protocol/dfu/memory_layout.ts";

/** One alternate setting's memory. */
export interface SimMemory {
  /** The layout the alternate-setting string describes. */
  readonly layout: MemoryLayout;
  /** Reads bytes (the caller has checked the layout allows it). */
  read(address: number, length: number): Uint8Array;
  /** Writes bytes; flash throws `FlashProgramError` when a unit is not erased. */
  write(address: number, data: Uint8Array): void;
  /** Erases the page holding `address` and returns its size, when the memory is erasable. */
  erasePageAt?(address: number): number;
  /** Erases everything, when the memory is erasable. */
  eraseAll?(): void;
}

/** Converts a layout into the erase units {@linkcode FlashMemory} expects. */
export function flashPagesOf(layout: MemoryLayout): FlashPage[] {
  return layoutPages(layout).map((page) => ({ ...page, bank: "bank 1" }));
}

/** Main flash or OTP on the shared flash model. */
export class FlashBackedMemory implements SimMemory {
  readonly layout: MemoryLayout;
  /** The flash model (contents and programmed-unit state). */
  readonly flash: FlashMemory;
  readonly #erasable: boolean;

  constructor(layout: MemoryLayout, programUnit: number, singleProgramPerErase: boolean) {
    this.layout = layout;
    this.flash = new FlashMemory({ pages: flashPagesOf(layout), programUnit, singleProgramPerErase });
    this.#erasable = layout.segments.some((s) => s.erasable);
  }

  read(address: number, length: number): Uint8Array {
    return this.flash.read(address, length);
  }

  write(address: number, data: Uint8Array): void {
    this.flash.program(address, data);
  }

  erasePageAt(address: number): number {
    if (!this.#erasable) throw new RangeError("memory is not erasable");
    const page = this.flash.pages.find((p) => address >= p.start && address < p.start + p.size);
    if (!page) throw new RangeError(`no page at 0x${address.toString(16)}`);
    this.flash.erasePage(page.index);
    return page.size;
  }

  eraseAll(): void {
    if (!this.#erasable) throw new RangeError("memory is not erasable");
    this.flash.eraseAll();
  }
}

/** Option bytes or the device-feature word: bytes a write replaces. */
export class ByteMemory implements SimMemory {
  readonly layout: MemoryLayout;
  /** Contents; index 0 is the first segment's start. */
  readonly bytes: Uint8Array;
  readonly #base: number;

  constructor(layout: MemoryLayout, initial: Uint8Array) {
    this.layout = layout;
    this.#base = Math.min(...layout.segments.map((s) => s.start));
    const end = Math.max(...layout.segments.map((s) => s.start + s.count * s.pageSize));
    this.bytes = new Uint8Array(end - this.#base).fill(0xff);
    this.bytes.set(initial.subarray(0, this.bytes.length));
  }

  read(address: number, length: number): Uint8Array {
    return this.bytes.slice(address - this.#base, address - this.#base + length);
  }

  write(address: number, data: Uint8Array): void {
    this.bytes.set(data, address - this.#base);
  }
}
