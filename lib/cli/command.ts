/**
 * The shape of a subcommand, and the help text built from it.
 *
 * @module
 */

import type { OptionSpec, ParsedArgs } from "./args.ts";

/** An interactive terminal on stdout, for output that redraws a line (progress bars). */
export interface Terminal {
  /** Writes `text` to stdout as is (no newline added). */
  write(text: string): void;
  /** Width of the terminal in columns. */
  columns(): number;
}

/** Where a command writes. */
export interface Console {
  /** Normal output (stdout). */
  out(line: string): void;
  /** Diagnostics (stderr). */
  err(line: string): void;
  /** Present only when stdout is an interactive terminal: progress bars and colours are then used. */
  terminal?: Terminal;
  /** Environment lookup (for `NO_COLOR`); absent means an empty environment. */
  env?(name: string): string | undefined;
}

/** A subcommand of the CLI. */
export interface CommandSpec {
  /** Name, e.g. `run`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage line after `flashrecipe`, e.g. `run RECIPE [options]`. */
  usage: string;
  /** Longer description. */
  description?: string;
  /** Options. */
  options: OptionSpec[];
  /** Example invocations with a comment each. */
  examples: [string, string][];
  /** Runs the command; returns the exit code. */
  run(args: ParsedArgs, console: Console): Promise<number>;
}

/** Help text of one command. */
export function commandHelp(command: CommandSpec): string {
  const lines = [`flashrecipe ${command.usage}`, "", command.summary];
  if (command.description) lines.push("", command.description);
  if (command.options.length) {
    lines.push("", "Options:");
    const left = command.options.map((o) =>
      `  ${o.short ? `-${o.short}, ` : ""}--${o.name}${o.type === "string" ? ` ${o.valueName ?? "VALUE"}` : ""}`
    );
    const width = Math.max(...left.map((l) => l.length)) + 2;
    command.options.forEach((o, i) => lines.push(`${left[i].padEnd(width)}${o.description}`));
  }
  if (command.examples.length) {
    lines.push("", "Examples:");
    for (const [example, comment] of command.examples) lines.push(`  # ${comment}`, `  flashrecipe ${example}`);
  }
  return lines.join("\n");
}
