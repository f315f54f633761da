/**
 * Colours for terminal output. Colour is used only on an interactive terminal and never when `NO_COLOR` is set
 * to a non-empty value (https://no-color.org).
 *
 * @module
 */

import type { Console } from "./command.ts";

/** Functions that wrap text in an SGR colour, or return it unchanged when colour is off. */
export interface Colours {
  /** Whether colour is on. */
  readonly enabled: boolean;
  /** Success. */
  green(text: string): string;
  /** Failure. */
  red(text: string): string;
  /** Warnings and notes. */
  yellow(text: string): string;
  /** Emphasis. */
  bold(text: string): string;
  /** Secondary details. */
  dim(text: string): string;
}

/** Decides whether `console` gets colour: a terminal, and `NO_COLOR` unset or empty. */
export function colourEnabled(console: Console): boolean {
  if (!console.terminal) return false;
  const noColor = console.env?.("NO_COLOR");
  return noColor === undefined || noColor === "";
}

/** Returns colour functions, on or off. */
export function colours(enabled: boolean): Colours {
  // ECMA-48 SGR: 1 bold, 2 faint, 31 red, 32 green, 33 yellow; 22/39 reset intensity/foreground.
  const sgr = (on: number, off: number) => (text: string) => enabled ? `\x1b[${on}m${text}\x1b[${off}m` : text;
  return {
    enabled,
    green: sgr(32, 39),
    red: sgr(31, 39),
    yellow: sgr(33, 39),
    bold: sgr(1, 22),
    dim: sgr(2, 22),
  };
}

/** Colours for `console`. */
export function coloursFor(console: Console): Colours {
  return colours(colourEnabled(console));
}
