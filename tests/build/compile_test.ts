/**
 * What `deno task compile` puts in the binaries: Deno resolves npm packages from node_modules (deno.json
 * `nodeModulesDir: manual`) and would embed the whole folder, so the development packages are excluded, read from
 * package-lock.json. (Measured with `DENORT_BIN` pointing at the deno binary, which makes `deno compile` list what
 * it embeds: 9.4 MB of files with the exclusions, 212 MB without.)
 */
import assert from "node:assert/strict";
import { compileArgs, developmentPackages, PERMISSIONS } from "../../scripts/compile.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("the binaries leave npm's development packages out and keep what the program imports", async () => {
  const lock = JSON.parse(await Deno.readTextFile(new URL("package-lock.json", ROOT)));
  const excluded = developmentPackages(lock);
  for (const dev of ["node_modules/.bin", "node_modules/deno", "node_modules/yaml-language-server"]) {
    assert.ok(excluded.includes(dev), `${dev} excluded`);
  }
  assert.ok(excluded.some((path) => path.startsWith("node_modules/@deno/")), "deno's per-platform executables");
  const manifest = JSON.parse(await Deno.readTextFile(new URL("package.json", ROOT)));
  for (const runtime of Object.keys(manifest.dependencies)) {
    assert.ok(!excluded.includes(`node_modules/${runtime}`), `${runtime} is a runtime dependency and stays`);
  }
  // Nothing a runtime dependency needs is excluded: npm marks those `dev` only when no runtime path reaches them.
  for (const path of excluded.slice(1)) assert.equal(lock.packages[path].dev, true, path);
  const args = compileArgs("x86_64-unknown-linux-gnu", "dist/x", excluded);
  assert.ok(args.includes("--exclude=node_modules/deno"));
  assert.deepEqual(args.filter((a) => a.startsWith("--allow")), [...PERMISSIONS]);
});

Deno.test("the checkout's flashrecipe command runs with the binaries' permissions", async () => {
  const manifest = JSON.parse(await Deno.readTextFile(new URL("package.json", ROOT)));
  assert.equal(manifest.bin.flashrecipe, "scripts/flashrecipe.cjs");
  const launcher = await Deno.readTextFile(new URL(manifest.bin.flashrecipe, ROOT));
  assert.match(launcher, /require\("\.\/permissions\.json"\)/);
  const permissions = JSON.parse(await Deno.readTextFile(new URL("scripts/permissions.json", ROOT)));
  assert.deepEqual(permissions, [...PERMISSIONS]);
  assert.ok(!PERMISSIONS.includes("--allow-run") && !PERMISSIONS.includes("--allow-all"));
});
