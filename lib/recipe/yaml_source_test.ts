import assert from "node:assert/strict";
import { RecipeError } from "./errors.ts";
import { YamlSource } from "./yaml_source.ts";

// `yaml` runs from node_modules/yaml/browser (ES modules, see yaml_source.ts) while its types come from
// `npm:yaml@VERSION`: these tests keep the two the same package and version.

const ROOT = new URL("../../", import.meta.url);

/** The `yaml` version package.json installs. */
async function installedVersion(): Promise<string> {
  const pkg = JSON.parse(await Deno.readTextFile(new URL("package.json", ROOT))) as {
    dependencies?: Record<string, string>;
  };
  const version = pkg.dependencies?.yaml;
  assert.ok(version, "package.json lists yaml under dependencies");
  return version;
}

/** Every TypeScript file under `dir` (relative to the repository root), node_modules left out. */
async function* sourceFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory && entry.name !== "node_modules") yield* sourceFiles(`${path}/`);
    else if (entry.isFile && path.endsWith(".ts")) yield path;
  }
}

Deno.test("the yaml import resolves to the ES build node_modules/yaml/browser/index.js", () => {
  assert.equal(import.meta.resolve("yaml"), new URL("node_modules/yaml/browser/index.js", ROOT).href);
});

Deno.test("the installed yaml is the exact version package.json pins", async () => {
  const version = await installedVersion();
  assert.match(version, /^\d+\.\d+\.\d+$/, "an exact version, so the types below match the code that runs");
  const installed = JSON.parse(await Deno.readTextFile(new URL("node_modules/yaml/package.json", ROOT))) as {
    version: string;
  };
  assert.equal(installed.version, version);
});

Deno.test('every import from "yaml" takes its types from npm:yaml at the installed version', async () => {
  const version = await installedVersion();
  const importers: string[] = [];
  for (const dir of ["lib/", "tests/", "scripts/"]) {
    for await (const file of sourceFiles(dir)) {
      const lines = (await Deno.readTextFile(new URL(file, ROOT))).split("\n");
      lines.forEach((line, index) => {
        if (!/^\s*(import|export)\b.*\bfrom "yaml";/.test(line)) return;
        importers.push(file);
        assert.equal(lines[index - 1]?.trim(), `// @ts-types="npm:yaml@${version}"`, `${file}:${index + 1}`);
      });
    }
  }
  assert.ok(importers.includes("lib/recipe/yaml_source.ts"), `found: ${importers.join(", ")}`);
});

Deno.test("a parsed document keeps positions and a syntax error names its line and column", () => {
  const source = YamlSource.parse("a: 1\nb:\n  c: [1, 2]\n", "x.yaml");
  assert.deepEqual(source.toJS(), { a: 1, b: { c: [1, 2] } });
  assert.deepEqual(source.locate(["b", "c", 1]), { file: "x.yaml", line: 3, column: 10 });
  assert.throws(() => YamlSource.parse("a: 1\nb: [1, 2\n", "bad.yaml"), (error: unknown) => {
    assert.ok(error instanceof RecipeError);
    assert.match(error.message, /^YAML syntax error: /);
    assert.equal(error.code, "E_RECIPE_SYNTAX");
    assert.equal(error.location?.file, "bad.yaml");
    assert.equal(typeof error.location?.line, "number");
    return true;
  });
});
