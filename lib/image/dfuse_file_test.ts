import assert from "node:assert/strict";
import { parseDfuFile, parseDfuSuffix, writeDfuse, writePlainDfu } from "./dfuse_file.ts";
import { crc32, dfuCrc } from "./crc32.ts";
import { MemoryImage } from "./memory_image.ts";
import { parseElf } from "./elf.ts";
import { assertImageError, text } from "./test_util.ts";

const fixture = (name: string) => Deno.readFile(new URL(`../../tests/fixtures/firmware/${name}`, import.meta.url));
/** Built by dfu-util's dfuse-pack (-D 0x0483:0xdf11, two -b elements). */
const DFUSE = await fixture("blinky.dfu");
/** blinky.bin plus a suffix by dfu-suffix -v 0483 -p df11 -a. */
const PLAIN = await fixture("blinky_plain.dfu");
const BIN = await fixture("blinky.bin");
const ELF = parseElf(await fixture("blinky.elf"), "blinky.elf");

// DfuSe offsets (UM0391): prefix 11 bytes, target prefix 274, then elements of 8 header bytes + data.
const FIRST_ELEMENT = 11 + 274;

/** A copy with `patch` applied and the suffix CRC recomputed, so only the patched fault remains. */
function patched(bytes: Uint8Array, patch: (view: DataView, bytes: Uint8Array) => void): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  patch(view, copy);
  view.setUint32(copy.length - 4, dfuCrc(copy.subarray(0, copy.length - 4)), true);
  return copy;
}

Deno.test("CRC-32 check value and the DFU variant", () => {
  assert.equal(crc32(text("123456789")), 0xcbf43926); // the standard check value of CRC-32/ISO-HDLC
  assert.equal(dfuCrc(text("123456789")), ~0xcbf43926 >>> 0);
});

Deno.test("DfuSe: reads dfuse-pack's file as the ELF's segments", () => {
  const dfu = parseDfuFile(DFUSE, "blinky.dfu");
  assert.deepEqual(dfu.image.segments, ELF.segments);
  assert.equal(dfu.targets[0].name, "ST...");
  assert.equal(dfu.image.name, "blinky.dfu");
});

Deno.test("DfuSe writer: byte-identical to dfuse-pack given the same fields", () => {
  const written = writeDfuse(ELF, { device: 0, targetName: "ST..." });
  assert.deepEqual(written, DFUSE);
  const back = parseDfuFile(writeDfuse(ELF, { alternateSetting: 1, vendorId: 0x1234, productId: 0x5678 }), "rt.dfu");
  assert.deepEqual(back.image.segments, ELF.segments);
  assert.equal(back.targets[0].alternateSetting, 1);
  assert.equal(back.targets[0].name, "flashrecipe");
  assert.deepEqual(
    [back.suffix.vendorId, back.suffix.productId, back.suffix.device, back.suffix.dfuVersion],
    [0x1234, 0x5678, 0xffff, 0x011a],
  );
  assertImageError(() => writeDfuse(MemoryImage.empty()), "E_IMAGE_EMPTY");
});

Deno.test("plain DFU: needs a base address; writer matches dfu-suffix", () => {
  assertImageError(() => parseDfuFile(PLAIN, "p.dfu"), "E_IMAGE_ADDRESS", /plain DFU file .*address:/);
  const image = parseDfuFile(PLAIN, "p.dfu", 0x08000000).image;
  assert.deepEqual(image.segments, [{ address: 0x08000000, data: BIN }]);
  assert.deepEqual(writePlainDfu(BIN, { vendorId: 0x0483, productId: 0xdf11 }), PLAIN);
  assert.deepEqual(parseDfuSuffix(writePlainDfu(BIN), "x.dfu").vendorId, 0xffff);
});

Deno.test("DFU: CRC mismatch", () => {
  for (const [name, bytes] of [["blinky.dfu", DFUSE], ["plain.dfu", PLAIN]] as const) {
    const corrupt = bytes.slice();
    corrupt[FIRST_ELEMENT + 20] ^= 0x01;
    assertImageError(
      () => parseDfuFile(corrupt, name, 0x08000000),
      "E_IMAGE_CRC",
      new RegExp(`^${name}: DFU suffix CRC is 0x[0-9a-f]{8}, the file's contents give 0x[0-9a-f]{8}`),
    );
  }
});

Deno.test("DFU: truncated files", () => {
  assertImageError(() => parseDfuFile(DFUSE.subarray(0, DFUSE.length - 3), "cut.dfu"), "E_IMAGE_TRUNCATED", /suffix/);
  // A cut inside an element, with a valid suffix re-added: the element runs past its target.
  const short = patched(DFUSE, (v) => v.setUint32(FIRST_ELEMENT + 4, 5000, true));
  assertImageError(() => parseDfuFile(short, "e.dfu"), "E_IMAGE_TRUNCATED", /target 0 element 0 of 5000 bytes/);
  const lying = patched(DFUSE, (v) => v.setUint32(6, 99999, true));
  assertImageError(() => parseDfuFile(lying, "s.dfu"), "E_IMAGE_TRUNCATED", /prefix says the image is 99999 bytes/);
  const targetSize = patched(DFUSE, (v) => v.setUint32(11 + 266, 100000, true));
  assertImageError(() => parseDfuFile(targetSize, "t.dfu"), "E_IMAGE_TRUNCATED", /ends inside target 0/);
});

Deno.test("DfuSe: malformed targets", () => {
  const badSignature = patched(DFUSE, (_, b) => b[11] = 0x74); // "target"
  assertImageError(() => parseDfuFile(badSignature, "b.dfu"), "E_IMAGE_RECORD", /does not start with "Target"/);
  const badVersion = patched(DFUSE, (_, b) => b[5] = 2);
  assertImageError(() => parseDfuFile(badVersion, "v.dfu"), "E_IMAGE_FORMAT", /version 2/);
  const fewer = patched(DFUSE, (v) => v.setUint32(11 + 270, 1, true)); // 1 element but 2 present
  assertImageError(() => parseDfuFile(fewer, "f.dfu"), "E_IMAGE_RECORD", /says it holds \d+ bytes/);
});

Deno.test("DfuSe: element addresses that wrap, and overlapping elements", () => {
  const secondElement = FIRST_ELEMENT + 8 + new DataView(DFUSE.buffer).getUint32(FIRST_ELEMENT + 4, true);
  const wrap = patched(DFUSE, (v) => v.setUint32(secondElement, 0xfffffff0, true));
  assertImageError(() => parseDfuFile(wrap, "w.dfu"), "E_IMAGE_WRAP", /run past 0xffffffff/);
  const overlap = patched(DFUSE, (v) => v.setUint32(secondElement, 0x08000000, true));
  assertImageError(() => parseDfuFile(overlap, "o.dfu"), "E_IMAGE_OVERLAP", /written twice with different data/);
});

Deno.test("DfuSe: several targets merge; conflicting targets name both", () => {
  const a = writeDfuse(new MemoryImage([{ address: 0x08000000, data: new Uint8Array([1, 2]) }]));
  const b = writeDfuse(new MemoryImage([{ address: 0x1fff_f800, data: new Uint8Array([0xa5, 0x5a]) }]), {
    alternateSetting: 1,
  });
  const conflicting = writeDfuse(new MemoryImage([{ address: 0x08000001, data: new Uint8Array([9]) }]), {
    alternateSetting: 2,
  });
  const combine = (...files: Uint8Array[]) => {
    // Prefix of the first file, then every file's target, then a fresh suffix.
    const targets = files.map((file) => file.subarray(11, file.length - 16));
    const total = 11 + targets.reduce((sum, t) => sum + t.length, 0) + 16;
    const out = new Uint8Array(total);
    out.set(files[0].subarray(0, 11));
    const view = new DataView(out.buffer);
    view.setUint32(6, total, true);
    out[10] = files.length;
    let at = 11;
    for (const target of targets) {
      out.set(target, at);
      at += target.length;
    }
    out.set(files[0].subarray(files[0].length - 16), at);
    return patched(out, () => {});
  };
  const both = parseDfuFile(combine(a, b), "two.dfu");
  assert.deepEqual(both.targets.map((t) => t.alternateSetting), [0, 1]);
  assert.deepEqual(both.image.segments.map((s) => s.address), [0x08000000, 0x1fff_f800]);
  assertImageError(
    () => parseDfuFile(combine(a, conflicting), "c.dfu"),
    "E_IMAGE_OVERLAP",
    /c\.dfu target 0 and c\.dfu target 2 differ at 0x08000001/,
  );
});
