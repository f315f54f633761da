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
 */
export const PERMISSIONS: readonly string[] = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-ffi",
  "--allow-sys=hostname",
  "--allow-net",
];

/**
 * The `deno compile` arguments for one target. `--exclude-unused-npm` embeds only the npm packages the program
 * imports (zod): without it the whole npm snapshot goes in, the `deno` npm package's per-platform binaries
 * (package.json's development dependency) included — about 99 MB instead of 8 MB of embedded files.
 */
export function compileArgs(target: string, output: string): string[] {
  return ["compile", ...PERMISSIONS, "--exclude-unused-npm", "--target", target, "--output", output, "main.ts"];
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
  let failed = 0;
  for (const target of wanted) {
    const output = `dist/${TARGETS[target]}`;
    console.log(`deno ${compileArgs(target, output).join(" ")}`);
    const { code } = await new Deno.Command(Deno.execPath(), { args: compileArgs(target, output), cwd: root }).output()
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
