/**
 * Seeded mutants of every example recipe (recipes/*.yaml). Each must be either valid, or refused by `validate`
 * with exit 2 and positioned `error[E_...]` lines; `run` must refuse exactly the same recipes the same way
 * without contacting the board; and a recipe `validate` accepts must run on a simulated board without a trace,
 * an internal fault, an exit 2 after contact, or a hang. See tests/fuzz/mutate.ts for seeds and sizes.
 */
import assert from "node:assert/strict";
import { copy } from "./copy.ts";
import { assertWellBehaved, FUZZ_SEED, fuzzCases, mutateRecipe, Random } from "./mutate.ts";
import { runCli } from "../helpers/cli.ts";
import { deviceContacted } from "../../lib/cli/device_contact.ts";
import { createConnector } from "../../lib/cli/connector.ts";
import { loadRecipe } from "../../lib/recipe/load.ts";
import { runRecipe } from "../../lib/recipe/runner.ts";
import { withContactRecord } from "../../lib/recipe/board_contact.ts";
import { TextReporter } from "../../lib/cli/text_reporter.ts";
import { FlashRecipeError } from "../../lib/errors.ts";

const RECIPES = new URL("../../recipes/", import.meta.url);
const CASES = fuzzCases(25);
/** Longest a valid mutant may run on the simulated board (delays are not waited for). */
const RUN_LIMIT_MS = 20_000;

const examples = [...Deno.readDirSync(RECIPES)].filter((e) => e.isFile && e.name.endsWith(".yaml")).map((e) => e.name)
  .sort();

for (const [recipeIndex, example] of examples.entries()) {
  Deno.test(`fuzz: ${CASES} mutants of recipes/${example}`, async () => {
    const original = await Deno.readTextFile(new URL(example, RECIPES));
    const chip = /^\s*chip:\s*(\S+)/m.exec(original)![1];
    const dir = await Deno.makeTempDir({ prefix: "flashrecipe-fuzz-" });
    try {
      await copy(RECIPES, dir);
      await Deno.writeFile(`${dir}/fw.bin`, new Uint8Array(64).fill(0x42));
      const file = `${dir}/mutant.yaml`;
      for (let n = 0; n < CASES; n++) {
        const seed = FUZZ_SEED * 1_000_003 + recipeIndex * 100_000 + n;
        const mutant = mutateRecipe(original, new Random(seed));
        await Deno.writeTextFile(file, mutant);
        const context = `recipes/${example}, seed ${seed} (FUZZ_SEED=${FUZZ_SEED}, case ${n}):\n${mutant}`;
        const validated = await runCli("validate", file);
        assertWellBehaved(validated, `validate ${context}`);
        assert.notEqual(validated.code, 1, `validate never exits 1: ${context}`);
        assert.equal(deviceContacted(), false, `validate contacted a device: ${context}`);
        if (validated.code === 2) {
          for (const line of validated.stderr.split("\n").filter((l) => /^error\[E_(RECIPE|IMAGE)/.test(l))) {
            assert.match(line, /\.yaml:\d+:\d+: /, `a recipe error without its position: ${line}\n${context}`);
          }
          // `run` is as strict as `validate`: the same first error, exit 2, and the board never contacted.
          const ran = await runCli("run", file, "--simulate", chip, "--yes");
          assertWellBehaved(ran, `run ${context}`);
          assert.equal(ran.code, 2, `run accepted what validate refused: ${context}\n${ran.stdout}`);
          assert.equal(ran.stderr.split("\n")[0], validated.stderr.split("\n")[0], context);
          assert.equal(deviceContacted(), false, `run contacted the board: ${context}`);
          assert.doesNotMatch(ran.stdout, /\[1\//, `a step ran: ${context}`);
          continue;
        }
        await runValid(file, chip, context);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** Runs a mutant `validate` accepted against a simulated board, without waiting for its delays. */
async function runValid(file: string, chip: string, context: string): Promise<void> {
  const recipe = await loadRecipe(file, { flags: { yes: true } });
  const output: string[] = [];
  const connector = createConnector({
    simulate: chip,
    transport: recipe.header.target.transport,
    part: recipe.header.target.chip,
    usb: recipe.header.target.usb,
    wiring: recipe.wiring,
    warn: () => {},
  });
  let contacted = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const run = runRecipe(recipe, {
      board: withContactRecord(connector, () => contacted = true),
      reporter: new TextReporter({ out: (l) => output.push(l), err: (l) => output.push(l) }),
      flags: { yes: true },
      sleep: () => Promise.resolve(),
    });
    const limit = new Promise<"hang">((resolve) => timer = setTimeout(() => resolve("hang"), RUN_LIMIT_MS));
    const result = await Promise.race([run, limit]);
    assert.notEqual(result, "hang", `no result within ${RUN_LIMIT_MS} ms: ${context}\n${output.join("\n")}`);
    if (result === "hang") return;
    const error = result.error;
    if (error) {
      assert.ok(error instanceof FlashRecipeError);
      assert.notEqual(error.code, "E_INTERNAL", `${error.message}: ${context}\n${output.join("\n")}`);
      if (contacted) assert.equal(error.exitCode, 1, `exit 2 after contact (${error.code}): ${context}`);
    }
  } finally {
    clearTimeout(timer);
    await connector.close();
  }
}
