/**
 * `run RECIPE`: validate a recipe and every file it names, then run it against a board or a simulated one.
 *
 * @module
 */

import { parseAssignments } from "../args.ts";
import type { ParsedArgs } from "../args.ts";
import type { CommandSpec, Console } from "../command.ts";
import { createConnector } from "../connector.ts";
import { isSimulatedDfu, simulatedDfuNames } from "../dfu_connector.ts";
import { JsonEventWriter } from "../json_reporter.ts";
import { chooseReporter } from "../reporters.ts";
import { VERSION } from "../version.ts";
import { loadRecipe } from "../../recipe/load.ts";
import { runRecipe } from "../../recipe/runner.ts";
import { InputError } from "../../errors.ts";
import { simulatedPart, simulatedPartNames } from "../../sim/parts.ts";
import { askOnTerminal } from "../prompt.ts";
import { RUN_FLAG_OPTIONS, runFlags } from "../run_flags.ts";

/** The `run` command. */
export const runCommand: CommandSpec = {
  name: "run",
  summary: "run a recipe against a board (or a simulated one)",
  usage: "run RECIPE [--simulate CHIP | --port PATH | --usb VID:PID] [--set NAME=VALUE]...",
  description: "The whole recipe and every file it names are validated before anything is sent to the device.\n" +
    `Simulated chips: ${simulatedPartNames().join(", ")} (USART); ${simulatedDfuNames().join(", ")} (USB DFU).`,
  options: [
    { name: "simulate", type: "string", valueName: "CHIP", description: "run against a simulated chip" },
    { name: "port", type: "string", valueName: "PATH", description: "serial port (overrides target.port)" },
    {
      name: "usb",
      type: "string",
      valueName: "VID:PID",
      description: "USB DFU device: vid:pid, bus-port path or serial (overrides target.usb; default 0483:df11)",
    },
    { name: "set", type: "string", multiple: true, valueName: "NAME=VALUE", description: "set a recipe variable" },
    ...RUN_FLAG_OPTIONS,
    { name: "json", type: "boolean", description: "print JSON Lines events on stdout (docs/events.md)" },
    { name: "quiet", short: "q", type: "boolean", description: "print only errors and the result line" },
  ],
  examples: [
    ["run recipes/demo.yaml --simulate stm32f103c8", "dry run against the simulated Blue Pill"],
    ["run bluepill.yaml --port /dev/ttyUSB0", "flash a board on a USB-serial adapter"],
    ["run prod.yaml --port COM3 --set serial=1001", "set a variable the recipe uses"],
    ["run recipes/feather-f405-dfu.yaml --usb 0483:df11", "flash over USB DFU"],
    ["run prod.yaml --port /dev/ttyUSB0 --json", "events for test-station software, one JSON object a line"],
  ],
  run(args, console) {
    const json = args.options.json ? new JsonEventWriter(console) : undefined;
    return runRun(args, console, json);
  },
};

async function runRun(args: ParsedArgs, console: Console, json: JsonEventWriter | undefined): Promise<number> {
  if (args.positionals.length !== 1) {
    throw new InputError("E_USAGE", "run takes exactly one recipe", { hint: "flashrecipe run RECIPE" });
  }
  const simulate = args.options.simulate as string | undefined;
  const warn = (message: string) => {
    if (json) json.emit({ event: "warning", message });
    console.err(`warning: ${message}`);
  };
  // An unknown simulated chip is a usage error, found before the recipe is even read.
  if (simulate !== undefined && !isSimulatedDfu(simulate)) simulatedPart(simulate);
  const flags = runFlags(args);
  const recipe = await loadRecipe(args.positionals[0], { set: parseAssignments(args.options.set as string[]), flags });
  const cliPort = args.options.port as string | undefined;
  const port = cliPort ?? recipe.header.target.port;
  // --port names the port outright; the recipe's USB match applies only when it does not.
  const match = cliPort === undefined ? recipe.header.target.match : undefined;
  const { transport, chip, usb: recipeUsb } = recipe.header.target;
  const usb = (args.options.usb as string | undefined) ?? recipeUsb;
  const connector = createConnector({ simulate, port, match, wiring: recipe.wiring, warn, transport, usb, part: chip });
  try {
    const result = await runRecipe(recipe, {
      board: connector,
      reporter: chooseReporter(console, {
        json,
        quiet: args.options.quiet === true,
        file: recipe.file,
        version: VERSION,
      }),
      flags,
      ask: askOnTerminal,
    });
    return result.ok ? 0 : result.error?.exitCode ?? 1;
  } finally {
    await connector.close();
  }
}
