/**
 * Broken image files, each made from a good fixture (tests/fixtures/firmware, built by independent tools), must
 * be refused with one clear line naming the problem — before anything touches a board.
 *
 * Checksum arithmetic used to keep a damaged record otherwise valid: Intel HEX checksums are the two's complement
 * of the byte sum, so raising one byte by k lowers the checksum by k; DFU suffix CRCs are recomputed with dfuCrc.
 */

import assert from "node:assert/strict";
import { parseImage } from "../../lib/image/load.ts";
import { dfuCrc } from "../../lib/image/crc32.ts";
import { ascii, assertImageError, text } from "../../lib/image/test_util.ts";
import { SectionRanges } from "../../lib/image/elf.ts";
import { elfWithHeaders, scatteredFiles, scatteredImage } from "../helpers/hostile_images.ts";
import { writeDfuse } from "../../lib/image/dfuse_file.ts";
import { MAX_IMAGE_RUNS } from "../../lib/image/memory_image.ts";
import { runCli } from "../helpers/cli.ts";

const FIXTURES = new URL("../fixtures/firmware/", import.meta.url);
const read = (name: string) => Deno.readFile(new URL(name, FIXTURES));
const HEX_LINES = ascii(await read("blinky.hex")).trimEnd().split(/\r?\n/);
const SREC_LINES = ascii(await read("blinky.srec")).trimEnd().split(/\r?\n/);
const ELF = await read("blinky.elf");
const DFU = await read("blinky.dfu");
const BIN = await read("blinky.bin");

const hexFile = (lines: string[]) => text(lines.join("\n") + "\n");
const parseHex = (lines: string[]) => parseImage(hexFile(lines), { name: "blinky.hex" });
const parseSrec = (lines: string[]) => parseImage(text(lines.join("\n") + "\n"), { name: "blinky.srec" });

/** Replaces the two hex digits at `digit` (index into the record after ':') and adjusts the checksum. */
function editHexRecord(line: string, digit: number, value: number): string {
  const old = parseInt(line.slice(1 + digit, 3 + digit), 16);
  const checksum = parseInt(line.slice(-2), 16);
  const fixed = (checksum - (value - old)) & 0xff;
  const hex2 = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");
  return line.slice(0, 1 + digit) + hex2(value) + line.slice(3 + digit, -2) + hex2(fixed);
}

Deno.test("the good fixtures parse", () => {
  assert.equal(parseHex(HEX_LINES).segments.length, 2);
  assert.equal(parseSrec(SREC_LINES).segments.length, 2);
  // editHexRecord with the same value changes nothing.
  assert.equal(editHexRecord(HEX_LINES[4], 8, parseInt(HEX_LINES[4].slice(9, 11), 16)), HEX_LINES[4]);
});

Deno.test("wrong checksum names the line", () => {
  const hex = [...HEX_LINES];
  hex[4] = hex[4].slice(0, -2) + (hex[4].endsWith("00") ? "01" : "00");
  assertImageError(() => parseHex(hex), "E_IMAGE_CHECKSUM", /^blinky\.hex:5: checksum is 0x/);
  const srec = [...SREC_LINES];
  srec[2] = srec[2].slice(0, -2) + (srec[2].endsWith("00") ? "01" : "00");
  assertImageError(() => parseSrec(srec), "E_IMAGE_CHECKSUM", /^blinky\.srec:3: checksum is 0x/);
});

Deno.test("truncated files", () => {
  const hexBytes = hexFile(HEX_LINES);
  const cutHex = hexBytes.subarray(0, Math.floor(hexBytes.length / 2));
  assertImageError(
    () => parseImage(cutHex, { name: "blinky.hex" }),
    "E_IMAGE_TRUNCATED",
    /^blinky\.hex:\d+: file ends/,
  );
  assertImageError(() => parseHex(HEX_LINES.slice(0, 10)), "E_IMAGE_TRUNCATED", /no end-of-file record/);
  assertImageError(() => parseSrec(SREC_LINES.slice(0, 10)), "E_IMAGE_TRUNCATED", /no termination record/);
  assertImageError(
    () => parseImage(ELF.subarray(0, ELF.length / 4), { name: "blinky.elf" }),
    "E_IMAGE_TRUNCATED",
    /^blinky\.elf: the file ends inside its section headers/,
  );
  assertImageError(
    () => parseImage(DFU.subarray(0, DFU.length - 100), { name: "blinky.dfu", format: "dfu" }),
    "E_IMAGE_TRUNCATED",
    /no DFU suffix/,
  );
});

Deno.test("unknown record types", () => {
  const hex = [...HEX_LINES];
  hex[3] = editHexRecord(hex[3], 6, 0x06); // record type 00 -> 06
  assertImageError(() => parseHex(hex), "E_IMAGE_RECORD", /^blinky\.hex:4: unknown record type 0x06/);
  const srec = [...SREC_LINES];
  srec[3] = "S4" + srec[3].slice(2);
  assertImageError(() => parseSrec(srec), "E_IMAGE_RECORD", /^blinky\.srec:4: unknown record type S4/);
});

Deno.test("addresses that wrap", () => {
  const hex = [...HEX_LINES];
  assert.equal(hex[0], ":020000040800F2");
  hex[0] = editHexRecord(editHexRecord(hex[0], 8, 0xff), 10, 0xff); // upper address 0xFFFF
  hex[2] = editHexRecord(editHexRecord(hex[2], 2, 0xff), 4, 0xf8); // offset 0xFFF8, 16 bytes
  assertImageError(() => parseHex(hex), "E_IMAGE_WRAP", /^blinky\.hex:3: .*64 KiB/);
  const srec = [...SREC_LINES];
  assert.match(srec[1], /^S315080000/);
  // S3 address 0x08000000 -> 0xFFFFFFF8: the checksum falls by the byte sum's increase.
  const sumIncrease = (0xff + 0xff + 0xff + 0xf8) - (0x08 + 0x00 + 0x00 + 0x00);
  const checksum = (parseInt(srec[1].slice(-2), 16) - sumIncrease) & 0xff;
  srec[1] = "S315FFFFFFF8" + srec[1].slice(12, -2) + checksum.toString(16).toUpperCase().padStart(2, "0");
  assertImageError(() => parseSrec(srec), "E_IMAGE_WRAP", /^blinky\.srec:2: 16 bytes at 0xfffffff8 run past/);
  assertImageError(() => parseImage(BIN, { name: "blinky.bin", baseAddress: 0xffffff00 }), "E_IMAGE_WRAP");
});

Deno.test("ELF of the wrong machine", () => {
  const riscv = ELF.slice();
  new DataView(riscv.buffer).setUint16(18, 243, true); // e_machine = EM_RISCV
  assertImageError(
    () => parseImage(riscv, { name: "blinky.elf" }),
    "E_IMAGE_FORMAT",
    /^blinky\.elf: an ELF for RISC-V, not ARM/,
  );
});

Deno.test("DFU CRC mismatch", () => {
  const corrupt = DFU.slice();
  corrupt[400] ^= 0x80;
  assertImageError(() => parseImage(corrupt, { name: "blinky.dfu" }), "E_IMAGE_CRC", /^blinky\.dfu: DFU suffix CRC/);
});

Deno.test("an image overlapping itself with different data", () => {
  const hex = [...HEX_LINES];
  const duplicate = editHexRecord(hex[2], 8, (parseInt(hex[2].slice(9, 11), 16) + 1) & 0xff);
  hex.splice(hex.length - 1, 0, duplicate); // rewrite line 3's first address before EOF
  assertImageError(
    () => parseHex(hex),
    "E_IMAGE_OVERLAP",
    new RegExp(`^blinky\\.hex:${hex.length - 1}: 0x08000010 is written twice with different data \\(line 3`),
  );
  const dfu = DFU.slice();
  const view = new DataView(dfu.buffer);
  const second = 11 + 274 + 8 + view.getUint32(11 + 274 + 4, true);
  view.setUint32(second, 0x08000000, true); // the table element onto the vector table
  view.setUint32(dfu.length - 4, dfuCrc(dfu.subarray(0, dfu.length - 4)), true);
  assertImageError(() => parseImage(dfu, { name: "blinky.dfu" }), "E_IMAGE_OVERLAP", /written twice/);
});

Deno.test("an empty image", () => {
  assertImageError(
    () => parseHex([HEX_LINES[0], ":00000001FF"]),
    "E_IMAGE_EMPTY",
    /^blinky\.hex: the file holds no data/,
  );
  assertImageError(() => parseSrec([SREC_LINES[0], SREC_LINES[SREC_LINES.length - 1]]), "E_IMAGE_EMPTY");
  assertImageError(() => parseImage(new Uint8Array(), { name: "x.bin", baseAddress: 0x08000000 }), "E_IMAGE_EMPTY");
  const noElements = DFU.slice();
  const view = new DataView(noElements.buffer);
  noElements[10] = 0; // bTargets = 0 ...
  const body = 11;
  const trimmed = new Uint8Array(body + 16);
  trimmed.set(noElements.subarray(0, body));
  trimmed.set(noElements.subarray(noElements.length - 16), body);
  const trimmedView = new DataView(trimmed.buffer);
  trimmedView.setUint32(6, trimmed.length, true); // ... and no target bytes
  trimmedView.setUint32(trimmed.length - 4, dfuCrc(trimmed.subarray(0, trimmed.length - 4)), true);
  assert.equal(view.getUint32(6, true), DFU.length);
  assertImageError(() => parseImage(trimmed, { name: "e.dfu" }), "E_IMAGE_EMPTY", /^e\.dfu: the file holds no data/);
});

// Hostile but valid files: every parser and the `image` command stay linear in the input. These assert that the
// work completes (in a subprocess, under a generous limit) and what it found, never how fast it was; the figures
// come from `scripts/bench_image.ts`.

/** Runs `flashrecipe ARGS` in a subprocess, killed after `limitMs`. */
/** V8 heap of the subprocesses below. */
const HEAP_MB = 96;

async function runLimited(
  limitMs: number,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const output = await new Deno.Command(Deno.execPath(), {
    // V8's heap capped: the segment tables are printed in chunks, and a table built whole (30 MB of text for
    // 262144 segments, beside its 262144 rows) overflowed 128 MB.
    args: ["run", "-A", `--v8-flags=--max-old-space-size=${HEAP_MB}`, main, ...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(limitMs),
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("130000-segment HEX, S-record and DfuSe files are read whole (in-process)", () => {
  const files = scatteredFiles(130_000);
  for (const [name, bytes] of Object.entries({ "a.hex": files.hex, "a.srec": files.srec, "a.dfu": files.dfu })) {
    const image = parseImage(bytes, { name });
    assert.equal(image.segments.length, 130_000, name);
    assert.equal(image.size, 130_000, name);
  }
});

Deno.test("a HEX, S-record or DfuSe file of more separate runs than MAX_IMAGE_RUNS is refused at the run past it", () => {
  // Each run costs bookkeeping whatever its length: 20 million 1-byte records with gaps fit in the firmware size
  // cap and took gigabytes. The count stops them where it is crossed, with the line for the text formats.
  const files = scatteredFiles(MAX_IMAGE_RUNS + 1);
  for (const [name, bytes] of Object.entries({ "a.hex": files.hex, "a.srec": files.srec, "a.dfu": files.dfu })) {
    const error = assertImageError(
      () => parseImage(bytes, { name }),
      "E_IMAGE_FORMAT",
      new RegExp(`more than ${MAX_IMAGE_RUNS} separate runs`),
    );
    if (name !== "a.dfu") assert.ok((error.location?.line ?? 0) > MAX_IMAGE_RUNS, `${name}: the line past the limit`);
  }
});

Deno.test("the image command summarises a HEX of MAX_IMAGE_RUNS segments in a 96 MB heap (subprocess)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/a.hex`, scatteredFiles(MAX_IMAGE_RUNS).hex);
    const result = await runLimited(120_000, "image", `${dir}/a.hex`);
    assert.equal(result.code, 0, result.stderr.slice(0, 2000));
    assert.match(result.stdout, new RegExp(`^format hex, ${MAX_IMAGE_RUNS} segments`));
    assert.equal(result.stdout.trimEnd().split("\n").length, MAX_IMAGE_RUNS + 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the image command summarises a 130000-segment HEX and .dfu (subprocess, 120 s limit)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = scatteredFiles(130_000);
    for (const [name, bytes] of [["a.hex", files.hex], ["a.dfu", files.dfu]] as const) {
      await Deno.writeFile(`${dir}/${name}`, bytes);
      const result = await runLimited(120_000, "image", `${dir}/${name}`);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^format (hex|dfu), 130000 segments, 130000 bytes/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an ELF with 65535 segments and 65535 sections is read (its section filter is not quadratic)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const elf = elfWithHeaders({ segments: 65535, sections: 65535 });
    const image = parseImage(elf, { name: "many.elf" });
    assert.equal(image.segments.length, 65535);
    await Deno.writeFile(`${dir}/many.elf`, elf);
    const result = await runLimited(120_000, "image", `${dir}/many.elf`);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^format elf, 65535 segments, 65535 bytes, entry 0x08000001/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an ELF whose 65535 segments each load all the data stops at the bytes-added cap", () => {
  const elf = elfWithHeaders({ segments: 65535, sections: 0, overlapping: true });
  assertImageError(() => parseImage(elf, { name: "overlap.elf" }), "E_IMAGE_FORMAT", /adds up to more than 67108864/);
});

Deno.test("the section span of each segment matches a direct filter, on random layouts", () => {
  let seed = 7;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let round = 0; round < 200; round++) {
    const sections = Array.from({ length: 1 + random(30) }, () => {
      const offset = random(200);
      return { offset, end: offset + 1 + random(40) };
    });
    const index = new SectionRanges(sections);
    for (let q = 0; q < 20; q++) {
      const from = random(220);
      const to = from + random(120);
      const inside = sections.filter((s) => s.offset >= from && s.end <= to);
      const expected = inside.length === 0 ? undefined : {
        from: inside.reduce((m, s) => Math.min(m, s.offset), Infinity),
        to: inside.reduce((m, s) => Math.max(m, s.end), -Infinity),
      };
      assert.deepEqual(index.spanInside(from, to), expected, JSON.stringify({ sections, from, to }));
    }
  }
});

// Input and output files of the image commands and the simulator go through the guarded reader and the output check.
Deno.test({
  name: "image, convert and sim --flash-file refuse devices, FIFOs and folders; outputs in missing folders",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const fifo = `${dir}/pipe`;
      assert.equal((await new Deno.Command("mkfifo", { args: [fifo] }).output()).code, 0);
      const hexPath = `${dir}/a.hex`;
      await Deno.writeFile(hexPath, await read("blinky.hex"));
      const cases: [string[], RegExp][] = [
        [["image", "/dev/zero"], /^error\[E_FILE\]: \/dev\/zero: cannot read the image file: it is a character device/],
        [["image", "/dev/urandom", "--format", "bin", "--address", "0x08000000"], /it is a character device/],
        [["image", fifo], /cannot read the image file: it is a FIFO \(named pipe\)/],
        [["image", dir], /cannot read the image file: it is a folder/],
        [["convert", "/dev/zero", `${dir}/out.hex`], /it is a character device/],
        [
          ["convert", hexPath, `${dir}/missing/out.srec`],
          /^error\[E_FILE\]: .*out\.srec: cannot write the file: its folder/,
        ],
        [
          ["convert", hexPath, `${hexPath}/out.srec`],
          /cannot write the file: .*a\.hex' is a regular file, not a folder/,
        ],
        [
          ["sim", "usart", "--chip", "stm32f103c8", "--flash-file", `${dir}/missing/flash.bin`],
          /its folder .* does not exist/,
        ],
        [
          ["sim", "usart", "--chip", "stm32f103c8", "--flash-file", "/dev/zero"],
          /^error\[E_FILE\]: cannot write the flash file/,
        ],
        [["sim", "usart", "--chip", "stm32f103c8", "--flash-file", fifo], /flash file .*pipe': it is a FIFO/],
        [["sim", "usart", "--chip", "stm32f103c8", "--flash-file", dir], /flash file .*: it is a folder/],
      ];
      for (const [args, pattern] of cases) {
        const result = await runCli(...args);
        assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
        assert.match(result.stderr, pattern, args.join(" "));
        assert.doesNotMatch(result.stderr, /\n| {4}at /, args.join(" "));
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a DfuSe file of 255 targets, the first with 100000 elements, merges in one pass", () => {
  const many = scatteredImage(100_000);
  const single = writeDfuse(many);
  // Split the single-target file: prefix, its target, then 254 empty targets (bAlternateSetting 1..254).
  const body = single.subarray(0, single.length - 16);
  const empty = new Uint8Array(274);
  empty.set(text("Target"));
  const out = new Uint8Array(body.length + 254 * 274 + 16);
  out.set(body);
  for (let t = 1; t < 255; t++) {
    empty[6] = t;
    out.set(empty, body.length + (t - 1) * 274);
  }
  out[10] = 255; // bTargets
  const view = new DataView(out.buffer);
  view.setUint32(6, out.length, true); // DFUImageSize, whole file
  out.set(single.subarray(single.length - 16, single.length - 4), out.length - 16);
  view.setUint32(out.length - 4, dfuCrc(out.subarray(0, out.length - 4)), true);
  const image = parseImage(out, { name: "targets.dfu" });
  assert.equal(image.segments.length, 100_000);
});
