import assert from "node:assert/strict";
import { parseArgs } from "./args.ts";
import { DB_OPTION, ON_DB_ERROR_OPTION, storeErrorPolicy, storeSpec } from "./production_flags.ts";

const parse = (...argv: string[]) => parseArgs(argv, [DB_OPTION, ON_DB_ERROR_OPTION], "station");

Deno.test("which store: --db, else (not in a dry run) FLASHRECIPE_DB, else the default", () => {
  const env = (value?: string) => () => value;
  const line = "postgres://flash@db1/line";
  assert.equal(storeSpec(parse("--db", "a.db"), { simulate: true, fallback: "d.db", env: env(line) }), "a.db");
  assert.equal(storeSpec(parse(), { simulate: true, fallback: "d.db", env: env(line) }), undefined, "in memory");
  assert.equal(storeSpec(parse(), { simulate: false, fallback: "d.db", env: env(line) }), line);
  assert.equal(storeSpec(parse(), { simulate: false, fallback: "d.db", env: env("") }), "d.db");
  assert.equal(storeSpec(parse(), { simulate: false, fallback: undefined, env: env() }), undefined);
  assert.throws(() => storeSpec(parse("--db", " "), { simulate: false, fallback: undefined }), /--db needs/);
});

Deno.test("--on-db-error: stop by default, wait, anything else a usage error", () => {
  assert.equal(storeErrorPolicy(parse()), "stop");
  assert.equal(storeErrorPolicy(parse("--on-db-error", "wait")), "wait");
  assert.throws(() => storeErrorPolicy(parse("--on-db-error", "retry")), /must be wait or stop/);
});
