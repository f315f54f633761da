/**
 * ELF reader for linked ARM firmware. Only 32-bit little-endian ARM executables are accepted (what
 * `arm-none-eabi-gcc` links for Cortex-M). Each `PT_LOAD` program header with file contents becomes a segment at
 * its physical (load) address `p_paddr` — so initialised `.data`, which runs in RAM, is placed where the startup
 * code copies it from in flash. Segments with `p_filesz` 0 (`.bss`, stacks) hold nothing to write.
 *
 * Layout facts: System V ABI "ELF header" and "Program header" chapters; constants from `elf.h` (`EM_ARM` = 40,
 * `PT_LOAD` = 1, `ELFCLASS32` = 1, `ELFDATA2LSB` = 1, `ET_REL` = 1).
 *
 * @module
 */

import { ImageError } from "./errors.ts";
import { type MemoryImage, MemoryImageBuilder } from "./memory_image.ts";

const EM_ARM = 40;
const PT_LOAD = 1;
const ET_REL = 1;
const ELF_HEADER_SIZE = 52; // Elf32_Ehdr
const PROGRAM_HEADER_SIZE = 32; // Elf32_Phdr
const SECTION_HEADER_SIZE = 40; // Elf32_Shdr
const SHT_NOBITS = 8;
const SHF_ALLOC = 0x2;

/** Names of machines people most often hand over by mistake (`elf.h` EM_* values). */
const MACHINE_NAMES: Record<number, string> = {
  3: "x86",
  8: "MIPS",
  20: "PowerPC",
  40: "ARM",
  62: "x86-64",
  94: "Xtensa",
  183: "AArch64",
  243: "RISC-V",
};

/**
 * Parses an ELF file into a {@linkcode MemoryImage} of its loadable contents at their load addresses; `e_entry`
 * becomes `entry`. Raises `E_IMAGE_FORMAT` for a 64-bit, big-endian, non-ARM or unlinked (relocatable) ELF,
 * `E_IMAGE_TRUNCATED` when headers or segment contents lie past the end of the file, `E_IMAGE_WRAP` for a
 * segment past 0xFFFFFFFF, `E_IMAGE_OVERLAP` for segments that load different bytes at the same address, and
 * `E_IMAGE_EMPTY` when nothing is loadable.
 */
export function parseElf(bytes: Uint8Array, name: string): MemoryImage {
  const location = { file: name };
  if (bytes.length < 16 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ImageError("E_IMAGE_FORMAT", "not an ELF file", { location });
  }
  const elfClass = bytes[4]; // e_ident[EI_CLASS]
  const encoding = bytes[5]; // e_ident[EI_DATA]
  if (elfClass === 2) {
    throw new ImageError("E_IMAGE_FORMAT", `a 64-bit ELF; STM32 firmware is 32-bit`, {
      location,
      hint: "build with arm-none-eabi-gcc for a Cortex-M target",
    });
  }
  if (elfClass !== 1) throw new ImageError("E_IMAGE_FORMAT", `unknown ELF class ${elfClass}`, { location });
  if (encoding !== 1) {
    throw new ImageError("E_IMAGE_FORMAT", `a big-endian ELF; STM32 firmware is little-endian`, {
      location,
    });
  }
  if (bytes.length < ELF_HEADER_SIZE) {
    throw new ImageError("E_IMAGE_TRUNCATED", "the file ends inside its ELF header", { location });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = view.getUint16(16, true);
  const machine = view.getUint16(18, true);
  if (machine !== EM_ARM) {
    const machineName = MACHINE_NAMES[machine] ?? `machine ${machine}`;
    throw new ImageError("E_IMAGE_FORMAT", `an ELF for ${machineName}, not ARM`, {
      location,
      hint: "this is not STM32 firmware; build with arm-none-eabi-gcc",
    });
  }
  if (type === ET_REL) {
    throw new ImageError("E_IMAGE_FORMAT", "an unlinked object file", {
      location,
      hint: "give the linked .elf, not a .o",
    });
  }
  const entry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  if (phnum > 0 && phentsize < PROGRAM_HEADER_SIZE) {
    throw new ImageError("E_IMAGE_FORMAT", `program headers of ${phentsize} bytes, expected 32`, {
      location,
    });
  }
  if (phoff + phnum * phentsize > bytes.length) {
    throw new ImageError("E_IMAGE_TRUNCATED", "the file ends inside its program headers", {
      location,
      hint: "the file is cut off; rebuild or re-copy it",
    });
  }
  const sections = allocatedSections(bytes, view, name);
  const builder = new MemoryImageBuilder(name);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    const offset = view.getUint32(at + 4, true);
    const physicalAddress = view.getUint32(at + 12, true);
    const fileSize = view.getUint32(at + 16, true);
    if (fileSize === 0) continue;
    if (offset + fileSize > bytes.length) {
      throw new ImageError(
        "E_IMAGE_TRUNCATED",
        `segment ${i} needs bytes up to offset ${offset + fileSize}, the file has ${bytes.length}`,
        { location, hint: "the file is cut off; rebuild or re-copy it" },
      );
    }
    let from = offset;
    let to = offset + fileSize;
    if (sections !== undefined) {
      const span = sections.spanInside(from, to);
      if (span === undefined) continue; // headers only, no section contents
      from = span.from;
      to = span.to;
    }
    builder.add(physicalAddress + (from - offset), bytes.subarray(from, to));
  }
  return builder.build({ entry });
}

/**
 * File ranges of the allocated sections with contents (SHF_ALLOC, not SHT_NOBITS, non-empty), or `undefined`
 * when the file has no section headers (then whole segments are used). Section headers past the end of the file
 * mean the file is cut off: they are the last thing a linker writes.
 */
function allocatedSections(
  bytes: Uint8Array,
  view: DataView,
  name: string,
): SectionRanges | undefined {
  const shoff = view.getUint32(32, true);
  const shentsize = view.getUint16(46, true);
  const shnum = view.getUint16(48, true);
  if (shoff === 0 || shnum === 0) return undefined;
  if (shentsize < SECTION_HEADER_SIZE) {
    throw new ImageError("E_IMAGE_FORMAT", `section headers of ${shentsize} bytes, expected 40`, {
      location: { file: name },
    });
  }
  if (shoff + shnum * shentsize > bytes.length) {
    throw new ImageError("E_IMAGE_TRUNCATED", "the file ends inside its section headers", {
      location: { file: name },
      hint: "the file is cut off; rebuild or re-copy it",
    });
  }
  const sections: { offset: number; end: number }[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    const type = view.getUint32(at + 4, true);
    const flags = view.getUint32(at + 8, true);
    const offset = view.getUint32(at + 16, true);
    const size = view.getUint32(at + 20, true);
    // A section past the end of the file lies inside no segment (segments are checked against the file's size).
    const end = offset + size;
    if ((flags & SHF_ALLOC) !== 0 && type !== SHT_NOBITS && size > 0 && end <= bytes.length) {
      sections.push({ offset, end });
    }
  }
  return new SectionRanges(sections);
}

/**
 * The file ranges of sections, indexed to answer "which sections lie wholly inside `[from, to)`, and what span do
 * they cover" in O(log n) per segment. A file may have 65535 program headers and 65535 section headers; filtering
 * every section for every segment took minutes. Two sorted orders and two sparse tables (range minimum of the ends
 * in offset order, range maximum of the offsets in end order) make it O((n + m) log n) in all.
 */
export class SectionRanges {
  readonly #offsets: Uint32Array; // ascending
  readonly #minEnd: Uint32Array[]; // #minEnd[k][i]: least end among offset-order sections i .. i + 2^k - 1
  readonly #ends: Uint32Array; // ascending
  readonly #maxOffset: Uint32Array[]; // #maxOffset[k][i]: greatest offset among end-order sections i .. i + 2^k - 1

  /** Indexes `sections` (file ranges `[offset, end)`, ends below 2^32). */
  constructor(sections: readonly { offset: number; end: number }[]) {
    const byOffset = [...sections].sort((a, b) => a.offset - b.offset);
    const byEnd = [...sections].sort((a, b) => a.end - b.end);
    this.#offsets = Uint32Array.from(byOffset, (s) => s.offset);
    this.#minEnd = sparseTable(Uint32Array.from(byOffset, (s) => s.end), Math.min);
    this.#ends = Uint32Array.from(byEnd, (s) => s.end);
    this.#maxOffset = sparseTable(Uint32Array.from(byEnd, (s) => s.offset), Math.max);
  }

  /** The span from the first start to the last end of the sections wholly inside `[from, to)`, if any. */
  spanInside(from: number, to: number): { from: number; to: number } | undefined {
    // Lowest offset: among sections starting in [from, to), the first (in offset order) that ends by `to`.
    const first = lowerBound(this.#offsets, from);
    const stop = lowerBound(this.#offsets, to);
    const start = firstWhere(first, stop, (j) => rangeQuery(this.#minEnd, first, j, Math.min) <= to);
    if (start === undefined) return undefined;
    // Highest end: among sections ending in (from, to], the last (in end order) that starts at or after `from`.
    const low = lowerBound(this.#ends, from + 1);
    const high = lowerBound(this.#ends, to + 1) - 1;
    const last = lastWhere(low, high, (j) => rangeQuery(this.#maxOffset, j, high, Math.max) >= from);
    if (last === undefined) return undefined; // unreachable: the section found above qualifies
    return { from: this.#offsets[start], to: this.#ends[last] };
  }
}

/** Level k holds `combine` over `values[i .. i + 2^k - 1]` at index i. */
function sparseTable(values: Uint32Array, combine: (a: number, b: number) => number): Uint32Array[] {
  const levels = [values];
  for (let width = 2; width <= values.length; width *= 2) {
    const previous = levels[levels.length - 1];
    const half = width / 2;
    const level = new Uint32Array(values.length - width + 1);
    for (let i = 0; i < level.length; i++) level[i] = combine(previous[i], previous[i + half]);
    levels.push(level);
  }
  return levels;
}

/** `combine` over `[from, to]` (inclusive, non-empty) from a {@linkcode sparseTable}. */
function rangeQuery(
  table: Uint32Array[],
  from: number,
  to: number,
  combine: (a: number, b: number) => number,
): number {
  const k = 31 - Math.clz32(to - from + 1);
  return combine(table[k][from], table[k][to - (1 << k) + 1]);
}

/** First index `i` in `values` (ascending) with `values[i] >= value`. */
function lowerBound(values: Uint32Array, value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Least `j` in `[from, to)` where `holds(j)`, for a `holds` that stays true once true. */
function firstWhere(from: number, to: number, holds: (j: number) => boolean): number | undefined {
  if (from >= to || !holds(to - 1)) return undefined;
  let low = from;
  let high = to - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (holds(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Greatest `j` in `[from, to]` where `holds(j)`, for a `holds` that stays true going down once true. */
function lastWhere(from: number, to: number, holds: (j: number) => boolean): number | undefined {
  if (from > to || !holds(from)) return undefined;
  let low = from;
  let high = to;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (holds(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}
