import assert from "node:assert/strict";
import { parseArgs } from "../../lib/cli/args.ts";
import { COMMANDS } from "../../lib/cli/main.ts";
import { looksLikePort } from "../../lib/cli/habits.ts";

/** Splits a shell-like example line into arguments (examples use no quoting). */
function words(line: string): string[] {
  return line.trim().split(/\s+/);
}

Deno.test("every help example of every command parses: the command exists and takes those options", async () => {
  for (const entry of COMMANDS) {
    const command = await entry.load();
    assert.equal(command.name, entry.name);
    assert.equal(command.summary, entry.summary, `${entry.name}: the command list and the command agree`);
    assert.ok(command.examples.length > 0, `${entry.name} has examples`);
    for (const [example] of command.examples) {
      const [name, ...rest] = words(example);
      assert.equal(name, entry.name, example);
      const args = parseArgs(rest, command.options, command.name);
      assert.deepEqual(args.positionals.filter(looksLikePort), [], `${example}: a port belongs after --port`);
    }
  }
});

Deno.test("the README's command lines use commands and options that exist, and name every command", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const lines = blocks.flatMap((block) => block.split("\n")).map((line) =>
    line.replace(/#.*$/, "").replace(/^\s*npx deno run -A main\.ts /, "flashrecipe ").trim()
  )
    .filter((line) => line.startsWith("flashrecipe "));
  assert.ok(lines.length > 10);
  const seen = new Set<string>();
  for (const line of lines) {
    const [, name, ...rest] = words(line);
    if (name.startsWith("-")) continue; // flashrecipe --help / --version
    const entry = COMMANDS.find((c) => c.name === name);
    assert.ok(entry, `README: unknown command in '${line}'`);
    seen.add(name);
    const command = await entry.load();
    // Placeholders such as RECIPE or IMG stay positionals; only the options are checked.
    parseArgs(rest.filter((w) => !/[*]/.test(w)), command.options, command.name);
  }
  for (const entry of COMMANDS) {
    assert.ok(seen.has(entry.name) || readme.includes(`flashrecipe ${entry.name}`), `README shows ${entry.name}`);
  }
});
