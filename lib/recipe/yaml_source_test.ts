import assert from "node:assert/strict";
import { RecipeError } from "./errors.ts";
import { YAML_LIMITS, YamlSource } from "./yaml_source.ts";

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

/** Parses `text` and returns the RecipeError it raises. */
function syntaxError(text: string): RecipeError {
  try {
    YamlSource.parse(text, "r.yaml").toJS();
  } catch (error) {
    assert.ok(error instanceof RecipeError, String(error));
    assert.equal(error.code, "E_RECIPE_SYNTAX");
    return error;
  }
  assert.fail("expected an error");
}

Deno.test("one anchor used 101 times and more is a normal recipe", () => {
  const uses = Array.from({ length: 300 }, (_, i) => `  - { name: step${i}, file: *fw }`).join("\n");
  const value = YamlSource.parse(`vars: { fw: &fw app.hex }\nsteps:\n${uses}\n`, "r.yaml").toJS() as {
    steps: { file: string }[];
  };
  assert.equal(value.steps.length, 300);
  assert.equal(value.steps[299].file, "app.hex");
});

Deno.test("a billion-laughs document is refused at the alias that crosses the limit", () => {
  let text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (let i = 1; i < 10; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]\n`;
  const error = syntaxError(text);
  assert.match(error.message, /aliases expand the document to more than 1000000 values/);
  assert.ok(error.location?.line !== undefined && error.location.line >= 5);
});

Deno.test("an alias without its anchor, or inside its own anchor, is refused with a position", () => {
  const missing = syntaxError("a: 1\nb: *nowhere\n");
  assert.match(missing.message, /alias \*nowhere has no anchor &nowhere before it/);
  assert.deepEqual([missing.location?.line, missing.location?.column], [2, 4]);
  const cycle = syntaxError("x: &a [1, *a]\n");
  assert.match(cycle.message, /alias \*a lies inside its own anchor/);
  assert.deepEqual([cycle.location?.line, cycle.location?.column], [1, 11]);
});

Deno.test("too many aliases or anchors are refused", () => {
  const aliases = Array.from({ length: YAML_LIMITS.aliases + 1 }, () => "*v").join(", ");
  assert.match(syntaxError(`a: &v 1\nb: [${aliases}]\n`).message, /more than 5000 aliases/);
  const anchors = Array.from({ length: YAML_LIMITS.anchors + 1 }, (_, i) => `&n${i} ${i}`).join(", ");
  assert.match(syntaxError(`a: [${anchors}]\n`).message, /more than 1000 anchors/);
});

Deno.test("deep nesting is refused, from just past the limit to 20000 levels", () => {
  for (const depth of [YAML_LIMITS.depth + 1, 1000, 20000]) {
    const error = syntaxError(`a: ${"[".repeat(depth)}${"]".repeat(depth)}\n`);
    assert.match(error.message, /nests (more than 64 levels deep|too deeply)/, `depth ${depth}`);
    assert.equal(error.location?.line, 1);
  }
  let block = "";
  for (let i = 0; i < 2000; i++) block += `${" ".repeat(i)}k:\n`;
  assert.match(syntaxError(block).message, /nests/);
});

Deno.test("tags other than the core types are refused with a position", () => {
  for (
    const [text, tag] of [["a: !custom 5\n", "!custom"], ["b: !!js/function 'x'\n", "!!js/function"], [
      "c: !!binary aGVsbG8=\n",
      "!!binary",
    ], ["d: !!set { a }\n", "!!set"]]
  ) {
    const error = syntaxError(text);
    assert.equal(error.message, `YAML: tag ${tag} is not allowed`);
    assert.equal(error.location?.line, 1);
  }
  assert.deepEqual(YamlSource.parse("a: !!str 5\nb: !!int '7'\n", "r.yaml").toJS(), { a: "5", b: 7 });
});

Deno.test("a list or mapping as a key is refused (yaml would stringify it with a console warning)", () => {
  assert.match(syntaxError("? [a]\n: b\n").message, /a key must be a plain value/);
});

Deno.test("a document over the size limit is refused", () => {
  assert.match(syntaxError("#".repeat(YAML_LIMITS.characters + 1)).message, /more than the 4194304 a recipe may have/);
});

Deno.test("duplicate keys are refused at the second one; a mapping of 40000 keys is read in one pass", () => {
  const error = syntaxError("a: 1\nb:\n  c: 1\n  c: 2\n");
  assert.equal(error.message, "YAML syntax error: Map keys must be unique");
  assert.deepEqual([error.location?.line, error.location?.column], [4, 3]);
  assert.match(syntaxError("x: { a: 1, a: 2 }\n").message, /Map keys must be unique/);
  // 1 and "1" are different keys, as in yaml's own check.
  YamlSource.parse('m: { 1: a, "1": b }\n', "r.yaml");
  let text = "vars:\n";
  for (let i = 0; i < 40_000; i++) text += `  k${i}: ${i}\n`;
  const vars = (YamlSource.parse(text, "r.yaml").toJS() as { vars: Record<string, number> }).vars;
  assert.equal(vars.k39999, 39999);
});

Deno.test("values are counted before the document is built, at the value past the limit, across one budget", () => {
  // 4 MiB of `1,` would be 2 million values: 2 GB in yaml's document model.
  const flat = `x: [${Array(2_000_000).fill("1").join(",")}]\n`;
  const error = syntaxError(flat);
  assert.match(error.message, /more than 100000 values in the recipe and its includes/);
  // x, the list and 99998 scalars fit; the next one (index 99998) starts at column 5 + 2 * 99998.
  assert.deepEqual([error.location?.line, error.location?.column], [1, 5 + 2 * 99_998]);
  const counts: [string, number][] = [
    ["k: 'a'\n", 2],
    ['k: "a"\n', 2],
    ["k: |\n  a\n  b\n", 2],
    ["- a\n- b\n", 4],
    ["{ k: a }\n", 3],
    ["k: [a]\n", 3],
  ];
  for (const [text, values] of counts) {
    const budget = { remaining: values };
    YamlSource.parse(text, "r.yaml", budget);
    assert.equal(budget.remaining, 0, `${JSON.stringify(text)} holds ${values} values`);
  }
  // Two documents sharing a budget: the second is refused at its own position.
  const budget = { remaining: YAML_LIMITS.values };
  const half = `steps:\n${"  - log: hi\n".repeat(15_000)}`;
  YamlSource.parse(half, "a.yaml", budget);
  YamlSource.parse(half, "b.yaml", budget);
  assert.throws(() => YamlSource.parse(half, "c.yaml", budget), (e: unknown) => {
    assert.ok(e instanceof RecipeError);
    assert.equal(e.location?.file, "c.yaml");
    assert.match(e.message, /more than 100000 values/);
    return true;
  });
});
