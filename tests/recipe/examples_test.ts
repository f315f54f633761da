/**
 * Every example recipe validates, matches the published JSON Schema, and runs in simulation; the generated
 * recipe reference is current.
 */
import assert from "node:assert/strict";
// @ts-types="npm:yaml@2.9.1"
import { parse } from "yaml";
import { Ajv2020 } from "ajv/dist/2020.js";
import { runCli } from "../helpers/cli.ts";
import { includeJsonSchema, recipeJsonSchema, SCHEMA_FILES } from "../../lib/recipe/json_schema.ts";
import { recipeReference } from "../../lib/recipe/docs.ts";

const RECIPES = new URL("../../recipes/", import.meta.url);

async function exampleRecipes(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(RECIPES)) {
    if (entry.isFile && entry.name.endsWith(".yaml")) names.push(entry.name);
  }
  return names.sort();
}

/** Copies recipes/ to a temporary folder, so whatever runs write (logs, read-back files) leaves the tree alone. */
async function copyRecipes(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "flashrecipe-examples-" });
  const copy = async (from: URL, to: string) => {
    await Deno.mkdir(to, { recursive: true });
    for await (const entry of Deno.readDir(from)) {
      if (entry.isDirectory) await copy(new URL(`${entry.name}/`, from), `${to}/${entry.name}`);
      else await Deno.copyFile(new URL(entry.name, from), `${to}/${entry.name}`);
    }
  };
  await copy(RECIPES, dir);
  return dir;
}

Deno.test("every example recipe validates", async () => {
  const names = await exampleRecipes();
  assert.ok(names.length >= 3);
  const result = await runCli("validate", ...names.map((n) => new URL(n, RECIPES).pathname));
  assert.equal(result.code, 0, result.stderr);
});

Deno.test("the JSON Schema from `schema` accepts every example and rejects a misspelt step", async () => {
  const printed = await runCli("schema");
  assert.equal(printed.code, 0);
  assert.deepEqual(JSON.parse(printed.stdout), recipeJsonSchema());
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(printed.stdout));
  for (const name of await exampleRecipes()) {
    const document = parse(await Deno.readTextFile(new URL(name, RECIPES)));
    assert.ok(validate(document), `${name}: ${JSON.stringify(validate.errors)}`);
  }
  assert.equal(validate({ name: "x", target: { chip: "stm32f103c8" }, steps: [{ wrte: { file: "a.hex" } }] }), false);
});

Deno.test("every USART example runs against its simulated chip", async () => {
  const dir = await copyRecipes();
  try {
    for (const name of await exampleRecipes()) {
      const text = await Deno.readTextFile(`${dir}/${name}`);
      const document = parse(text) as { target: { chip: string; transport?: string } };
      if ((document.target.transport ?? "usart") !== "usart") continue;
      const result = await runCli("run", `${dir}/${name}`, "--simulate", document.target.chip, "--yes");
      assert.equal(result.code, 0, `${name}:\n${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, /^done on /m, name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("docs/recipes.md and both JSON Schemas are current (deno task docs regenerates them)", async () => {
  const root = new URL("../../", import.meta.url);
  assert.equal(await Deno.readTextFile(new URL("docs/recipes.md", root)), recipeReference() + "\n");
  assert.equal(
    await Deno.readTextFile(new URL(SCHEMA_FILES.recipe, root)),
    JSON.stringify(recipeJsonSchema(), null, 2) + "\n",
  );
  assert.equal(
    await Deno.readTextFile(new URL(SCHEMA_FILES.include, root)),
    JSON.stringify(includeJsonSchema(), null, 2) + "\n",
  );
  const printed = await runCli("schema", "--include");
  assert.equal(printed.code, 0);
  assert.deepEqual(JSON.parse(printed.stdout), includeJsonSchema());
});
