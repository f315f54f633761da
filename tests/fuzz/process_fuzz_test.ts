/**
 * The guarantees a user sees, checked on real processes against a simulated board on a pseudo-terminal
 * (`flashrecipe sim usart --flash-file`): a recipe whose later step is wrong (or names /dev/zero or a FIFO with no
 * writer, which would blow memory or block a plain read) is refused with exit 2 and one
 * positioned `error[E_...]` line, no trace, within a time limit and a memory cap — and the flash file is
 * byte-identical afterwards. The cases are the issue's "written before validating" classes plus seeded mutants of
 * a recipe that erases and writes. A valid recipe run last shows that the harness sees a changed flash.
 */
import assert from "node:assert/strict";
import { startUsartSim } from "../../scripts/bench/processes.ts";
import { FUZZ_SEED, fuzzCases, mutateRecipe, Random } from "./mutate.ts";
import { runCli } from "../helpers/cli.ts";
import { elfWithHeaders, scatteredFiles } from "../helpers/hostile_images.ts";
import { MAX_IMAGE_RUNS } from "../../lib/image/memory_image.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const HEX = await Deno.readTextFile(new URL("../../recipes/firmware/blinky.hex", import.meta.url));
/** Per process: a hang is a failure, not a stuck CI job. */
const TIME_LIMIT_MS = 60_000;
/** Per process: V8's heap cap, so that a blow-up is a failure here instead of on the machine. */
const HEAP_MB = 256;
const MUTANTS = fuzzCases(6);

const HEADER = "version: 1\nname: t\ntarget: { chip: stm32f103c8 }\nvars: { fw: fw.hex }\nsteps:\n";
const GOOD = `${HEADER}  - connect\n  - erase: needed\n  - write: { file: "\${fw}" }\n  - verify\n`;
const LAUGHS = Array.from({ length: 9 }, (_, i) => `  l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(", ")}]\n`)
  .join("");
const BROKEN_LATER: Record<string, [string, string[]?]> = {
  "write after jump": [`${HEADER}  - connect\n  - erase: all\n  - jump\n  - write: { file: fw.hex }\n`],
  "verify before write": [`${HEADER}  - connect\n  - erase: all\n  - verify\n  - write: { file: fw.hex }\n`],
  "overlapping images": [
    `${HEADER}  - connect\n  - erase: all\n  - write: { file: fw.hex }\n  - write: { file: other.bin, address: 0x08000000 }\n`,
  ],
  "read into a folder": [
    `${HEADER}  - connect\n  - erase: all\n  - write: { file: fw.hex }\n  - read: { address: 0x08000000, length: 64, file: out }\n`,
  ],
  "a when: chain of 20000 terms": [
    `${HEADER}  - connect\n  - erase: all\n  - log: x\n    when: "${Array(20000).fill("1 == 1").join(" and ")}"\n`,
  ],
  "${env.A=B}": [`${HEADER}  - connect\n  - erase: all\n  - log: "\${env.A=B}"\n`],
  "a misspelt --set": [GOOD, ["--set", "fww=other.bin"]],
  "a .bin without address": [`${HEADER}  - connect\n  - erase: all\n  - write: { file: other.bin }\n`],
  "/dev/zero as firmware": [
    `${HEADER}  - connect\n  - erase: all\n  - write: { file: /dev/zero, address: 0x08000000 }\n`,
  ],
  "a FIFO without a writer as firmware": [`${HEADER}  - connect\n  - erase: all\n  - write: { file: fifo.hex }\n`],
  "a FIFO as an include": [`${HEADER}  - connect\n  - erase: all\n  - include: fifo.hex\n`],
  // Classes the hand-made cases above leave out: YAML expansion, input-sized documents and images, numbers and
  // references that would have changed what is written.
  "a billion-laughs alias": [
    `version: 1\nname: t\ntarget: { chip: stm32f103c8 }\nvars:\n  l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n${LAUGHS}` +
    `steps:\n  - connect\n  - erase: all\n  - write: { file: fw.hex }\n`,
  ],
  "when: nested 20000 deep": [
    `${HEADER}  - connect\n  - erase: all\n  - log: x\n    when: "${"(".repeat(20000)}1 == 1${")".repeat(20000)}"\n`,
  ],
  "an include of 200000 steps": [`${HEADER}  - connect\n  - erase: all\n  - include: steps200k.yaml\n`],
  "a HEX of more separate runs than an image may have": [
    `${HEADER}  - connect\n  - erase: all\n  - write: { file: runs.hex }\n`,
  ],
  "an ELF of 65535 segments x 65535 sections (past the flash)": [
    `${HEADER}  - connect\n  - erase: all\n  - write: { file: headers.elf }\n`,
  ],
  "a --set number past 2^53": [
    `${HEADER}  - connect\n  - erase: all\n  - write: { file: other.bin, address: "\${fw}" }\n`,
    ["--set", "fw=99999999999999999999"],
  ],
  "a reference under vars:": [
    GOOD.replace("vars: { fw: fw.hex }", 'vars: { fw: "${env.FW}" }'),
  ],
};

interface ProcessResult {
  code: number;
  stderr: string;
}

async function flashrecipe(args: string[]): Promise<ProcessResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `--v8-flags=--max-old-space-size=${HEAP_MB}`, MAIN, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(TIME_LIMIT_MS),
  }).output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr).trim() };
}

/** Exit 2, and one `error[E_...]` line per problem (one line for one problem), no trace. */
function assertRefused(result: ProcessResult, what: string, problems?: number): void {
  assert.equal(result.code, 2, `${what}: exit ${result.code}\n${result.stderr}`);
  const lines = result.stderr.split("\n");
  if (problems !== undefined) assert.equal(lines.length, problems, `${what}: one line each\n${result.stderr}`);
  for (const line of lines) assert.match(line, /^error\[E_[A-Z0-9_]+\]: \S+(\.yaml:\d+:\d+)?: /, what);
  assert.doesNotMatch(result.stderr, /^\s+at /m, what);
}

Deno.test({
  name: "fuzz (processes): recipes broken in a later step leave the simulated flash byte-identical",
  // The pty's reader and the simulator process are closed by the test itself.
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "flashrecipe-fuzz-" });
    const flashFile = `${dir}/flash.bin`;
    const before = new Uint8Array(64 * 1024);
    for (let i = 0; i < before.length; i++) before[i] = (i * 7 + (i >> 8)) & 0xff;
    await Deno.writeFile(flashFile, before);
    await Deno.writeTextFile(`${dir}/fw.hex`, HEX);
    await Deno.writeFile(`${dir}/other.bin`, new Uint8Array(64).fill(0x5a));
    await Deno.mkdir(`${dir}/out`);
    await Deno.writeTextFile(`${dir}/steps200k.yaml`, "  - log: x\n".repeat(200_000));
    await Deno.writeFile(`${dir}/runs.hex`, scatteredFiles(MAX_IMAGE_RUNS + 1).hex);
    await Deno.writeFile(`${dir}/headers.elf`, elfWithHeaders({ segments: 65535, sections: 65535 }));
    assert.equal((await new Deno.Command("mkfifo", { args: [`${dir}/fifo.hex`] }).output()).code, 0, "mkfifo");
    const sim = await startUsartSim(["--chip", "stm32f103c8", "--flash-file", flashFile]);
    let stopped = false;
    try {
      const recipe = `${dir}/recipe.yaml`;
      for (const [what, [text, extra = []]] of Object.entries(BROKEN_LATER)) {
        await Deno.writeTextFile(recipe, text);
        assertRefused(await flashrecipe(["run", recipe, "--port", sim.path, ...extra]), what, 1);
      }
      // Seeded mutants of the good recipe: those `validate` refuses must be refused by a run on the port too.
      let refused = 0;
      for (let n = 0; refused < MUTANTS && n < MUTANTS * 20; n++) {
        const seed = FUZZ_SEED * 1_000_003 + 990_000 + n;
        const mutant = mutateRecipe(GOOD, new Random(seed));
        await Deno.writeTextFile(recipe, mutant);
        if ((await runCli("validate", recipe)).code !== 2) continue;
        refused++;
        assertRefused(await flashrecipe(["run", recipe, "--port", sim.path]), `seed ${seed}:\n${mutant}`);
      }
      assert.ok(refused > 0, "some mutants were refused");
      stopped = true;
      await sim.stop();
      assert.deepEqual(await Deno.readFile(flashFile), before, "the flash changed");

      // The control: the same harness sees a valid recipe change the flash.
      const again = await startUsartSim(["--chip", "stm32f103c8", "--flash-file", flashFile]);
      try {
        await Deno.writeTextFile(recipe, GOOD);
        const ran = await flashrecipe(["run", recipe, "--port", again.path]);
        assert.equal(ran.code, 0, ran.stderr);
      } finally {
        await again.stop();
      }
      assert.notDeepEqual(await Deno.readFile(flashFile), before);
    } finally {
      if (!stopped) await sim.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
