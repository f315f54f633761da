/**
 * The published JSON Schemas as an editor sees them: the real yaml-language-server (npm devDependency), driven over
 * LSP stdio as VS Code, Neovim or Helix drive it, against the example recipes and crafted documents.
 */
import assert from "node:assert/strict";
import { type CompletionItem, type Diagnostic, YamlLanguageServer } from "./lsp_client.ts";
import { SCHEMA_FILES } from "../../lib/recipe/json_schema.ts";
import { STEP_TYPES } from "../../lib/recipe/steps/registry.ts";
import { PARTS } from "../../lib/chips/database.ts";

const ROOT = new URL("../../", import.meta.url);
const RECIPE_SCHEMA = new URL(SCHEMA_FILES.recipe, ROOT).href;
const INCLUDE_SCHEMA = new URL(SCHEMA_FILES.include, ROOT).href;

/** Crafted documents live beside the examples (never written to disk: the server reads the text it is sent). */
const crafted = (name: string) => new URL(`recipes/editor-test-${name}.yaml`, ROOT).href;

const HEADER = "version: 1\nname: crafted\ntarget: { transport: usart, chip: stm32f103c8 }\nsteps:\n";

function documentation(item: CompletionItem): string {
  const doc = item.documentation;
  return doc === undefined ? "" : typeof doc === "string" ? doc : doc.value;
}

function lines(diagnostics: Diagnostic[]): string {
  return diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`).join("\n");
}

/** Zero-based line and character of the end of the first occurrence of `marker` in `text`. */
function positionAfter(text: string, marker: string): { line: number; character: number } {
  const at = text.indexOf(marker);
  assert.ok(at >= 0, `marker ${JSON.stringify(marker)} not in the document`);
  const before = text.slice(0, at + marker.length).split("\n");
  return { line: before.length - 1, character: before[before.length - 1].length };
}

Deno.test("yaml-language-server with the recipe schemas", async (t) => {
  const server = await YamlLanguageServer.start(ROOT, {
    [RECIPE_SCHEMA]: ["**/recipes/*.yaml"],
    [INCLUDE_SCHEMA]: ["**/recipes/include/*.yaml"],
  });
  try {
    await t.step("the schema is in force: a misspelt step is flagged", async () => {
      const diagnostics = await server.open(crafted("misspelt"), HEADER + "  - connect\n  - wrte: { file: a.hex }\n");
      assert.equal(diagnostics.length > 0, true, "no diagnostics: the schema did not reach the server");
      assert.ok(diagnostics.every((d) => d.range.start.line === 5), lines(diagnostics));
    });

    await t.step("the example recipes and include files have no diagnostics", async () => {
      const files: string[] = [];
      for await (const entry of Deno.readDir(new URL("recipes/", ROOT))) {
        if (entry.isFile && entry.name.endsWith(".yaml")) files.push(`recipes/${entry.name}`);
      }
      for await (const entry of Deno.readDir(new URL("recipes/include/", ROOT))) {
        if (entry.isFile && entry.name.endsWith(".yaml")) files.push(`recipes/include/${entry.name}`);
      }
      assert.ok(files.length >= 5 && files.some((f) => f.includes("/include/")));
      for (const file of files) {
        const uri = new URL(file, ROOT).href;
        const text = await Deno.readTextFile(new URL(file, ROOT));
        assert.deepEqual(lines(await server.open(uri, text)), "", file);
        // Proof that the file was checked against a flashrecipe schema, not against none.
        const first = text.split("\n").findIndex((line) => /^\s*-\s+[a-z-]+/.test(line) || /^name:/.test(line));
        const hover = await server.hover(uri, first, text.split("\n")[first].search(/[a-z]/));
        assert.match(hover, /recipe\.schema\.json|recipe-include\.schema\.json/, `${file}: hover names the schema`);
      }
    });

    await t.step("a bare step that needs parameters is flagged; one that needs none is not", async () => {
      for (const step of STEP_TYPES) {
        const needs = !step.schema.safeParse({}).success;
        const text = HEADER + `  - connect\n  - ${step.name}\n`;
        const diagnostics = await server.open(crafted("bare"), text);
        const onStep = diagnostics.filter((d) => d.range.start.line === 5);
        assert.equal(onStep.length > 0, needs, `- ${step.name}: ${lines(diagnostics)}`);
        if (needs) assert.match(onStep[0].message, /need parameters/);
      }
    });

    await t.step("an include file is checked as a list of steps", async () => {
      const uri = new URL("recipes/include/editor-test-crafted.yaml", ROOT).href;
      assert.equal(lines(await server.open(uri, "- enter-boot\n- connect: { retries: 3 }\n")), "");
      const diagnostics = await server.open(uri, "- enter-boot\n- write\n- erase: { pages: [1] }\n");
      assert.deepEqual(diagnostics.map((d) => d.range.start.line), [1], lines(diagnostics));
    });

    await t.step("completion offers each step once, with its summary", async () => {
      const text = HEADER + "  - connect\n  - \n";
      await server.open(crafted("complete-step"), text);
      const items = await server.completion(crafted("complete-step"), 5, 4);
      for (const step of STEP_TYPES) {
        const offered = items.filter((item) => item.label === step.name);
        assert.equal(offered.length, 1, `${step.name} offered ${offered.length} times`);
        assert.ok(documentation(offered[0]).includes(step.summary), `${step.name}: ${documentation(offered[0])}`);
      }
      assert.deepEqual(items.filter((item) => item.label.startsWith("object(")).map((i) => i.label), []);
    });

    await t.step("completion offers each parameter with its description, also where ${name} is accepted", async () => {
      const text = HEADER + "  - connect:\n      \n  - write:\n      file: a.hex\n      \n";
      await server.open(crafted("complete-params"), text);
      const connect = await server.completion(crafted("complete-params"), 5, 6);
      const write = await server.completion(crafted("complete-params"), 8, 6);
      const expect: Array<[CompletionItem[], string, string]> = [
        [connect, "baud", "serial baud rate"],
        [connect, "retries", "sync attempts"],
        [write, "address", "load address"],
        [write, "format", "file format"],
        [write, "sha256", "expected sha256"],
      ];
      for (const [items, label, described] of expect) {
        const item = items.find((i) => i.label === label);
        assert.ok(item, `${label} offered (got ${items.map((i) => i.label).join(", ")})`);
        assert.ok(documentation(item).includes(described), `${label}: '${documentation(item)}'`);
      }
    });

    await t.step("hover on a step name shows the step's summary", async () => {
      const text = HEADER +
        "  - connect: { baud: 115200 }\n  - erase: needed\n  - unprotect: read\n  - delay: 5ms\n  - verify\n";
      const uri = crafted("hover");
      await server.open(uri, text);
      for (const name of ["connect", "erase", "unprotect", "delay", "verify"]) {
        const at = positionAfter(text, `- ${name.slice(0, 2)}`);
        const hover = await server.hover(uri, at.line, at.character);
        const step = STEP_TYPES.find((s) => s.name === name)!;
        assert.ok(hover.includes(step.summary), `${name}: ${hover}`);
      }
    });

    await t.step("chip completes from the chip database and flags unknown parts", async () => {
      const text = "version: 1\nname: crafted\ntarget:\n  chip: \nsteps:\n  - connect\n";
      const uri = crafted("chip");
      await server.open(uri, text);
      const items = await server.completion(uri, 3, 8);
      const labels = items.map((i) => i.label);
      for (const part of PARTS) assert.ok(labels.includes(part.part), `${part.part} offered`);
      const unknown = await server.open(uri, text.replace("chip: ", "chip: stm32f999zz"));
      assert.deepEqual(unknown.map((d) => d.range.start.line), [3], lines(unknown));
      assert.equal(lines(await server.open(uri, text.replace("chip: ", "chip: stm32f103c8"))), "");
    });
  } finally {
    await server.close();
  }
});
