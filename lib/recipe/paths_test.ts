import assert from "node:assert/strict";
import { posix } from "node:path";
import { dirname, isAbsolute, join, resolve } from "./paths.ts";

// paths.ts stands in for node:path on POSIX systems; it must give the same strings for any path.

/** Every string of up to `length` characters drawn from `alphabet`. */
function allStrings(alphabet: readonly string[], length: number): string[] {
  const found = [""];
  let previous = [""];
  for (let n = 1; n <= length; n++) {
    previous = previous.flatMap((prefix) => alphabet.map((c) => prefix + c));
    found.push(...previous);
  }
  return found;
}

// Slashes, dots and a name character cover roots, repeated and trailing slashes, `.`, `..` and `...` segments.
const PATHS = allStrings(["/", ".", "a"], 7);
const PARTS = allStrings(["/", ".", "a"], 4);

Deno.test("paths: dirname and isAbsolute match node:path on every path of up to 7 characters", () => {
  if (Deno.build.os === "windows") return;
  for (const path of PATHS) {
    assert.equal(dirname(path), posix.dirname(path), `dirname(${JSON.stringify(path)})`);
    assert.equal(isAbsolute(path), posix.isAbsolute(path), `isAbsolute(${JSON.stringify(path)})`);
  }
});

Deno.test("paths: join and resolve match node:path on one, two and three parts", () => {
  if (Deno.build.os === "windows") return;
  for (const path of PATHS) {
    assert.equal(join(path), posix.join(path), `join(${JSON.stringify(path)})`);
    assert.equal(resolve(path), posix.resolve(path), `resolve(${JSON.stringify(path)})`);
  }
  for (const a of PARTS) {
    for (const b of PARTS) {
      assert.equal(join(a, b), posix.join(a, b), `join(${JSON.stringify(a)}, ${JSON.stringify(b)})`);
      assert.equal(resolve(a, b), posix.resolve(a, b), `resolve(${JSON.stringify(a)}, ${JSON.stringify(b)})`);
    }
  }
  for (
    const parts of [[], ["", ""], ["a", "", "b"], ["/x", "../..", "y/"], ["x", "/abs", "../z"], ["a/b", "..", "."]]
  ) {
    assert.equal(join(...parts), posix.join(...parts), `join(${JSON.stringify(parts)})`);
    assert.equal(resolve(...parts), posix.resolve(...parts), `resolve(${JSON.stringify(parts)})`);
  }
});

Deno.test("paths: recipe-style paths", () => {
  if (Deno.build.os === "windows") return;
  assert.equal(dirname("recipes/production-f103.yaml"), "recipes");
  assert.equal(join("recipes", "firmware/blinky.hex"), "recipes/firmware/blinky.hex");
  assert.equal(join("recipes/sub", "../firmware/./x.bin"), "recipes/firmware/x.bin");
  assert.equal(resolve("recipes/a.yaml"), `${Deno.cwd()}/recipes/a.yaml`);
  assert.equal(resolve("/r/steps", "../common.yaml"), "/r/common.yaml");
});
