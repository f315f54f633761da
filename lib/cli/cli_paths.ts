/**
 * Paths typed on the command line are the current folder's, as every shell user expects — also those given to a
 * recipe through `--set firmware=fw.hex`, which the recipe would otherwise resolve against its own folder. Paths
 * written in a recipe stay relative to the recipe.
 *
 * @module
 */

import { isAbsolute, join } from "../recipe/paths.ts";

/** File extensions of firmware images and recipes: a `--set` value ending so is a path. */
const FILE_EXTENSIONS = /\.(hex|ihex|ihx|bin|srec|s19|s28|s37|mot|elf|axf|out|dfu|yaml|yml)$/i;

/** True when a `--set` value reads as a file path: it has a folder separator or a firmware/recipe extension. */
export function looksLikePath(value: string): boolean {
  return /[\\/]/.test(value) || FILE_EXTENSIONS.test(value);
}

/** The `--set` values, those naming files made absolute from `cwd` (so the recipe uses them as typed). */
export function resolveSetPaths(
  set: Readonly<Record<string, string>>,
  cwd: string = Deno.cwd(),
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(set)) {
    out[name] = looksLikePath(value) && !isAbsolute(value) && !value.includes("${") ? join(cwd, value) : value;
  }
  return out;
}
