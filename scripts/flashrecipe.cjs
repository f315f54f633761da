#!/usr/bin/env node
// The `flashrecipe` command of a checkout (package.json "bin"; `npx flashrecipe ARGS`, or `flashrecipe ARGS` after
// `npm link`): runs main.ts with the Deno that `npm ci` installed and the permissions the compiled binaries get
// (scripts/permissions.json), from the folder the user is in, so command-line paths keep meaning what they say.
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const permissions = require("./permissions.json");
// deno's postinstall puts the native executable in the package folder; without it, its bin.cjs finds one.
const native = path.join(root, "node_modules", "deno", process.platform === "win32" ? "deno.exe" : "deno");
const [command, prefix] = fs.existsSync(native)
  ? [native, []]
  : [process.execPath, [path.join(root, "node_modules", "deno", "bin.cjs")]];
const args = [
  ...prefix,
  "run",
  "--no-prompt", // a permission the tool lacks is an error, as in the compiled binary, never a question
  `--config=${path.join(root, "deno.json")}`,
  ...permissions,
  path.join(root, "main.ts"),
  ...process.argv.slice(2),
];

const child = spawn(command, args, { stdio: "inherit", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } });
// Ctrl-C reaches Deno from the terminal itself (station mode lets the board in progress finish); this process
// waits for it. A SIGTERM sent to this process alone is passed on.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("error", (error) => {
  console.error(`error: cannot start Deno (${command}): ${error.message}; run \`npm ci\` in ${root}`);
  process.exit(2);
});
child.on("exit", (code, signal) => {
  if (signal) {
    process.removeAllListeners("SIGINT");
    process.removeAllListeners("SIGTERM");
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
