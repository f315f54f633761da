/**
 * The `image` and `convert` commands, run in-process on the firmware fixtures (tests/fixtures/firmware, built by
 * independent tools: arm-none-eabi-gcc/objcopy, dfu-util's dfuse-pack and dfu-suffix).
 *
 * Digests are checked against SHA-256 computed here with Web Crypto over bytes taken from the ELF's segments and
 * from the raw .bin file itself; conversions are checked by loading the results with loadImageFile and comparing
 * memory with the fixtures.
 */

import assert from "node:assert/strict";
import { runCli, tempFiles } from "../helpers/cli.ts";
import { loadImageFile } from "../../lib/image/load.ts";
import type { MemoryImage } from "../../lib/image/memory_image.ts";

const FIXTURES = new URL("../fixtures/firmware/", import.meta.url).pathname;
const FLASH = 0x08000000;

interface JsonSummary {
  format: string;
  segments: { address: number; length: number; sha256: string }[];
  totalSize: number;
  entry?: number;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(bytes)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Runs `image ... --json`, asserts success and returns the parsed document. */
async function imageJson(...args: string[]): Promise<JsonSummary> {
  const result = await runCli("image", ...args, "--json");
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as JsonSummary;
}

/** Asserts a failed run: exit 2 and exactly one line on stderr matching `pattern`, nothing on stdout. */
function assertOneLineError(result: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr.split("\n").length, 1, result.stderr);
  assert.match(result.stderr, pattern);
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await tempFiles({});
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Asserts two images hold the same bytes at the same addresses. */
function assertSameMemory(actual: MemoryImage, expected: MemoryImage, what: string): void {
  assert.deepEqual(
    actual.segments.map((s) => [s.address, s.data.length]),
    expected.segments.map((s) => [s.address, s.data.length]),
    what,
  );
  assert.deepEqual(actual.segments, expected.segments, what);
}

Deno.test("image: hex, srec, elf and DfuSe fixtures show the ELF's segments with their SHA-256", async () => {
  const elf = await loadImageFile(`${FIXTURES}blinky.elf`);
  const expected = await Promise.all(
    elf.segments.map(async (s) => ({ address: s.address, length: s.data.length, sha256: await sha256(s.data) })),
  );
  assert.equal(expected.length, 2);
  for (
    const [name, format] of [["blinky.hex", "hex"], ["blinky.srec", "srec"], ["blinky.elf", "elf"], [
      "blinky.dfu",
      "dfu",
    ]]
  ) {
    const summary = await imageJson(`${FIXTURES}${name}`);
    assert.equal(summary.format, format, name);
    assert.deepEqual(summary.segments, expected, name);
    assert.equal(summary.totalSize, elf.size, name);

    // The table shows the same facts.
    const table = await runCli("image", `${FIXTURES}${name}`);
    assert.equal(table.code, 0, table.stderr);
    assert.equal(table.stderr, "");
    assert.match(table.stdout, new RegExp(`^format ${format}, 2 segments, ${elf.size} bytes`));
    for (const segment of expected) {
      const address = `0x${segment.address.toString(16).padStart(8, "0")}`;
      assert.match(table.stdout, new RegExp(`^${address} .* ${segment.length}  ${segment.sha256}$`, "m"), name);
    }
  }
});

Deno.test("image: the raw .bin and the plain .dfu with --address are one segment hashing like the .bin file", async () => {
  const bin = await Deno.readFile(`${FIXTURES}blinky.bin`);
  const expected = [{ address: FLASH, length: bin.length, sha256: await sha256(bin) }];
  for (const [name, format] of [["blinky.bin", "bin"], ["blinky_plain.dfu", "dfu"]]) {
    for (const address of ["0x08000000", String(FLASH)]) {
      const summary = await imageJson(`${FIXTURES}${name}`, "--address", address);
      assert.equal(summary.format, format, name);
      assert.deepEqual(summary.segments, expected, name);
      assert.equal(summary.totalSize, bin.length);
      assert.equal(summary.entry, undefined);
    }
  }
  // Elsewhere in memory: same bytes, different address.
  const moved = await imageJson(`${FIXTURES}blinky.bin`, "--address", "0x20000000");
  assert.deepEqual(moved.segments, [{ ...expected[0], address: 0x20000000 }]);
});

Deno.test("image --json prints one JSON document with the entry point", async () => {
  const result = await runCli("image", `${FIXTURES}blinky.elf`, "--json");
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as JsonSummary;
  const elf = await loadImageFile(`${FIXTURES}blinky.elf`);
  assert.equal(summary.entry, elf.entry);
  assert.deepEqual(Object.keys(summary).sort(), ["entry", "format", "segments", "totalSize"]);
});

Deno.test("image --format overrides detection; --address on an addressed format warns", async () => {
  await withTempDir(async (dir) => {
    await Deno.copyFile(`${FIXTURES}blinky.hex`, `${dir}/firmware.img`);
    // .img means a raw binary by name, but the content is Intel HEX and is detected as such.
    assert.equal((await imageJson(`${dir}/firmware.img`)).format, "hex");
    // Forced to bin, the same file is read as raw bytes: one segment the size of the file.
    const size = (await Deno.stat(`${dir}/firmware.img`)).size;
    const raw = await imageJson(`${dir}/firmware.img`, "--format", "bin", "--address", "0");
    assert.equal(raw.format, "bin");
    assert.deepEqual(raw.segments.map((s) => [s.address, s.length]), [[0, size]]);
  });
  const ignored = await runCli("image", `${FIXTURES}blinky.hex`, "--address", "0x1000");
  assert.equal(ignored.code, 0, ignored.stderr);
  assert.match(ignored.stderr, /^warning: --address 0x00001000 is ignored: .*blinky\.hex carries its own addresses/);
  assert.match(ignored.stdout, /^0x08000000 /m);
});

Deno.test("convert: hex -> bin -> hex gives the objcopy .bin's memory, with the start address printed", async () => {
  await withTempDir(async (dir) => {
    const toBin = await runCli("convert", `${FIXTURES}blinky.hex`, `${dir}/a.bin`);
    assert.equal(toBin.code, 0, toBin.stderr);
    assert.equal(toBin.stdout.split("\n").length, 1);
    const start = toBin.stdout.match(/^wrote .*a\.bin: bin, 1 segment, (\d+) bytes from (0x[0-9a-f]{8}) /);
    assert.ok(start, toBin.stdout);
    assert.equal(start[2], "0x08000000");
    assert.match(toBin.stdout, /--address 0x08000000/);
    const written = await Deno.readFile(`${dir}/a.bin`);
    assert.equal(Number(start[1]), written.length);
    // objcopy -O binary --gap-fill 0xff made the fixture .bin from the same program.
    assert.deepEqual(written, await Deno.readFile(`${FIXTURES}blinky.bin`));

    const toHex = await runCli("convert", `${dir}/a.bin`, `${dir}/b.hex`, "--address", start[2]);
    assert.equal(toHex.code, 0, toHex.stderr);
    assert.match(toHex.stdout, /^wrote .*b\.hex: hex, 1 segment, \d+ bytes from 0x08000000 to 0x08004020 \(file \d+/);
    const back = await loadImageFile(`${dir}/b.hex`);
    assertSameMemory(back, await loadImageFile(`${FIXTURES}blinky.bin`, { baseAddress: FLASH }), "b.hex");
    // And over the original's segments, the bytes are the original's.
    const original = await loadImageFile(`${FIXTURES}blinky.hex`);
    for (const segment of original.segments) {
      assert.deepEqual(back.slice(segment.address, segment.data.length), segment.data);
    }
  });
});

Deno.test("convert: elf -> dfu -> srec keeps the ELF's segments byte for byte", async () => {
  await withTempDir(async (dir) => {
    const elf = await loadImageFile(`${FIXTURES}blinky.elf`);
    const toDfu = await runCli("convert", `${FIXTURES}blinky.elf`, `${dir}/c.dfu`);
    assert.equal(toDfu.code, 0, toDfu.stderr);
    const dfuSize = (await Deno.stat(`${dir}/c.dfu`)).size;
    assert.equal(
      toDfu.stdout,
      `wrote ${dir}/c.dfu: dfu, 2 segments, ${elf.size} bytes from 0x08000000 to 0x08004020 (file ${dfuSize} bytes)`,
    );
    assert.equal((await imageJson(`${dir}/c.dfu`)).format, "dfu");
    assertSameMemory(await loadImageFile(`${dir}/c.dfu`), elf, "c.dfu");

    const toSrec = await runCli("convert", `${dir}/c.dfu`, `${dir}/d.srec`);
    assert.equal(toSrec.code, 0, toSrec.stderr);
    assert.match(toSrec.stdout, /: srec, 2 segments, /);
    assert.equal((await imageJson(`${dir}/d.srec`)).format, "srec");
    assertSameMemory(await loadImageFile(`${dir}/d.srec`), elf, "d.srec");
  });
});

Deno.test("convert --to overrides the extension; ELF and unknown outputs are refused", async () => {
  await withTempDir(async (dir) => {
    const result = await runCli("convert", `${FIXTURES}blinky.elf`, `${dir}/out.txt`, "--to", "srec");
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await imageJson(`${dir}/out.txt`)).format, "srec");

    assertOneLineError(
      await runCli("convert", `${FIXTURES}blinky.elf`, `${dir}/out.xyz`),
      /^error\[E_IMAGE_FORMAT\]: cannot tell the output format .*out\.xyz .*--to/,
    );
    assertOneLineError(
      await runCli("convert", `${FIXTURES}blinky.hex`, `${dir}/out.elf`),
      /^error\[E_IMAGE_FORMAT\]: convert cannot write ELF/,
    );
    assertOneLineError(
      await runCli("convert", `${FIXTURES}blinky.hex`, `${dir}/out.hex`, "--to", "hx"),
      /^error\[E_USAGE\]: --to must be one of .* not 'hx' \(did you mean 'hex'\?\)/,
    );
    // Nothing was written by the refused runs.
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assert.deepEqual(names, ["out.txt"]);
  });
});

Deno.test("a corrupt file: exit 2, one line naming the file and line", async () => {
  const lines = new TextDecoder().decode(await Deno.readFile(`${FIXTURES}blinky.hex`)).trimEnd().split(/\r?\n/);
  // Break the checksum of the fifth record.
  lines[4] = lines[4].slice(0, -2) + (lines[4].endsWith("00") ? "01" : "00");
  const dir = await tempFiles({ "bad.hex": lines.join("\n") + "\n" });
  try {
    assertOneLineError(
      await runCli("image", `${dir}/bad.hex`),
      new RegExp(`^error\\[E_IMAGE_CHECKSUM\\]: ${dir}/bad\\.hex:5: checksum`),
    );
    assertOneLineError(
      await runCli("convert", `${dir}/bad.hex`, `${dir}/out.bin`),
      new RegExp(`^error\\[E_IMAGE_CHECKSUM\\]: ${dir}/bad\\.hex:5: checksum`),
    );
    await assert.rejects(Deno.stat(`${dir}/out.bin`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a .bin (or plain .dfu) without --address: exit 2 with the hint to give one", async () => {
  for (const name of ["blinky.bin", "blinky_plain.dfu"]) {
    assertOneLineError(
      await runCli("image", `${FIXTURES}${name}`),
      new RegExp(`^error\\[E_IMAGE_ADDRESS\\]: .*${name.replace(".", "\\.")}: .*no load address.*--address 0x`),
    );
  }
  await withTempDir(async (dir) => {
    assertOneLineError(
      await runCli("convert", `${FIXTURES}blinky.bin`, `${dir}/out.hex`),
      /^error\[E_IMAGE_ADDRESS\]: .*blinky\.bin: a raw binary holds no load address.*--address 0x/,
    );
  });
});

Deno.test("image and convert usage mistakes exit 2 with one line", async () => {
  assertOneLineError(await runCli("image"), /^error\[E_USAGE\]: image takes exactly one file/);
  assertOneLineError(await runCli("convert", "a.hex"), /^error\[E_USAGE\]: convert takes an input and an output/);
  assertOneLineError(
    await runCli("image", `${FIXTURES}blinky.bin`, "--address", "flash"),
    /^error\[E_USAGE\]: --address must be a number/,
  );
  assertOneLineError(await runCli("image", "no/such.hex"), /^error\[E_FILE\]: no\/such\.hex: cannot read/);
  const help = await runCli("--help");
  assert.match(help.stdout, /^ {2}image +show a firmware image/m);
  assert.match(help.stdout, /^ {2}convert +convert a firmware image/m);
  for (const command of ["image", "convert"]) {
    const commandHelp = await runCli(command, "--help");
    assert.equal(commandHelp.code, 0);
    assert.match(commandHelp.stdout, /Examples:\n {2}# .*\n {2}flashrecipe /);
  }
});
