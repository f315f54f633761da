/**
 * `run RECIPE`: validate a recipe and every file it names, then run it against a board or a simulated one.
 *
 * @module
 */

import { parseAssignments } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import { createConnector } from "../connector.ts";
import { TextReporter } from "../text_reporter.ts";
import { loadRecipe } from "../../recipe/load.ts";
import { runRecipe } from "../../recipe/runner.ts";
import { InputError } from "../../errors.ts";
import { simulatedPartNames } from "../../sim/parts.ts";

/** The `run` command. */
export const runCommand: CommandSpec = {
  name: "run",
  summary: "run a recipe against a board (or a simulated one)",
  usage: "run RECIPE [--simulate CHIP | --port PATH] [--set NAME=VALUE]...",
  description: "The whole recipe and every file it names are validated before anything is sent to the device.\n" +
    `Simulated chips: ${simulatedPartNames().join(", ")}.`,
  options: [
    { name: "simulate", type: "string", valueName: "CHIP", description: "run against a simulated chip" },
    { name: "port", type: "string", valueName: "PATH", description: "serial port (overrides target.port)" },
    { name: "set", type: "string", multiple: true, valueName: "NAME=VALUE", description: "set a recipe variable" },
  ],
  examples: [
    ["run recipes/demo.yaml --simulate stm32f103c8", "dry run against the simulated Blue Pill"],
    ["run bluepill.yaml --port /dev/ttyUSB0", "flash a board on a USB-serial adapter"],
    ["run prod.yaml --port COM3 --set serial=1001", "set a variable the recipe uses"],
  ],
  async run(args, console) {
    if (args.positionals.length !== 1) {
      throw new InputError("E_USAGE", "run takes exactly one recipe", { hint: "flashrecipe run RECIPE" });
    }
    const simulate = args.options.simulate as string | undefined;
    const warn = (message: string) => console.err(`warning: ${message}`);
    // An unknown simulated chip is a usage error, found before the recipe is even read.
    const connector = createConnector({ simulate, port: args.options.port as string | undefined, warn });
    const recipe = await loadRecipe(args.positionals[0], { set: parseAssignments(args.options.set as string[]) });
    const cliPort = args.options.port as string | undefined;
    const port = cliPort ?? recipe.header.target.port;
    // --port names the port outright; the recipe's USB match applies only when it does not.
    const match = cliPort === undefined ? recipe.header.target.match : undefined;
    const linked = simulate ? connector : createConnector({ port, match, warn });
    try {
      const result = await runRecipe(recipe, {
        connect: (r) => linked.connect(r),
        reporter: new TextReporter(console),
      });
      return result.ok ? 0 : result.error?.exitCode ?? 1;
    } finally {
      await linked.close();
    }
  },
};
