/**
 * DfuSe memory-layout strings: the interface string of each alternate setting names a memory and describes its
 * sectors, e.g. `@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg` (ST UM0424 §10 "alternate setting
 * string descriptor"; AN3156 §4; the grammar as dfu-util's dfuse_mem.c parses it).
 *
 * Grammar: `@<name>/<address>/<count>*<size><unit><type>[,<count>*<size><unit><type>...][/<address>/...]`, where
 * unit is `K` (1024), `M` (1024 * 1024), `B` or a space (bytes), and type is one letter `a`..`g` whose low three
 * bits say readable (1), erasable (2) and writable (4): a = r, b = e, c = r+e, d = w, e = r+w, f = e+w, g = r+e+w.
 *
 * @module
 */

import { DeviceError } from "../../errors.ts";

/** A run of equally sized sectors with the same access rights. */
export interface MemorySegment {
  /** Address of the first sector. */
  start: number;
  /** Size of each sector in bytes (the erase unit of erasable memory). */
  pageSize: number;
  /** Number of sectors. */
  count: number;
  /** The memory can be read (DFU_UPLOAD). */
  readable: boolean;
  /** The sectors can be erased (DfuSe Erase command). */
  erasable: boolean;
  /** The memory can be written (DFU_DNLOAD). */
  writable: boolean;
}

/** A parsed alternate-setting string: the memory's name and its segments in string order. */
export interface MemoryLayout {
  /** Memory name with surrounding blanks removed, e.g. `Internal Flash`. */
  name: string;
  /** Segments in the order the string lists them. */
  segments: MemorySegment[];
}

/** One erase unit of a layout. */
export interface MemoryPage {
  /** 0-based index across all segments of the layout. */
  index: number;
  /** First address. */
  start: number;
  /** Size in bytes. */
  size: number;
}

/** The device's alternate-setting string does not follow the DfuSe layout grammar. */
export class MemoryLayoutError extends DeviceError {
  constructor(text: string, reason: string) {
    super("E_DFU_LAYOUT", `unreadable DfuSe memory layout ${JSON.stringify(text)}: ${reason}`, {
      hint: "the device is not an ST DfuSe bootloader, or reports a layout this tool does not understand",
    });
  }
}

// Unit multipliers (UM0424 §10; dfu-util dfuse_mem.c also accepts 'B').
// A space or no unit means bytes, e.g. "01*016 e".
const UNITS: Readonly<Record<string, number>> = { "K": 1024, "M": 1024 * 1024, "B": 1, "": 1 };

const SEGMENT = /^\s*(\d+)\*(\d+)\s*([KMB]?)\s*([a-g])\s*$/;

/** Parses a DfuSe alternate-setting string into typed segments. Throws {@linkcode MemoryLayoutError}. */
export function parseMemoryLayout(text: string): MemoryLayout {
  if (!text.startsWith("@")) throw new MemoryLayoutError(text, "it does not start with '@'");
  const parts = text.slice(1).split("/");
  const name = parts[0].trim();
  if (parts.length < 3 || (parts.length - 1) % 2 !== 0) {
    throw new MemoryLayoutError(text, "expected /<address>/<sectors> after the name");
  }
  const segments: MemorySegment[] = [];
  for (let p = 1; p < parts.length; p += 2) {
    const addressText = parts[p].trim();
    if (!/^0x[0-9a-f]+$/i.test(addressText)) {
      throw new MemoryLayoutError(text, `${JSON.stringify(addressText)} is not a hexadecimal address`);
    }
    let address = parseInt(addressText.slice(2), 16);
    for (const item of parts[p + 1].split(",")) {
      const match = SEGMENT.exec(item);
      if (!match) throw new MemoryLayoutError(text, `${JSON.stringify(item)} is not <count>*<size><unit><type>`);
      const count = parseInt(match[1], 10);
      const pageSize = parseInt(match[2], 10) * UNITS[match[3]];
      const bits = (match[4].charCodeAt(0) - "a".charCodeAt(0) + 1) & 7;
      if (count === 0 || pageSize === 0) throw new MemoryLayoutError(text, `${JSON.stringify(item)} is empty`);
      segments.push({
        start: address,
        pageSize,
        count,
        readable: (bits & 1) !== 0,
        erasable: (bits & 2) !== 0,
        writable: (bits & 4) !== 0,
      });
      address += count * pageSize;
    }
  }
  return { name, segments };
}

/** Size in bytes of a segment. */
export function segmentSize(segment: MemorySegment): number {
  return segment.count * segment.pageSize;
}

/** Returns the segment holding `address`, or `undefined`. */
export function segmentAt(layout: MemoryLayout, address: number): MemorySegment | undefined {
  return layout.segments.find((s) => address >= s.start && address < s.start + segmentSize(s));
}

/** True when every byte of `[address, address + length)` lies in segments that have `access`. */
export function layoutAllows(
  layout: MemoryLayout,
  address: number,
  length: number,
  access: "readable" | "erasable" | "writable",
): boolean {
  let at = address;
  const end = address + Math.max(length, 1);
  while (at < end) {
    const segment = segmentAt(layout, at);
    if (!segment || !segment[access]) return false;
    at = segment.start + segmentSize(segment);
  }
  return true;
}

/** Lists every sector of a layout, numbered from 0 in address order. */
export function layoutPages(layout: MemoryLayout): MemoryPage[] {
  const pages: MemoryPage[] = [];
  const sorted = [...layout.segments].sort((a, b) => a.start - b.start);
  for (const segment of sorted) {
    for (let i = 0; i < segment.count; i++) {
      pages.push({ index: pages.length, start: segment.start + i * segment.pageSize, size: segment.pageSize });
    }
  }
  return pages;
}

/** Total size in bytes of all segments. */
export function layoutSize(layout: MemoryLayout): number {
  return layout.segments.reduce((sum, s) => sum + segmentSize(s), 0);
}
