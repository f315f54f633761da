/**
 * The confirmations `run` and `station` share: `--yes` for prompts, `--confirm-permanent` for RDP level 2.
 *
 * @module
 */

import type { OptionSpec, ParsedArgs } from "./args.ts";
import type { RunFlags } from "../recipe/step.ts";

/** The options, for a command's option list. */
export const RUN_FLAG_OPTIONS: readonly OptionSpec[] = [
  { name: "yes", short: "y", type: "boolean", description: "answer every prompt step with yes" },
  {
    name: "confirm-permanent",
    type: "boolean",
    description: "allow irreversible changes the recipe asks for (RDP level 2)",
  },
];

/** The flags given on the command line. */
export function runFlags(args: ParsedArgs): RunFlags {
  return { confirmPermanent: args.options["confirm-permanent"] === true, yes: args.options.yes === true };
}
