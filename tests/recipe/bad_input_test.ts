/**
 * Every kind of bad input gives one clear line naming the file, line and column, exit code 2, and nothing is
 * sent to a device.
 */
import assert from "node:assert/strict";
import { runCli, tempFiles } from "../helpers/cli.ts";

const HEX = await Deno.readTextFile(new URL("../../recipes/firmware/blinky.hex", import.meta.url));

function recipe(steps: string, header = "target: { chip: stm32f103c8 }"): string {
  return `version: 1\nname: test\n${header}\nsteps:\n${steps}`;
}

/** Runs `validate` and `run --simulate` on a recipe; both must fail with exit 2 and the expected message. */
async function expectBad(files: Record<string, string | Uint8Array>, pattern: RegExp): Promise<string> {
  const dir = await tempFiles(files);
  try {
    const validated = await runCli("validate", `${dir}/recipe.yaml`);
    assert.equal(validated.code, 2, `validate should fail: ${validated.stdout}`);
    assert.match(validated.stderr, pattern);
    const ran = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8");
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, pattern);
    assert.equal(ran.stderr.split("\n").length, 1, `one line expected:\n${ran.stderr}`);
    // No step ran: nothing reached the (simulated) device.
    assert.doesNotMatch(ran.stdout, /\[1\//);
    return ran.stderr;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a missing recipe file", async () => {
  const result = await runCli("run", "/nonexistent/recipe.yaml", "--simulate", "stm32f103c8");
  assert.equal(result.code, 2);
  assert.match(result.stderr, /cannot read recipe '\/nonexistent\/recipe.yaml': no such file/);
});

Deno.test("a YAML syntax error names line and column", async () => {
  await expectBad(
    { "recipe.yaml": "name: x\nsteps:\n  - connect: {baud: 1\n  - write\n" },
    /recipe\.yaml:\d+:\d+: YAML syntax error/,
  );
});

Deno.test("an unknown step suggests the right one", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - wrte: { file: fw.hex }\n"), "fw.hex": HEX },
    /recipe\.yaml:6:5: unknown step 'wrte' \(did you mean 'write'\?\)/,
  );
});

Deno.test("an unknown key in a step suggests the right one", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - write: { file: fw.hex, adress: 0x08000000 }\n"), "fw.hex": HEX },
    /recipe\.yaml:6:28: unknown key 'adress' in steps\[1\]\.write \(did you mean 'address'\?\)/,
  );
});

Deno.test("an unknown top-level key", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n", "target: { chip: stm32f103c8 }\nsetps: []") },
    /recipe\.yaml:4:1: unknown key 'setps' \(did you mean 'steps'\?\)/,
  );
});

Deno.test("a value of the wrong type", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect: { baud: fast }\n") },
    /recipe\.yaml:5:22: steps\[0\]\.connect\.baud must be a number/,
  );
});

Deno.test("an erase form that does not exist lists the accepted ones", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - erase: everything\n") },
    /recipe\.yaml:6:12: invalid steps\[1\]\.erase \(expected erase: all \| needed/,
  );
});

Deno.test("a missing firmware file names the recipe line", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - write: { file: missing.hex }\n") },
    /recipe\.yaml:6:20: cannot read 'missing\.hex': no such file/,
  );
});

Deno.test("an image larger than flash", async () => {
  const big = new Uint8Array(128 * 1024);
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - write: { file: big.bin, address: 0x08000000 }\n"), "big.bin": big },
    /recipe\.yaml:6:\d+: 'big\.bin' has data at 0x08000000-0x0801ffff, outside the stm32f103c8's flash.*larger than the flash/,
  );
});

Deno.test("an address outside flash", async () => {
  await expectBad(
    {
      "recipe.yaml": recipe("  - connect\n  - write: { file: fw.bin, address: 0x20000000 }\n"),
      "fw.bin": new Uint8Array(16),
    },
    /recipe\.yaml:6:\d+: 'fw\.bin' has data at 0x20000000-0x2000000f, outside the stm32f103c8's flash/,
  );
});

Deno.test("an erase range outside flash", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - erase: { address: 0x08010000, length: 1024 }\n") },
    /recipe\.yaml:6:\d+: range 0x08010000\+1024 is outside the stm32f103c8's flash/,
  );
});

Deno.test("a raw binary without an address says to give one", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - write: { file: fw.bin }\n"), "fw.bin": new Uint8Array(16) },
    /fw\.bin.*address/,
  );
});

Deno.test("a corrupt HEX file names its own line", async () => {
  const corrupt = HEX.replace(/^(:10000000.{32})(..)/m, (_, body) => `${body}00`);
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - write: { file: fw.hex }\n"), "fw.hex": corrupt },
    /fw\.hex:2:.*checksum/,
  );
});

Deno.test("an unknown chip suggests a known one", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n", "target: { chip: stm32f10c8 }") },
    /recipe\.yaml:3:\d+: unknown chip 'stm32f10c8' \(did you mean 'stm32f103c8'\?\)/,
  );
});

Deno.test("an undefined variable", async () => {
  await expectBad(
    {
      "recipe.yaml": recipe(
        "  - connect\n  - write: { file: '${firmwre}' }\n",
        "target: { chip: stm32f103c8 }\nvars: { firmware: fw.hex }",
      ),
      "fw.hex": HEX,
    },
    /recipe\.yaml:7:\d+: undefined variable 'firmwre' \(did you mean 'firmware'\?\)/,
  );
});

Deno.test("a device step before connect", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - erase: all\n  - connect\n") },
    /recipe\.yaml:5:5: 'erase' needs a connected chip/,
  );
});

Deno.test("a sha256 that does not match stops before writing", async () => {
  await expectBad(
    {
      "recipe.yaml": recipe(`  - connect\n  - write: { file: fw.hex, sha256: '${"0".repeat(64)}' }\n`),
      "fw.hex": HEX,
    },
    /recipe\.yaml:6:\d+: sha256 of 'fw\.hex' is [0-9a-f]{64}, not the 0{64}/,
  );
});

Deno.test("a recipe from a newer flashrecipe", async () => {
  await expectBad(
    { "recipe.yaml": "version: 99\nname: x\ntarget: { chip: stm32f103c8 }\nsteps:\n  - connect\n" },
    /recipe\.yaml:1:10: recipe version 99 is newer/,
  );
});

Deno.test("--set fills a variable and validate prints ok", async () => {
  const dir = await tempFiles({
    "recipe.yaml": recipe("  - connect\n  - write: { file: '${fw}' }\n"),
    "fw.hex": HEX,
  });
  const result = await runCli("validate", `${dir}/recipe.yaml`, "--set", "fw=fw.hex");
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /recipe\.yaml: ok \(2 steps, stm32f103c8\)/);
  await Deno.remove(dir, { recursive: true });
});
