/**
 * What `run` and `station` do before the first board: check the arguments, load and validate the recipe with the
 * command-line flags, and work out where the board is (simulated chip, serial port, USB adapter match, DFU device).
 *
 * @module
 */

import { printable } from "./render.ts";
import type { ParsedArgs } from "./args.ts";
import { parseAssignments, parseNumber } from "./args.ts";
import { resolveSetPaths } from "./cli_paths.ts";
import type { Console } from "./command.ts";
import type { LinkChoice } from "./connector.ts";
import type { JsonEventWriter } from "./json_reporter.ts";
import { runFlags } from "./run_flags.ts";
import { InputError } from "../errors.ts";
import { loadRecipe, type Recipe } from "../recipe/load.ts";
import type { RunFlags } from "../recipe/step.ts";
import { isSimulatedDfu, simulatedPartName } from "../sim/part_names.ts";

/** A validated recipe and where its board is. */
export interface PreparedRun {
  /** The recipe, validated with every file it names. */
  recipe: Recipe;
  /** Command-line confirmations. */
  flags: RunFlags;
  /** The board's link, as the command line and the recipe give it. */
  link: LinkChoice;
  /** Prints a warning (and emits it as a JSON event). */
  warn(message: string): void;
}

/** Validates the arguments and the recipe; nothing touches a device. */
export async function prepareRun(
  args: ParsedArgs,
  console: Console,
  json: JsonEventWriter | undefined,
  command: string,
): Promise<PreparedRun> {
  if (args.positionals.length !== 1) {
    throw new InputError("E_USAGE", `${command} takes exactly one recipe`, { hint: `flashrecipe ${command} RECIPE` });
  }
  const warn = (message: string) => {
    json?.emit({ event: "warning", message });
    console.err(`warning: ${printable(message)}`);
  };
  const simulate = args.options.simulate as string | undefined;
  // An unknown simulated chip is a usage error, found before the recipe is even read.
  if (simulate !== undefined && !isSimulatedDfu(simulate)) simulatedPartName(simulate);
  const flags = runFlags(args);
  const baudText = args.options.baud as string | undefined;
  const baud = baudText === undefined ? undefined : parseNumber(baudText, "--baud");
  const set = resolveSetPaths(parseAssignments(args.options.set as string[]));
  const loaded = await loadRecipe(args.positionals[0], { set, flags });
  // --baud overrides target.baud (a connect step's own `baud:` still wins for that step).
  const recipe: Recipe = baud === undefined
    ? loaded
    : { ...loaded, header: { ...loaded.header, target: { ...loaded.header.target, baud } } };
  const target = recipe.header.target;
  const cliPort = args.options.port as string | undefined;
  return {
    recipe,
    flags,
    warn,
    link: {
      simulate,
      port: cliPort ?? target.port,
      // --port names the port outright; the recipe's USB match applies only when it does not.
      match: cliPort === undefined ? target.match : undefined,
      wiring: recipe.wiring,
      transport: target.transport,
      usb: (args.options.usb as string | undefined) ?? target.usb,
      part: target.chip,
      warn,
    },
  };
}
