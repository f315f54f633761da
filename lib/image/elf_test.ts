import assert from "node:assert/strict";
import { parseElf } from "./elf.ts";
import { assertImageError } from "./test_util.ts";

/** The demo firmware linked by arm-none-eabi-gcc (scripts/build_firmware.ts). */
const GOOD = await Deno.readFile(new URL("../../tests/fixtures/firmware/blinky.elf", import.meta.url));

/** A copy of the fixture with `patch` applied through a little-endian DataView. */
function patched(patch: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
  const bytes = GOOD.slice();
  patch(new DataView(bytes.buffer), bytes);
  return bytes;
}

// Elf32_Ehdr: e_machine at 18, e_type at 16, e_phoff at 28, e_phnum at 44. Elf32_Phdr (32 bytes): p_type +0,
// p_offset +4, p_paddr +12, p_filesz +16 (System V ABI, "ELF header", "Program header").
const view = new DataView(GOOD.buffer, GOOD.byteOffset, GOOD.byteLength);
const PHOFF = view.getUint32(28, true);
const PHNUM = view.getUint16(44, true);
const phdr = (i: number) => PHOFF + 32 * i;

Deno.test("ELF: PT_LOAD segments at their physical addresses; .data loads from flash", () => {
  const image = parseElf(GOOD, "blinky.elf");
  assert.equal(image.start, 0x08000000);
  assert.ok(image.segments.every((segment) => segment.address >= 0x08000000 && segment.address < 0x08010000));
  // .data's segment runs at 0x20000000 but loads into flash: nothing of the image is in RAM.
  assert.equal(image.covers(0x20000000), false);
  const dataSegment = [...Array(PHNUM).keys()].find((i) => view.getUint32(phdr(i) + 8, true) === 0x20000000);
  assert.ok(dataSegment !== undefined);
  const loadAddress = view.getUint32(phdr(dataSegment) + 12, true);
  const offset = view.getUint32(phdr(dataSegment) + 4, true);
  const size = view.getUint32(phdr(dataSegment) + 16, true);
  assert.deepEqual(image.slice(loadAddress, size), GOOD.subarray(offset, offset + size));
});

Deno.test("ELF: wrong machine, 64-bit, big-endian and object files are refused", () => {
  assertImageError(
    () => parseElf(patched((v) => v.setUint16(18, 62, true)), "x86.elf"),
    "E_IMAGE_FORMAT",
    /^x86\.elf: an ELF for x86-64, not ARM/,
  );
  assertImageError(
    () => parseElf(patched((v) => v.setUint16(18, 999, true)), "odd.elf"),
    "E_IMAGE_FORMAT",
    /for machine 999, not ARM/,
  );
  assertImageError(() => parseElf(patched((_, b) => b[4] = 2), "64.elf"), "E_IMAGE_FORMAT", /64-bit/);
  assertImageError(() => parseElf(patched((_, b) => b[5] = 2), "be.elf"), "E_IMAGE_FORMAT", /big-endian/);
  assertImageError(() => parseElf(patched((v) => v.setUint16(16, 1, true)), "a.o"), "E_IMAGE_FORMAT", /unlinked/);
  assertImageError(() => parseElf(GOOD.subarray(1), "junk"), "E_IMAGE_FORMAT", /not an ELF/);
});

Deno.test("ELF: truncated files", () => {
  assertImageError(() => parseElf(GOOD.subarray(0, 40), "cut.elf"), "E_IMAGE_TRUNCATED", /ELF header/);
  assertImageError(() => parseElf(GOOD.subarray(0, PHOFF + 20), "cut.elf"), "E_IMAGE_TRUNCATED", /program headers/);
  const lastOffset = Math.max(
    ...[...Array(PHNUM).keys()].map((i) => view.getUint32(phdr(i) + 4, true) + view.getUint32(phdr(i) + 16, true)),
  );
  assertImageError(
    () => parseElf(GOOD.subarray(0, lastOffset - 1), "cut.elf"),
    "E_IMAGE_TRUNCATED",
    /^cut\.elf: the file ends inside its section headers/,
  );
  // Without section headers, the segment table alone shows the cut.
  const noSections = patched((v) => v.setUint32(32, 0, true)); // e_shoff = 0
  assertImageError(
    () => parseElf(noSections.subarray(0, lastOffset - 1), "cut.elf"),
    "E_IMAGE_TRUNCATED",
    /^cut\.elf: segment \d needs bytes up to offset \d+, the file has \d+/,
  );
  assert.deepEqual(parseElf(noSections, "n.elf").segments, parseElf(GOOD, "g.elf").segments);
});

Deno.test("ELF: headers mapped into the first segment are not loaded", () => {
  // Make segment 0 start at file offset 0 (ELF header, program headers, padding) and load 0x1000 bytes lower,
  // as a linker script with FILEHDR PHDRS would: its sections still start at 0x08000000.
  const first = phdr(0);
  assert.equal(view.getUint32(first + 4, true), 0x1000);
  const bytes = patched((v) => {
    v.setUint32(first + 4, 0, true);
    v.setUint32(first + 8, 0x08000000 - 0x1000, true);
    v.setUint32(first + 12, 0x08000000 - 0x1000, true);
    v.setUint32(first + 16, view.getUint32(first + 16, true) + 0x1000, true);
  });
  assert.deepEqual(parseElf(bytes, "h.elf").segments, parseElf(GOOD, "g.elf").segments);
  // Without section headers the whole segment, headers included, is what the file says to load.
  const whole = parseElf(
    patched((v, b) => {
      b.set(bytes);
      v.setUint32(32, 0, true);
    }),
    "w.elf",
  );
  assert.equal(whole.start, 0x08000000 - 0x1000);
});

Deno.test("ELF: a segment past 0xFFFFFFFF wraps", () => {
  const bytes = patched((v) => v.setUint32(phdr(0) + 12, 0xfffffff0, true));
  assertImageError(() => parseElf(bytes, "wrap.elf"), "E_IMAGE_WRAP", /run past 0xffffffff/);
});

Deno.test("ELF: segments loading different bytes at one address overlap", () => {
  // Move the table segment onto the vector table.
  const last = PHNUM - 1;
  assert.equal(view.getUint32(phdr(last) + 12, true), 0x08004000);
  const bytes = patched((v) => v.setUint32(phdr(last) + 12, 0x08000000, true));
  assertImageError(() => parseElf(bytes, "overlap.elf"), "E_IMAGE_OVERLAP", /0x0800000\w is written twice/);
});

Deno.test("ELF: no loadable contents is an empty image", () => {
  const bytes = patched((v) => {
    for (let i = 0; i < PHNUM; i++) v.setUint32(phdr(i), 0, true); // PT_NULL
  });
  assertImageError(() => parseElf(bytes, "empty.elf"), "E_IMAGE_EMPTY", /^empty\.elf: the file holds no data/);
});
