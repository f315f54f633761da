/**
 * The README's quick start on a fresh machine, as a newcomer meets it: a fresh clone of this commit (HEAD: commit
 * what you want checked), `npm ci`, `npm run demo` with an empty Deno cache, then the `flashrecipe` command.
 * No npm install-scripts warning, no Deno "Ignored build scripts" box, no second download of Deno (or of anything)
 * into Deno's cache, and `npx flashrecipe` (and `flashrecipe` after `npm link`) working.
 *
 * npm reads its cache first (`--prefer-offline`): CI has just run `npm ci` for the same lock file, so this needs
 * no network there.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  const output = await new Deno.Command(command, { args, cwd, env, stdin: "null" }).output();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/** Everything under `dir` (paths relative to it), for saying what Deno put in its cache. */
async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
      const path = `${prefix}${entry.name}`;
      found.push(path);
      if (entry.isDirectory) found.push(...await listTree(dir, `${path}/`));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return found;
}

/** Terminal colour codes, which Deno prints even with NO_COLOR for some notices. */
const COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
const WARNING_SIGNS = [/install-scripts/i, /npm warn/i, /Ignored build scripts/i, /nodeModulesDir/, /^Download /m];

function assertQuiet(what: string, result: Run): void {
  const text = result.stderr.replace(COLOUR, "");
  for (const sign of WARNING_SIGNS) assert.doesNotMatch(text, sign, `${what} printed:\n${text}`);
}

Deno.test({
  name: "quick start in a fresh clone: no warning boxes, no second Deno download, a flashrecipe command",
  // Skipped only where the tools it drives are missing (git and npm come with the README's prerequisites).
  ignore: !(await Deno.stat(`${ROOT}.git`).then(() => true, () => false)),
  fn: async () => {
    const temp = await Deno.makeTempDir({ prefix: "flashrecipe-first-run-" });
    try {
      const clone = `${temp}/flashrecipe`;
      const cloned = await run("git", ["clone", "--quiet", ROOT, clone], temp);
      assert.equal(cloned.code, 0, cloned.stderr);
      const env = { DENO_DIR: `${temp}/deno-cache`, NO_COLOR: "1", npm_config_prefix: `${temp}/npm-global` };

      const install = await run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], clone, env);
      assert.equal(install.code, 0, install.stderr);
      assertQuiet("npm ci", install);

      const demo = await run("npm", ["run", "demo"], clone, env);
      assert.equal(demo.code, 0, `${demo.stdout}\n${demo.stderr}`);
      assert.match(demo.stdout, /^done on /m);
      assertQuiet("npm run demo", demo);
      // Deno resolves every npm package from node_modules; its cache holds no npm package at all.
      const cached = await listTree(`${temp}/deno-cache`);
      assert.deepEqual(cached.filter((path) => path.startsWith("npm/") && path.split("/").length > 2), []);

      const version = await run("npx", ["flashrecipe", "--version"], clone, env);
      assert.equal(version.code, 0, version.stderr);
      assert.match(version.stdout, /^flashrecipe \d+\.\d+\.\d+/);
      assertQuiet("npx flashrecipe --version", version);

      // From another folder, paths on the command line mean what they say there.
      await Deno.writeTextFile(`${temp}/mine.yaml`, await Deno.readTextFile(`${clone}/recipes/demo.yaml`));
      await Deno.mkdir(`${temp}/firmware`);
      await Deno.copyFile(`${clone}/recipes/firmware/blinky.hex`, `${temp}/firmware/blinky.hex`);
      const elsewhere = await run("npx", ["--prefix", clone, "flashrecipe", "validate", "mine.yaml"], temp, env);
      assert.equal(elsewhere.code, 0, `${elsewhere.stdout}\n${elsewhere.stderr}`);

      // `npm link` once: `flashrecipe` on the PATH, as the README writes it.
      const link = await run("npm", ["link", "--no-audit", "--no-fund", "--prefer-offline"], clone, env);
      assert.equal(link.code, 0, link.stderr);
      assertQuiet("npm link", link);
      const linked = await run(`${temp}/npm-global/bin/flashrecipe`, ["--version"], temp, env);
      assert.equal(linked.code, 0, linked.stderr);
      assert.match(linked.stdout, /^flashrecipe \d+\.\d+\.\d+/);

      // A failing command keeps its exit code through the launcher (2: bad usage, nothing sent to a device).
      const bad = await run("npx", ["flashrecipe", "validate", "missing.yaml"], clone, env);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /^error\[E_/m);
    } finally {
      await Deno.remove(temp, { recursive: true });
    }
  },
});
