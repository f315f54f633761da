/**
 * Text from files and devices made safe for a terminal line: what a recipe, a file name or a device says is
 * printed with its control characters escaped, so that a newline in a file name cannot split the one error line
 * in two, and an escape sequence in a recipe's `name:` cannot move the cursor, recolour or retitle the terminal.
 *
 * @module
 */

import type { FlashRecipeError } from "../errors.ts";
import { RecipeErrors } from "../recipe/errors.ts";

/**
 * C0 controls, DEL, C1 controls, and the Unicode format characters that reorder or hide text (bidirectional
 * overrides and isolates, zero-width joiners, line and paragraph separators, the byte-order mark).
 */
// deno-lint-ignore no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** `text` with every unprintable character written as an escape (`\n`, `\x1b`, `\u202e`). */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (char) => {
    const named = NAMED[char];
    if (named) return named;
    const code = char.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** The `error[E_...]: where: message (hint)` line of an error, one per problem for a recipe with several. */
export function errorLines(error: FlashRecipeError): string[] {
  const errors: readonly FlashRecipeError[] = error instanceof RecipeErrors ? error.errors : [error];
  return errors.map((e) => errorLine(e));
}

/** The one `error[E_...]: where: message (hint)` line of an error. */
export function errorLine(error: FlashRecipeError): string {
  const message = error instanceof RecipeErrors ? error.errors[0].userMessage() : error.userMessage();
  return `error[${error.code}]: ${printable(message)}`;
}
