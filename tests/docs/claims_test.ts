/**
 * Claims the README and docs/ make about the tool, checked against the tool: the step table against the step
 * registry, the simulated chips against the simulator's list, the sync attempts against the `connect` default, and
 * every `flashrecipe ...` command line in docs/ against the CLI's commands and options. (README command lines:
 * tests/cli/help_examples_test.ts where present; docs/recipes.md and the schemas: tests/recipe/examples_test.ts;
 * error codes: tests/cli/error_codes_test.ts.)
 */
import assert from "node:assert/strict";
import { STEP_TYPES } from "../../lib/recipe/steps/registry.ts";
import { connectStep } from "../../lib/recipe/steps/connect.ts";
import { DFUSE_PART_NAMES, SIMULATED_PART_NAMES } from "../../lib/sim/part_names.ts";
import { COMMANDS } from "../../lib/cli/main.ts";
import { parseArgs } from "../../lib/cli/args.ts";

const ROOT = new URL("../../", import.meta.url);
const readme = await Deno.readTextFile(new URL("README.md", ROOT));

async function docsPages(): Promise<Array<[string, string]>> {
  const pages: Array<[string, string]> = [];
  for await (const entry of Deno.readDir(new URL("docs/", ROOT))) {
    if (entry.name.endsWith(".md")) {
      pages.push([`docs/${entry.name}`, await Deno.readTextFile(new URL(`docs/${entry.name}`, ROOT))]);
    }
  }
  return pages;
}

/** The rows of the first Markdown table after `heading`, as cells. */
function tableAfter(text: string, heading: string): string[][] {
  const start = text.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `heading '${heading}' present`);
  const lines = text.slice(start + heading.length + 2).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith("|")) break;
    rows.push(line.split("|").slice(1, -1).map((cell) => cell.trim()));
  }
  return rows.slice(2); // header and separator
}

Deno.test("README's step table lists every step of the registry, and only those", () => {
  const listed = tableAfter(readme, "### Steps").map((row) => row[0].replace(/`/g, ""));
  assert.deepEqual(listed, STEP_TYPES.map((step) => step.name));
});

Deno.test("README names every simulated chip, and no other", () => {
  const match = /\(simulated: ([^)]*)\)/.exec(readme);
  assert.ok(match, "README lists the simulated chips as '(simulated: ...)'");
  assert.deepEqual(match[1].match(/\bstm32[0-9a-z-]+/g), [...SIMULATED_PART_NAMES]);
  const lab = /the DfuSe bootloaders of the ([^:]+?) are plugged/.exec(readme.replace(/\s+/g, " "));
  assert.ok(lab, "README names the USB lab's DfuSe chips");
  for (const name of DFUSE_PART_NAMES) assert.ok(lab[1].toLowerCase().includes(name), `${name} in '${lab[1]}'`);
});

Deno.test("the sync attempts the docs quote are the ones connect makes", async () => {
  const attempts = (connectStep.schema.parse({}) as { retries: number }).retries;
  let quoted = 0;
  for (const [name, text] of [["README.md", readme], ...await docsPages()]) {
    for (const match of text.matchAll(/after (\d+) sync attempt/g)) {
      quoted++;
      assert.equal(Number(match[1]), attempts, `${name}: '${match[0]}'`);
    }
  }
  assert.ok(quoted > 0, "the docs quote the no-response message");
});

Deno.test("every flashrecipe command line in docs/ names a command and options that exist", async () => {
  let checked = 0;
  for (const [name, text] of await docsPages()) {
    const spans = [...text.matchAll(/`(flashrecipe [^`\n]+)`/g)].map((m) => m[1]);
    const blocks = [...text.matchAll(/```(?:sh|console)?\n([\s\S]*?)```/g)].flatMap((m) => m[1].split("\n"))
      .map((line) => line.replace(/#.*$/, "").trim()).filter((line) => line.startsWith("flashrecipe "));
    for (const line of [...spans, ...blocks]) {
      const [, command, ...rest] = line.split(/\s+/);
      if (command.startsWith("-") || command === "COMMAND") continue; // --help, --version, COMMAND --help
      const entry = COMMANDS.find((c) => c.name === command);
      assert.ok(entry, `${name}: unknown command in '${line}'`);
      const spec = await entry.load();
      parseArgs(rest.filter((word) => word !== "..."), spec.options, spec.name);
      checked++;
    }
  }
  assert.ok(checked > 5, `only ${checked} command lines found`);
});
