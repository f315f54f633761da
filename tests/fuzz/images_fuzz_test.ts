/**
 * Seeded mutants of every image format (tests/fixtures/firmware/*): `image` shows them or refuses them with one
 * `error[E_...]` line and exit 2, and a recipe writing them is valid or refused at the recipe line of its
 * `write` step — never a trace, never an internal fault. See tests/fuzz/mutate.ts for seeds and sizes.
 */
import assert from "node:assert/strict";
import { assertWellBehaved, FUZZ_SEED, fuzzCases, mutateBytes, Random } from "./mutate.ts";
import { runCli } from "../helpers/cli.ts";
import { deviceContacted } from "../../lib/cli/device_contact.ts";

const FIRMWARE = new URL("../fixtures/firmware/", import.meta.url);
const CASES = fuzzCases(30);

const images = [...Deno.readDirSync(FIRMWARE)].filter((e) =>
  e.isFile && !e.name.endsWith(".md") && !e.name.startsWith(".")
).map((e) => e.name)
  .sort();

for (const [imageIndex, name] of images.entries()) {
  Deno.test(`fuzz: ${CASES} mutants of ${name}`, async () => {
    const original = await Deno.readFile(new URL(name, FIRMWARE));
    const dir = await Deno.makeTempDir({ prefix: "flashrecipe-fuzz-" });
    try {
      const file = `${dir}/${name}`;
      const address = name.endsWith(".bin") || name.endsWith("_plain.dfu") ? ", address: 0x08000000" : "";
      await Deno.writeTextFile(
        `${dir}/recipe.yaml`,
        `version: 1\nname: fuzz\ntarget: { chip: stm32f103c8 }\nsteps:\n  - connect\n  - erase: needed\n` +
          `  - write: { file: "${name}"${address} }\n  - verify\n`,
      );
      for (let n = 0; n < CASES; n++) {
        const seed = FUZZ_SEED * 1_000_003 + 700_000 + imageIndex * 100_000 + n;
        await Deno.writeFile(file, mutateBytes(original, new Random(seed)));
        const context = `${name}, seed ${seed} (FUZZ_SEED=${FUZZ_SEED}, case ${n})`;
        const shown = await runCli("image", file);
        assertWellBehaved(shown, `image ${context}`);
        assert.notEqual(shown.code, 1, `image never exits 1: ${context}`);
        const validated = await runCli("validate", `${dir}/recipe.yaml`);
        assertWellBehaved(validated, `validate ${context}`);
        assert.notEqual(validated.code, 1, context);
        assert.equal(deviceContacted(), false, context);
        for (const line of validated.stderr.split("\n").filter((l) => l.startsWith("error"))) {
          // The recipe line of the write step, then what is wrong in the image.
          assert.match(line, /recipe\.yaml:7:\d+: /, `an image error without the recipe position: ${line}\n${context}`);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
