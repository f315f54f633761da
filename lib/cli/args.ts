/**
 * A small command-line parser: long options (`--port PATH`, `--port=PATH`), short aliases, repeated options and
 * flags; mistakes become {@linkcode InputError}s with a suggestion.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import { didYouMean } from "../recipe/suggest.ts";
import { optionHabit } from "./habits.ts";

/** One option a command accepts. */
export interface OptionSpec {
  /** Long name without dashes, e.g. `port`. */
  name: string;
  /** One-letter alias, e.g. `y`. */
  short?: string;
  /** `string` takes a value; `boolean` is a flag. */
  type: "string" | "boolean";
  /** May be given more than once (values collected in order). */
  multiple?: boolean;
  /** Placeholder for the value in help, e.g. `PATH`. */
  valueName?: string;
  /** One line of help. */
  description: string;
}

/** Parsed arguments. */
export interface ParsedArgs {
  /** Option values by long name: string, true, or string[] for repeated options. */
  options: Record<string, string | boolean | string[] | undefined>;
  /** Everything that is not an option, in order. */
  positionals: string[];
}

/** Parses `argv` against `specs`. `--` ends option parsing. */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedArgs {
  const options: ParsedArgs["options"] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const [rawName, inlineValue] = long ? splitOnce(arg.slice(2), "=") : [arg.slice(1), undefined];
    const spec = specs.find((s) => (long ? s.name === rawName : s.short === rawName));
    if (!spec) {
      // Another tool's option (stm32flash -b, dfu-util -D, esptool -p): say how flashrecipe spells it.
      const habit = optionHabit(long ? `--${rawName}` : arg, inlineValue ?? argv[i + 1], command);
      if (habit) {
        throw new InputError("E_USAGE", `unknown option '${arg}' for '${command}': flashrecipe says ${habit}`, {
          hint: `see 'flashrecipe ${command} --help'`,
        });
      }
      // A single-letter option is not a misspelt long one: no "did you mean" from one letter.
      const suggestion = long ? didYouMean(rawName, specs.map((s) => s.name)) : "";
      throw new InputError("E_USAGE", `unknown option '${arg}' for '${command}'${suggestion}`, {
        hint: `see 'flashrecipe ${command} --help'`,
      });
    }
    let value: string | boolean;
    if (spec.type === "boolean") {
      if (inlineValue !== undefined) {
        throw new InputError("E_USAGE", `option '--${spec.name}' takes no value`, {
          hint: `write just --${spec.name}`,
        });
      }
      value = true;
    } else if (inlineValue !== undefined) {
      value = inlineValue;
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("-") && next !== "-")) {
        throw new InputError("E_USAGE", `option '--${spec.name}' needs a value`, {
          hint: `e.g. --${spec.name} ${spec.valueName ?? "VALUE"}`,
        });
      }
      value = next;
      i++;
    }
    if (spec.multiple) {
      const list = (options[spec.name] as string[] | undefined) ?? [];
      list.push(String(value));
      options[spec.name] = list;
    } else {
      options[spec.name] = value;
    }
  }
  return { options, positionals };
}

/** Parses repeated `NAME=VALUE` arguments (for `--set`). */
export function parseAssignments(values: readonly string[] | undefined): Record<string, string> {
  // No prototype: `--set __proto__=x` or `--set toString=x` is a name like any other.
  const out: Record<string, string> = Object.create(null);
  for (const item of values ?? []) {
    const [name, value] = splitOnce(item, "=");
    if (!name || value === undefined) {
      throw new InputError("E_USAGE", `--set expects NAME=VALUE, got '${item}'`, { hint: "e.g. --set serial=1001" });
    }
    out[name] = value;
  }
  return out;
}

/** The range a command-line number must lie in (inclusive). */
export interface NumberRange {
  /** Smallest value accepted (default 0). */
  min?: number;
  /** Largest value accepted (default: the largest safe integer). */
  max?: number;
  /** Show the range in hex (addresses). */
  hex?: boolean;
}

/**
 * Parses a number given on the command line: decimal or 0x-prefixed hex, inside `range`. Anything else is an
 * `E_USAGE` error naming the option and the range.
 */
export function parseNumber(text: string, what: string, range: NumberRange = {}): number {
  const value = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text.slice(2), 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) {
    throw new InputError("E_USAGE", `${what} must be a number (decimal or 0x hex), not '${text}'`);
  }
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (value < min || value > max) {
    const shown = (n: number) => (range.hex ? `0x${n.toString(16).toUpperCase()}` : String(n));
    throw new InputError("E_USAGE", `${what} must be from ${shown(min)} to ${shown(max)}, not '${text}'`);
  }
  return value;
}

/** Parses a 32-bit address given on the command line (0 to 0xFFFFFFFF), with {@linkcode parseNumber}. */
export function parseAddress(text: string, what: string): number {
  return parseNumber(text, what, { max: 0xffff_ffff, hex: true });
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
