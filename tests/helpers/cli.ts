/**
 * Runs the CLI in-process with captured output, for tests.
 *
 * @module
 */

import { main } from "../../lib/cli/main.ts";

/** What a CLI run printed and returned. */
export interface CliResult {
  /** Exit code. */
  code: number;
  /** Standard output lines joined with newlines. */
  stdout: string;
  /** Standard error lines joined with newlines. */
  stderr: string;
}

/** Runs `flashrecipe ARGS` in this process. */
export async function runCli(...args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** Writes files into a fresh temporary folder and returns its path. */
export async function tempFiles(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "flashrecipe-test-" });
  for (const [name, content] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(path, content);
    else await Deno.writeFile(path, content);
  }
  return dir;
}

/** Options of {@linkcode runSimulatedStation}; each one given adds its flag. */
export interface SimulatedStationOptions {
  /** The simulated chip (`--simulate`), stm32f103c8 by default. */
  chip?: string;
  /** `--boards N`. */
  boards?: number;
  /** `--db` (a file or URL). */
  db?: string;
  /** `--log` (a `.csv` or `.jsonl` file). */
  log?: string;
}

/** Runs `flashrecipe station RECIPE --simulate CHIP [--boards N] [--db DB] [--log LOG] ...extra` in this process. */
export function runSimulatedStation(
  recipe: string,
  options: SimulatedStationOptions,
  ...extra: string[]
): Promise<CliResult> {
  const args = ["station", recipe, "--simulate", options.chip ?? "stm32f103c8"];
  if (options.boards !== undefined) args.push("--boards", String(options.boards));
  if (options.db !== undefined) args.push("--db", options.db);
  if (options.log !== undefined) args.push("--log", options.log);
  return runCli(...args, ...extra);
}
