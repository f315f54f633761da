/**
 * The process's own {@linkcode Console}: stdout and stderr, with a {@linkcode Terminal} when stdout is an
 * interactive terminal (so `run` draws progress bars there and plain lines into pipes, files and CI logs).
 *
 * @module
 */

import type { Console, Terminal } from "./command.ts";

/** Column count assumed when the terminal does not say. */
const DEFAULT_COLUMNS = 80;

/** Returns the console of this process: `Deno.stdout`/`Deno.stderr`, terminal features when stdout is a TTY. */
export function systemConsole(): Console {
  const encoder = new TextEncoder();
  const terminal: Terminal | undefined = Deno.stdout.isTerminal()
    ? {
      write: (text) => writeAll(Deno.stdout, encoder.encode(text)),
      columns: () => terminalColumns(),
    }
    : undefined;
  return {
    out: (line) => writeAll(Deno.stdout, encoder.encode(line + "\n")),
    err: (line) => writeAll(Deno.stderr, encoder.encode(line + "\n")),
    terminal,
    env: (name) => Deno.env.get(name),
  };
}

/** `writeSync` may write less than asked (e.g. to a pipe); loop until everything is out. */
function writeAll(stream: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) at += stream.writeSync(bytes.subarray(at));
}

function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns || DEFAULT_COLUMNS;
  } catch (error) {
    // consoleSize throws when no standard stream is a terminal (e.g. stdout redirected after start-up).
    if (error instanceof Error) return DEFAULT_COLUMNS;
    throw error;
  }
}
