/**
 * The process's own {@linkcode Console}: stdout and stderr, with a {@linkcode Terminal} when stdout is an
 * interactive terminal (so `run` draws progress bars there and plain lines into pipes, files and CI logs).
 *
 * @module
 */

import type { Console, Terminal } from "./command.ts";

/** Column count assumed when the terminal does not say. */
const DEFAULT_COLUMNS = 80;

/**
 * Returns the console of this process: `Deno.stdout`/`Deno.stderr`, terminal features when stdout is a TTY.
 *
 * A reader that goes away (`flashrecipe info | head -3`) closes the pipe: from then on that stream's output is
 * dropped rather than thrown, because a failing `console.log` must never abort a flash half way; the exit code
 * still tells how the run went.
 */
export function systemConsole(): Console {
  const encoder = new TextEncoder();
  const stdout = new OutputStream(Deno.stdout);
  const stderr = new OutputStream(Deno.stderr);
  const terminal: Terminal | undefined = Deno.stdout.isTerminal()
    ? {
      write: (text) => stdout.write(encoder.encode(text)),
      columns: () => terminalColumns(),
    }
    : undefined;
  return {
    out: (line) => stdout.write(encoder.encode(line + "\n")),
    err: (line) => stderr.write(encoder.encode(line + "\n")),
    terminal,
    env: (name) => Deno.env.get(name),
  };
}

/** A standard stream written whole, that stops writing once its reader has closed the pipe. */
class OutputStream {
  readonly #stream: { writeSync(p: Uint8Array): number };
  #readerGone = false;

  constructor(stream: { writeSync(p: Uint8Array): number }) {
    this.#stream = stream;
  }

  /** Writes all of `bytes` (`writeSync` may take less than asked, e.g. into a pipe). */
  write(bytes: Uint8Array): void {
    if (this.#readerGone) return;
    try {
      let at = 0;
      while (at < bytes.length) at += this.#stream.writeSync(bytes.subarray(at));
    } catch (error) {
      if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
      this.#readerGone = true;
    }
  }
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
