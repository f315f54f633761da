/**
 * `validate RECIPE...`: check recipes and every file they name without touching a device.
 *
 * @module
 */

import { parseAssignments } from "../args.ts";
import { resolveSetPaths } from "../cli_paths.ts";
import type { CommandSpec } from "../command.ts";
import { loadRecipe } from "../../recipe/load.ts";
import { FlashRecipeError, InputError } from "../../errors.ts";
import { errorLines, printable } from "../render.ts";
import { RUN_FLAG_OPTIONS, runFlags } from "../run_flags.ts";

/** The `validate` command. */
export const validateCommand: CommandSpec = {
  name: "validate",
  summary: "check recipes and the files they name; touches no device",
  usage: "validate RECIPE... [--set NAME=VALUE]... [--confirm-permanent]",
  // The confirmations `run` takes, so that `validate` judges a recipe exactly as `run` would with the same
  // flags: a recipe setting RDP level 2 validates with --confirm-permanent, as it runs with it.
  options: [
    { name: "set", type: "string", multiple: true, valueName: "NAME=VALUE", description: "set a recipe variable" },
    ...RUN_FLAG_OPTIONS,
  ],
  examples: [
    ["validate recipes/*.yaml", "check every example recipe"],
    [
      "validate rdp2.yaml --confirm-permanent",
      "check a recipe that sets RDP level 2, as run --confirm-permanent would",
    ],
  ],
  async run(args, console) {
    if (args.positionals.length === 0) {
      throw new InputError("E_USAGE", "validate needs at least one recipe", { hint: "flashrecipe validate RECIPE..." });
    }
    const set = resolveSetPaths(parseAssignments(args.options.set as string[]));
    const flags = runFlags(args);
    let failed = false;
    for (const file of args.positionals) {
      try {
        const recipe = await loadRecipe(file, { set, flags });
        // The verifies the loader adds (lib/recipe/added_verify.ts) are said apart: the file has the other steps.
        const added = recipe.steps.filter((step) => step.added).length;
        const extra = added === 0 ? "" : ` + ${added} verify added`;
        console.out(`${printable(file)}: ok (${recipe.steps.length - added} steps${extra}, ${recipe.part.part})`);
      } catch (error) {
        if (!(error instanceof FlashRecipeError)) throw error;
        failed = true;
        for (const line of errorLines(error)) console.err(line);
      }
    }
    return failed ? 2 : 0;
  },
};
