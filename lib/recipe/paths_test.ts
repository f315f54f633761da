import assert from "node:assert/strict";
import { posix } from "node:path";
import { dirname, isAbsolute, join, resolve } from "./paths.ts";

// paths.ts stands in for node:path on POSIX systems; it must give the same strings for any path. On Windows it hands
// over to node:path (drive letters, UNC roots), so the POSIX comparisons do not apply there.
const windows = Deno.build.os === "windows";

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

Deno.test({
  name: "paths: dirname and isAbsolute match node:path on every path of up to 7 characters",
  ignore: windows,
}, () => {
  for (const path of PATHS) {
    assert.equal(dirname(path), posix.dirname(path), `dirname(${JSON.stringify(path)})`);
    assert.equal(isAbsolute(path), posix.isAbsolute(path), `isAbsolute(${JSON.stringify(path)})`);
  }
});

Deno.test({ name: "paths: join and resolve match node:path on one, two and three parts", ignore: windows }, () => {
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

Deno.test({ name: "paths: recipe-style paths", ignore: windows }, () => {
  assert.equal(dirname("recipes/production-f103.yaml"), "recipes");
  assert.equal(join("recipes", "firmware/blinky.hex"), "recipes/firmware/blinky.hex");
  assert.equal(join("recipes/sub", "../firmware/./x.bin"), "recipes/firmware/x.bin");
  assert.equal(resolve("recipes/a.yaml"), `${Deno.cwd()}/recipes/a.yaml`);
  assert.equal(resolve("/r/steps", "../common.yaml"), "/r/common.yaml");
});

Deno.test({ name: "paths on Windows: drive letters and backslashes, as node:path", ignore: !windows }, () => {
  assert.equal(dirname("C:\\data\\match.yaml"), "C:\\data");
  assert.equal(join("C:\\data", "firmware/blinky.hex"), "C:\\data\\firmware\\blinky.hex");
  assert.equal(join("C:\\data\\sub", "..\\x.bin"), "C:\\data\\x.bin");
  assert.equal(isAbsolute("C:\\data"), true);
  assert.equal(isAbsolute("\\\\server\\share\\x"), true);
  assert.equal(isAbsolute("recipes\\a.yaml"), false);
  assert.equal(resolve("D:\\r\\steps", "..\\common.yaml"), "D:\\r\\common.yaml");
  // Relative to the working directory, which may be a drive's root ("R:\\", ending in a backslash already).
  const resolved = resolve("recipes\\a.yaml");
  assert.ok(isAbsolute(resolved) && resolved.startsWith(Deno.cwd()), resolved);
  assert.ok(resolved.endsWith("\\recipes\\a.yaml") && !resolved.includes("\\\\"), resolved);
});
