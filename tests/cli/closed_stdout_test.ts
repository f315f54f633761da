/**
 * A reader that stops reading (`flashrecipe run recipe.yaml | head -3`) must not abort the run: the program goes on
 * with its work and its exit code, and prints no crash.
 */

import assert from "node:assert/strict";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const DEMO = new URL("../../recipes/demo.yaml", import.meta.url).pathname;

Deno.test("a closed stdout pipe neither crashes the program nor changes its outcome", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "run", DEMO, "--simulate", "stm32f103c8"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Close the read end before the program writes its first line: every write to stdout meets a broken pipe.
  await child.stdout.cancel();
  const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
  assert.equal(stderr, "");
  assert.equal(status.code, 0);
});
