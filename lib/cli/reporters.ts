/**
 * Picks the run output: JSON Lines (`--json`), a progress bar on an interactive terminal, or plain lines
 * (pipes, files, CI logs, `--quiet`).
 *
 * @module
 */

import type { RunReporter } from "../recipe/reporter.ts";
import { coloursFor } from "./colour.ts";
import type { Console } from "./command.ts";
import { type JsonEventWriter, JsonReporter } from "./json_reporter.ts";
import { ProgressReporter } from "./progress_reporter.ts";
import { TextReporter } from "./text_reporter.ts";

/** What the user asked for. */
export interface OutputChoice {
  /** `--json`: the event writer to report through. */
  json?: JsonEventWriter;
  /** `--quiet`: errors and the result line only. */
  quiet?: boolean;
  /** The recipe file (for the `run-start` event). */
  file?: string;
  /** The program version (for the `run-start` event). */
  version?: string;
  /** A one-shot command: no title line and no summary table, the step lines and the result line only. */
  compact?: boolean;
}

/** Returns the reporter for `choice` on `console`. */
export function chooseReporter(console: Console, choice: OutputChoice): RunReporter {
  if (choice.json) return new JsonReporter(console, choice.json, { file: choice.file, version: choice.version });
  const colour = coloursFor(console);
  if (console.terminal && !choice.quiet) {
    return new ProgressReporter(console, { terminal: console.terminal, colour, compact: choice.compact });
  }
  return new TextReporter(console, { quiet: choice.quiet, colour, compact: choice.compact });
}
