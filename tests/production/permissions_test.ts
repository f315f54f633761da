/**
 * The compiled binary's permissions (scripts/compile.ts) are enough for both stores: the program run with exactly
 * those flags records boards in a SQLite file and in PostgreSQL, and SQLite needs no network access.
 */
import assert from "node:assert/strict";
import { PERMISSIONS } from "../../scripts/compile.ts";
import { tempFiles } from "../helpers/cli.ts";
import { POSTGRES_UNAVAILABLE, startTestPostgres } from "../helpers/postgres.ts";
import { counterRecipe } from "./line_recipe.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

async function runWith(permissions: readonly string[], args: string[]): Promise<{ code: number; output: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...permissions, MAIN, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: result.code,
    output: new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr),
  };
}

Deno.test("the binary's permissions: the only addition for the store is net, and SQLite does not need it", () => {
  assert.deepEqual(PERMISSIONS.filter((p) => p.startsWith("--allow-net")), ["--allow-net"]);
  assert.ok(!PERMISSIONS.some((p) => p.startsWith("--allow-run") || p === "--allow-all" || p === "-A"));
});

Deno.test("a SQLite store works with the binary's permissions less network access", async () => {
  const dir = await tempFiles({ "r.yaml": counterRecipe("sn", 10) });
  try {
    const noNet = PERMISSIONS.filter((p) => p !== "--allow-net");
    const args = ["--db", `${dir}/line.db`, "--boards", "2", "-q", "--log", `${dir}/log.csv`];
    const station = await runWith(noNet, ["station", `${dir}/r.yaml`, "--simulate", "stm32f103c8", ...args]);
    assert.equal(station.code, 0, station.output);
    const records = await runWith(noNet, ["records", "--db", `${dir}/line.db`, "--format", "jsonl"]);
    assert.equal(records.code, 0, records.output);
    assert.equal(records.output.trim().split("\n").length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a PostgreSQL store works with the binary's permissions",
  ignore: POSTGRES_UNAVAILABLE !== undefined,
  async fn() {
    const pg = await startTestPostgres();
    const dir = await tempFiles({ "r.yaml": counterRecipe("sn", 10) });
    try {
      const args = ["--db", pg.url, "--boards", "2", "-q", "--log", `${dir}/log.csv`];
      const station = await runWith(PERMISSIONS, ["station", `${dir}/r.yaml`, "--simulate", "stm32f103c8", ...args]);
      assert.equal(station.code, 0, station.output);
      const records = await runWith(PERMISSIONS, ["records", "--db", pg.url, "--format", "jsonl"]);
      assert.equal(records.code, 0, records.output);
      assert.equal(records.output.trim().split("\n").length, 2);
      assert.ok(!station.output.includes(pg.password) && !records.output.includes(pg.password));
    } finally {
      await Deno.remove(dir, { recursive: true });
      await pg.destroy();
    }
  },
});
