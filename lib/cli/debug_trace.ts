/**
 * Where the stack trace of an internal fault goes: never into the one error line a user reads, but onto stderr
 * after it with `--debug`, or else into a log file in the temporary folder that the error line names.
 *
 * @module
 */

import type { Console } from "./command.ts";
import { VERSION } from "./version.ts";

let debugConsole: Console | undefined;

/** With `--debug`, traces go to `console` (as `debug:` lines); `undefined` sends them to log files again. */
export function setDebugConsole(console: Console | undefined): void {
  debugConsole = console;
}

/** Writes the trace of `caught` where it goes and returns words for the error's hint, e.g. `the trace is in F`. */
export function saveTrace(caught: unknown): string {
  const message = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
  const trace = caught instanceof Error ? caught.stack ?? message : message;
  if (debugConsole) {
    for (const line of trace.split("\n")) debugConsole.err(`debug: ${line}`);
    return "the trace is above";
  }
  try {
    const file = Deno.makeTempFileSync({ prefix: "flashrecipe-debug-", suffix: ".log" });
    Deno.writeTextFileSync(file, `flashrecipe ${VERSION}\n${trace}\n`);
    return `the trace is in ${file}`;
  } catch (error) {
    // No temporary folder to write in: the trace stays one --debug away.
    if (!(error instanceof Error)) throw error;
    return "run again with --debug for the trace";
  }
}
