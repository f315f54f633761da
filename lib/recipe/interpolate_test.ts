import assert from "node:assert/strict";
import { interpolate, type UndefinedReference } from "./interpolate.ts";

const vars: Record<string, string | number> = { fw: "app.hex", base: 0x0800_0000 };
const lookup = (name: string) => vars[name];

Deno.test("references inside text and whole-value references", () => {
  const missing: UndefinedReference[] = [];
  const out = interpolate({ file: "build/${fw}", address: "${base}", list: ["${ fw }"] }, lookup, missing);
  assert.deepEqual(out, { file: "build/app.hex", address: 0x0800_0000, list: ["app.hex"] });
  assert.deepEqual(missing, []);
});

Deno.test("undefined references are reported with their path", () => {
  const missing: UndefinedReference[] = [];
  interpolate({ steps: [{ write: { file: "${nope}" } }] }, lookup, missing);
  assert.deepEqual(missing, [{ path: ["steps", 0, "write", "file"], name: "nope" }]);
});

Deno.test("$${ is a literal ${ and nothing is evaluated", () => {
  const missing: UndefinedReference[] = [];
  assert.equal(interpolate("cost $${fw} ${fw}", lookup, missing), "cost ${fw} app.hex");
  assert.equal(interpolate("${1+1}", lookup, missing), "${1+1}");
  assert.deepEqual(missing, [{ path: [], name: "1+1" }]);
});
