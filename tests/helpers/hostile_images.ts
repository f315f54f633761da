/**
 * Generated image files that are valid but hostile in size: very many segments, ELF files with tens of thousands of
 * program and section headers. Used by tests (completion, not speed) and by `scripts/bench_image.ts` (figures).
 *
 * @module
 */

import { MemoryImage } from "../../lib/image/memory_image.ts";
import { writeIntelHex } from "../../lib/image/intel_hex.ts";
import { writeSrec } from "../../lib/image/srec.ts";
import { writeDfuse } from "../../lib/image/dfuse_file.ts";

/** An image of `count` one-byte segments, each a byte apart from the next, from 0x08000000. */
export function scatteredImage(count: number): MemoryImage {
  const segments = Array.from({ length: count }, (_, i) => ({
    address: 0x0800_0000 + 2 * i,
    data: new Uint8Array([i & 0xff]),
  }));
  return new MemoryImage(segments);
}

/** {@linkcode scatteredImage} as Intel HEX, S-records and DfuSe. */
export function scatteredFiles(count: number): { hex: Uint8Array; srec: Uint8Array; dfu: Uint8Array } {
  const image = scatteredImage(count);
  return { hex: writeIntelHex(image), srec: writeSrec(image), dfu: writeDfuse(image) };
}

/** Options of {@linkcode elfWithHeaders}. */
export interface HostileElfOptions {
  /** Program headers (PT_LOAD), at most 65535. */
  segments: number;
  /** Allocated section headers, at most 65535. */
  sections: number;
  /** Every segment spans all the data (overlapping each other), instead of one byte each. */
  overlapping?: boolean;
}

/**
 * A 32-bit little-endian ARM executable (System V ABI layout, as lib/image/elf.ts reads it): `max(segments,
 * sections)` data bytes after the ELF header, then the program headers, then the section headers. Section i holds
 * data byte i; segment i loads byte i at 0x08000000 + 2i (or, `overlapping`, all the data at 0x08000000).
 */
export function elfWithHeaders(options: HostileElfOptions): Uint8Array {
  const { segments, sections } = options;
  const dataSize = Math.max(segments, sections, 1);
  const dataOffset = 52;
  const phoff = dataOffset + dataSize;
  const shoff = phoff + segments * 32;
  const bytes = new Uint8Array(shoff + sections * 40);
  const view = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]); // magic, ELFCLASS32, ELFDATA2LSB, EV_CURRENT
  view.setUint16(16, 2, true); // ET_EXEC
  view.setUint16(18, 40, true); // EM_ARM
  view.setUint32(20, 1, true);
  view.setUint32(24, 0x0800_0001, true); // e_entry
  view.setUint32(28, phoff, true);
  view.setUint32(32, sections > 0 ? shoff : 0, true);
  view.setUint16(40, 52, true); // e_ehsize
  view.setUint16(42, 32, true); // e_phentsize
  view.setUint16(44, segments, true);
  view.setUint16(46, 40, true); // e_shentsize
  view.setUint16(48, sections, true);
  for (let i = 0; i < dataSize; i++) bytes[dataOffset + i] = i & 0xff;
  for (let i = 0; i < segments; i++) {
    const at = phoff + i * 32;
    view.setUint32(at, 1, true); // PT_LOAD
    view.setUint32(at + 4, options.overlapping ? dataOffset : dataOffset + i, true); // p_offset
    const address = options.overlapping ? 0x0800_0000 : 0x0800_0000 + 2 * i;
    view.setUint32(at + 8, address, true); // p_vaddr
    view.setUint32(at + 12, address, true); // p_paddr
    view.setUint32(at + 16, options.overlapping ? dataSize : 1, true); // p_filesz
    view.setUint32(at + 20, options.overlapping ? dataSize : 1, true); // p_memsz
    view.setUint32(at + 24, 5, true); // PF_R | PF_X
  }
  for (let i = 0; i < sections; i++) {
    const at = shoff + i * 40;
    view.setUint32(at + 4, 1, true); // SHT_PROGBITS
    view.setUint32(at + 8, 0x6, true); // SHF_ALLOC | SHF_EXECINSTR
    view.setUint32(at + 12, 0x0800_0000 + 2 * i, true); // sh_addr
    view.setUint32(at + 16, dataOffset + i, true); // sh_offset
    view.setUint32(at + 20, 1, true); // sh_size
  }
  return bytes;
}
