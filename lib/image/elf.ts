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
      const inside = sections.filter((section) => section.offset >= from && section.end <= to);
      if (inside.length === 0) continue; // headers only, no section contents
      from = Math.min(...inside.map((section) => section.offset));
      to = Math.max(...inside.map((section) => section.end));
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
): { offset: number; end: number }[] | undefined {
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
    if ((flags & SHF_ALLOC) !== 0 && type !== SHT_NOBITS && size > 0) sections.push({ offset, end: offset + size });
  }
  return sections;
}
