import assert from "node:assert/strict";
import { runCli, tempFiles } from "../helpers/cli.ts";
import { connectStep } from "../../lib/recipe/steps/connect.ts";

const BLINKY = await Deno.readTextFile(new URL("../fixtures/firmware/blinky.hex", import.meta.url));

async function validate(yaml: string): Promise<{ code: number; stderr: string }> {
  const dir = await tempFiles({ "r.yaml": `name: t\ntarget: { chip: stm32f103c8 }\n${yaml}`, "fw.hex": BLINKY });
  try {
    return await runCli("validate", `${dir}/r.yaml`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("numeric parameters written as text are numbers, as --set values are", async () => {
  const result = await validate(
    'steps: [connect, { erase: { address: "0x08000000", length: "2048" } }, { write: { file: fw.hex, address: "0x08000000" } }]\n',
  );
  assert.equal(result.code, 0, result.stderr);
  const bad = await validate('steps: [connect, { write: { file: fw.hex, address: "start" } }]\n');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /address must be a number/);
});

Deno.test("a mis-indented step block says to indent the parameters, not 'unknown step'", async () => {
  const result = await validate("steps:\n  - connect\n  - write:\n    file: fw.hex\n");
  assert.equal(result.code, 2);
  assert.match(
    result.stderr,
    /r\.yaml:6:5: 'file' is a parameter of 'write' but sits beside it: indent it under 'write:'/,
  );
  assert.doesNotMatch(result.stderr, /unknown step/);
});

Deno.test("a misspelt word gets a suggestion: erase: neded, unprotect: wrte", async () => {
  const erase = await validate("steps: [connect, { erase: neded }]\n");
  assert.equal(erase.code, 2);
  assert.match(erase.stderr, /invalid steps\[1\]\.erase 'neded' \(did you mean 'needed'\?\)/);
  const unprotect = await validate("steps: [connect, { unprotect: wrte }]\n");
  assert.match(
    unprotect.stderr,
    /steps\[1\]\.unprotect must be one of all, read, write, not 'wrte' \(did you mean 'write'\?\)/,
  );
});

Deno.test("the docs give the number of sync attempts the tool makes", async () => {
  const attempts = (connectStep.schema.parse({}) as { retries: number }).retries;
  for (const file of ["README.md", "docs/errors.md", "docs/events.md"]) {
    const text = await Deno.readTextFile(new URL(`../../${file}`, import.meta.url));
    for (const match of text.matchAll(/after (\d+) sync attempt/g)) assert.equal(Number(match[1]), attempts, file);
  }
  const result = await runCli(
    "run",
    new URL("../../recipes/demo.yaml", import.meta.url).pathname,
    "--simulate",
    "stm32f103c8",
    "--wiring-not-an-option",
  );
  assert.equal(result.code, 2);
});

Deno.test("F4 erase units are sectors in the step lines; the summary's byte column says what it counts", async () => {
  const dir = await tempFiles({
    "f4.yaml": "name: t\ntarget: { chip: stm32f405rg }\nsteps: [connect, { erase: { pages: [0, 1] } }]\n",
  });
  const result = await runCli("run", `${dir}/f4.yaml`, "--simulate", "stm32f405rg");
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /erased 2 sector\(s\), 32768 bytes/);
  assert.match(result.stdout, /# {2}step +result +time +moved/);
  await Deno.remove(dir, { recursive: true });
});
