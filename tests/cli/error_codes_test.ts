import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

/** Every `E_...` code written in a TypeScript file under `lib/` (the same set as `grep -rhoP '\bE_[A-Z0-9_]*'`). */
async function codesUsedIn(dir: URL): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) {
      for (const [code, where] of await codesUsedIn(url)) found.set(code, where);
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
      const text = await Deno.readTextFile(url);
      // A code is a whole word: LINE_CONTROL_ENABLE or RECIPE_VERSION are not codes.
      for (const match of text.matchAll(/(?<![A-Za-z0-9_])E_[A-Z0-9_]+/g)) {
        found.set(match[0], url.pathname.slice(ROOT.pathname.length));
      }
    }
  }
  return found;
}

Deno.test("docs/errors.md lists every error code used in lib/", async () => {
  const used = await codesUsedIn(new URL("lib/", ROOT));
  assert.ok(used.has("E_NO_RESPONSE") && used.has("E_USAGE"), "the scan finds the codes");
  const doc = await Deno.readTextFile(new URL("docs/errors.md", ROOT));
  const documented = new Set([...doc.matchAll(/^\| `(E_[A-Z0-9_]+)`/gm)].map((m) => m[1]));
  const missing = [...used].filter(([code]) => !documented.has(code)).map(([code, file]) => `${code} (${file})`);
  assert.deepEqual(missing, [], "add a row for each to docs/errors.md");
});

Deno.test("docs/errors.md lists no code that lib/ no longer uses", async () => {
  const used = await codesUsedIn(new URL("lib/", ROOT));
  const doc = await Deno.readTextFile(new URL("docs/errors.md", ROOT));
  const documented = [...doc.matchAll(/^\| `(E_[A-Z0-9_]+)`/gm)].map((m) => m[1]);
  assert.ok(documented.length > 10);
  assert.deepEqual(documented.filter((code) => !used.has(code)), [], "remove their rows from docs/errors.md");
});
