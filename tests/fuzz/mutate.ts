/**
 * Seeded mutation of recipes, images and command lines for the fuzz tests, and the checks every case must pass.
 *
 * Every case is reproducible from its seed: `FUZZ_SEED=N` sets the base seed (default 15), `FUZZ_CASES=N` the
 * number of cases per input (default: the small CI corpus), `FUZZ_PENDING=0` leaves out the hostile-file values, e.g.
 * `FUZZ_CASES=5000 ./node_modules/.bin/deno test -A tests/fuzz/`. A failure names the seed and case to rerun.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mulberry32 } from "../../lib/sim/seeded_random.ts";

/** Base seed of the run. */
export const FUZZ_SEED = Number(Deno.env.get("FUZZ_SEED") ?? 15);

/** Cases per input: `FUZZ_CASES` or `ciDefault`. */
export function fuzzCases(ciDefault: number): number {
  const asked = Number(Deno.env.get("FUZZ_CASES"));
  return Number.isSafeInteger(asked) && asked > 0 ? asked : ciDefault;
}

/**
 * Mutations that the guarded file reader and the YAML limits answer (aliases, unknown tags, /dev/zero): on by
 * default; `FUZZ_PENDING=0` leaves them out, to tell their failures from the loader's.
 */
export const INCLUDE_PENDING = Deno.env.get("FUZZ_PENDING") !== "0";

/** A small, fast, seeded PRNG (mulberry32, lib/sim/seeded_random.ts). */
export class Random {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }
  /** A float in [0, 1). */
  next(): number {
    return this.#next() / 4294967296;
  }
  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** One of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/** Values that have broken parsers before: limits, wrong types, references, escapes. */
const VALUES = [
  "0xFFFFFFFF",
  "0x100000000",
  "-1",
  "0",
  "2147483648",
  "99999999999999999999",
  "1e309",
  ".nan",
  "null",
  "~",
  "''",
  '""',
  "[]",
  "{}",
  "[[[[",
  "{ a: ",
  "yes",
  "0ms",
  "1ms",
  '"${env.}"',
  '"${env.A=B}"',
  '"${toString}"',
  '"${constructor}"',
  '"${__proto__}"',
  '"${firmware}${firmware}"',
  '"$${x}"',
  '"\\e[31mred\\e]0;title\\a"',
  '"a\\nb"',
  '"\\u202etxt.exe"',
  "firmware/blinky.hex",
  "/nonexistent/x.hex",
  "include/boot-and-connect.yaml",
  ".",
  "firmware",
  "stm32f405rg",
  "stm32f103c8",
  "dfu",
  "usart",
  "needed",
  "all",
  "read",
  "bootloader",
];

/** Values for the classes the guarded reader and YAML limits answer (INCLUDE_PENDING). */
const PENDING_VALUES = ["&a [*a]", "*nope", "!!js/function x", "!custom x", "/dev/zero"];

/** Steps to insert: every ordering mistake the loader must catch, and some valid ones. */
const STEPS = [
  "- jump",
  "- jump: { address: 0xFFFFFFFF }",
  "- leave-boot",
  "- reset",
  "- reset: { into: bootloader }",
  "- connect",
  "- enter-boot",
  "- verify",
  "- erase: all",
  "- erase: needed",
  "- write: { file: firmware/blinky.hex }",
  "- write: { file: firmware/blinky.hex, format: elf }",
  "- write: { file: fw.bin }",
  "- write: { file: fw.bin, address: 0x08000000 }",
  "- write: { file: fw.bin, address: 0xFFFFFFFF }",
  "- read: { address: 0x08000000, length: 1024, file: firmware }",
  "- read: { address: 0x08000000, length: 1024, file: out.hex }",
  "- read: { address: 0x08000000, length: 99999999999, file: out.bin }",
  "- protect: { read: true }",
  "- unprotect: read",
  "- option-bytes: read",
  "- option-bytes: { set: { RDP: 0xBB } }",
  "- include: include/boot-and-connect.yaml",
  "- include: /nonexistent.yaml",
  "- include: mutant.yaml",
  "- wait-usb: {}",
  "- jump-to-system-memory: {}",
  '- log: "${toString} ${env.} \\e[2J"',
  "- delay: 1ms",
  "- prompt: ok?",
  "- serial-number: { address: 0x0800FC00, encoding: u32le, value: 7 }",
];

/** `when:` conditions to add to a step. */
const CONDITIONS = [
  "1 == 1",
  "1 == 2",
  "not (1 == 1",
  Array.from({ length: 400 }, () => "1 == 1").join(" and "),
  "(".repeat(100) + "1" + ")".repeat(100),
  "${env.HOME} == x",
  "12345678901234567890 == 12345678901234567891",
  "${toString} == 1",
];

/** One seeded mutant of a recipe's text. */
export function mutateRecipe(text: string, random: Random): string {
  let lines = text.split("\n");
  const rounds = 1 + random.below(3);
  for (let round = 0; round < rounds; round++) {
    const at = random.below(lines.length);
    const line = lines[at] ?? "";
    const indent = /^\s*/.exec(line)![0];
    switch (random.below(9)) {
      case 0: // delete a line
        lines.splice(at, 1);
        break;
      case 1: // duplicate a line
        lines.splice(at, 0, line);
        break;
      case 2: { // swap two lines
        const other = random.below(lines.length);
        [lines[at], lines[other]] = [lines[other], lines[at]];
        break;
      }
      case 3:
      case 4: { // replace a value
        const values = INCLUDE_PENDING ? [...VALUES, ...PENDING_VALUES] : VALUES;
        const match = /^(.*?:\s+)(\S.*)$/.exec(line);
        if (match) lines[at] = match[1] + random.pick(values);
        else lines[at] = `${line} ${random.pick(values)}`;
        break;
      }
      case 5:
      case 6: { // insert a step beside a step
        const steps = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*- /.test(l));
        if (steps.length === 0) break;
        const [stepLine, stepAt] = random.pick(steps);
        const stepIndent = /^\s*/.exec(stepLine)![0];
        lines.splice(stepAt + random.below(2), 0, stepIndent + random.pick(STEPS));
        break;
      }
      case 7: { // add a condition to a step
        const steps = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*- \S+:/.test(l));
        if (steps.length === 0) break;
        const [stepLine, stepAt] = random.pick(steps);
        const stepIndent = /^\s*/.exec(stepLine)![0];
        lines.splice(stepAt + 1, 0, `${stepIndent}  when: "${random.pick(CONDITIONS)}"`);
        break;
      }
      case 8: { // a character changed, inserted or the text cut
        const joined = lines.join("\n");
        const cut = random.below(joined.length + 1);
        const kind = random.below(3);
        const char = random.pick([
          ":",
          "-",
          " ",
          "\t",
          "{",
          "[",
          '"',
          "'",
          "#",
          "&",
          "*",
          "!",
          "\n",
          "$",
          "\\",
          "\u0000",
        ]);
        const changed = kind === 0
          ? joined.slice(0, cut)
          : kind === 1
          ? joined.slice(0, cut) + char + joined.slice(cut)
          : joined.slice(0, cut) + char + joined.slice(cut + 1);
        lines = changed.split("\n");
        break;
      }
    }
    void indent;
  }
  return lines.join("\n");
}

/** One seeded mutant of an image file's bytes. */
export function mutateBytes(bytes: Uint8Array, random: Random): Uint8Array {
  let out: Uint8Array<ArrayBuffer> = new Uint8Array(bytes);
  const rounds = 1 + random.below(4);
  for (let round = 0; round < rounds; round++) {
    const at = random.below(out.length + 1);
    switch (random.below(7)) {
      case 0: // flip bits
        if (at < out.length) out[at] ^= 1 << random.below(8);
        break;
      case 1: // a byte to an edge value
        if (at < out.length) out[at] = random.pick([0, 0x7f, 0x80, 0xff, 0x3a, 0x0a, 0x0d, 0x53, 0x30]);
        break;
      case 2: // truncate
        out = out.slice(0, at);
        break;
      case 3: { // duplicate a chunk
        const length = random.below(256);
        const chunk = out.slice(at, at + length);
        out = concat(out.slice(0, at), chunk, out.slice(at));
        break;
      }
      case 4: { // delete a chunk
        out = concat(out.slice(0, at), out.slice(at + random.below(64)));
        break;
      }
      case 5: { // 32-bit field to an edge value (ELF/DFU headers, addresses, lengths)
        const aligned = at & ~3;
        if (aligned + 4 <= out.length) {
          new DataView(out.buffer, out.byteOffset).setUint32(
            aligned,
            random.pick([0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xffff, 0x10000]),
            random.below(2) === 0,
          );
        }
        break;
      }
      case 6: { // a text record's hex digits changed (HEX, S-record)
        const digits = "0123456789ABCDEFXZ";
        if (at < out.length) out[at] = digits.charCodeAt(random.below(digits.length));
        break;
      }
    }
  }
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** What every case must show, whatever the input: no trace, only well-formed error lines, no internal fault. */
export function assertWellBehaved(
  result: { code: number; stdout: string; stderr: string },
  context: string,
): void {
  const where = `${context}\n--- stderr:\n${result.stderr.slice(0, 2000)}`;
  assert.ok([0, 1, 2].includes(result.code), `exit code ${result.code}: ${where}`);
  assert.doesNotMatch(result.stderr + result.stdout, /^\s+at .+:\d+:\d+\)?$/m, `a stack trace: ${where}`);
  assert.doesNotMatch(result.stderr, /E_INTERNAL/, `an internal fault: ${where}`);
  for (const line of result.stderr.split("\n")) {
    if (line.startsWith("error")) assert.match(line, /^error\[E_[A-Z0-9_]+\]: \S/, `a malformed error line: ${where}`);
  }
  if (result.code !== 0) assert.match(result.stderr, /^error\[E_[A-Z0-9_]+\]: /m, `no error line: ${where}`);
}
