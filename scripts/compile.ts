/**
 * Builds the single-file flashrecipe binaries with `deno compile`, one per platform, into `dist/`:
 *
 *     deno task compile                       # every platform
 *     deno task compile x86_64-unknown-linux-gnu   # only the targets named
 *
 * The binaries get only the permissions the tool needs (see {@linkcode PERMISSIONS}). `deno compile` downloads
 * the `denort` runtime of each target platform on first use; on machines without internet access that download
 * fails and no binary is made (the script then exits non-zero with deno's message).
 *
 * @module
 */

import permissions from "./permissions.json" with { type: "json" };

/** The platforms binaries are built for, with the file name of each binary. */
export const TARGETS: Readonly<Record<string, string>> = {
  "x86_64-unknown-linux-gnu": "flashrecipe-linux-x64",
  "aarch64-unknown-linux-gnu": "flashrecipe-linux-arm64",
  "x86_64-apple-darwin": "flashrecipe-macos-x64",
  "aarch64-apple-darwin": "flashrecipe-macos-arm64",
  "x86_64-pc-windows-msvc": "flashrecipe-windows-x64.exe",
};

/**
 * The permissions baked into the binaries, and why each is needed:
 * - read: recipes, firmware files, and /sys/class/tty to list serial ports (lib/transport/serial/list_ports.ts);
 * - write: station logs and files the tool writes (read-back images);
 * - env: `${env.NAME}` in recipes (any name, so not narrowed) and NO_COLOR;
 * - ffi: serial ports through libc/kernel32 and USB through libusb (`Deno.dlopen`);
 * - sys=hostname: the default station name (`Deno.hostname`);
 * - net: only for a PostgreSQL production store (`--db postgres://...`); nothing else in the tool opens a socket
 *   (the PostgreSQL client is loaded only for such a URL, lib/production/open_store.ts). SQLite stores need only
 *   read and write.
 * Not granted: run (it starts no programs).
 * The list lives in scripts/permissions.json, which the checkout's `flashrecipe` command (scripts/flashrecipe.cjs)
 * reads too, so `npx flashrecipe` runs with exactly the binaries' permissions.
 */
export const PERMISSIONS: readonly string[] = permissions;

/**
 * The `deno compile` arguments for one target. Deno uses the node_modules folder npm installed (deno.json
 * `nodeModulesDir: manual`) and would embed all of it; `excluded` (see {@linkcode developmentPackages}) keeps the
 * development packages out — the `deno` package's own 91 MB executable, yaml-language-server, type packages — so
 * only what the program imports goes in (zod, yaml, pg and pg's dependencies: about 9 MB of embedded files).
 * `--exclude-unused-npm` does the same for packages resolved through Deno's own cache.
 */
export function compileArgs(target: string, output: string, excluded: readonly string[] = []): string[] {
  return [
    "compile",
    ...PERMISSIONS,
    "--exclude-unused-npm",
    ...excluded.map((path) => `--exclude=${path}`),
    "--target",
    target,
    "--output",
    output,
    "main.ts",
  ];
}

/** The parts of package-lock.json read here. */
interface PackageLock {
  packages: Record<string, { dev?: boolean }>;
}

/**
 * The node_modules folders the binaries must not carry: every top-level package npm marks as a development-only
 * dependency in package-lock.json (`"dev": true`; packages that production code may also reach are `devOptional`
 * and stay), and `node_modules/.bin`, whose links point into them.
 */
export function developmentPackages(lock: PackageLock): string[] {
  const topLevel = /^node_modules\/(@[^/]+\/)?[^/]+$/;
  const dev = Object.entries(lock.packages).filter(([path, entry]) => topLevel.test(path) && entry.dev === true);
  return ["node_modules/.bin", ...dev.map(([path]) => path)];
}

if (import.meta.main) {
  const root = new URL("../", import.meta.url).pathname;
  const wanted = Deno.args.length ? Deno.args : Object.keys(TARGETS);
  const unknown = wanted.filter((target) => !(target in TARGETS));
  if (unknown.length) {
    console.error(`unknown target(s): ${unknown.join(", ")}; choose from ${Object.keys(TARGETS).join(", ")}`);
    Deno.exit(2);
  }
  await Deno.mkdir(`${root}dist`, { recursive: true });
  const lock = JSON.parse(await Deno.readTextFile(`${root}package-lock.json`)) as PackageLock;
  const excluded = developmentPackages(lock);
  let failed = 0;
  for (const target of wanted) {
    const output = `dist/${TARGETS[target]}`;
    const args = compileArgs(target, output, excluded);
    console.log(`deno ${args.join(" ")}`);
    const { code } = await new Deno.Command(Deno.execPath(), { args, cwd: root }).output()
      .then(async (result) => {
        await Deno.stdout.write(result.stdout);
        await Deno.stderr.write(result.stderr);
        return result;
      });
    if (code !== 0) {
      failed++;
      console.error(`${target}: deno compile failed (exit ${code})`);
    }
  }
  console.log(`${wanted.length - failed} of ${wanted.length} binaries built in dist/`);
  Deno.exit(failed ? 1 : 0);
}
