/**
 * The command-line entry point: dispatches subcommands, prints help, and turns errors into one line and an
 * exit code (0 success, 1 a device step failed, 2 bad usage, recipe or file).
 *
 * @module
 */

import { parseArgs } from "./args.ts";
import { commandHelp, type CommandSpec, type Console } from "./command.ts";
import { runCommand } from "./commands/run.ts";
import { stationCommand } from "./commands/station.ts";
import { validateCommand } from "./commands/validate.ts";
import { schemaCommand } from "./commands/schema.ts";
import { imageCommand } from "./commands/image.ts";
import { convertCommand } from "./commands/convert.ts";
import { simCommand } from "./commands/sim.ts";
import { portsCommand } from "./commands/ports.ts";
import { readCommand } from "./commands/read.ts";
import { writeCommand } from "./commands/write.ts";
import { infoCommand } from "./commands/info.ts";
import { usbCommand } from "./commands/usb.ts";
import { FlashRecipeError, InputError } from "../errors.ts";
import { didYouMean } from "../recipe/suggest.ts";
import { VERSION } from "./version.ts";
import { errorResultEvent, JsonEventWriter } from "./json_reporter.ts";
import type { OptionSpec } from "./args.ts";

export { VERSION } from "./version.ts";

/** Every subcommand. */
export const COMMANDS: readonly CommandSpec[] = [
  runCommand,
  validateCommand,
  stationCommand,
  imageCommand,
  convertCommand,
  schemaCommand,
  infoCommand,
  readCommand,
  writeCommand,
  portsCommand,
  simCommand,
  usbCommand,
];

/** The program's help text. */
export function programHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `flashrecipe ${VERSION} — flash STM32 microcontrollers through their ROM bootloaders by running YAML recipes`,
    "",
    "Usage: flashrecipe COMMAND [ARGS]   (flashrecipe COMMAND --help for details)",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
    "Options:",
    "  --help       show help",
    "  --version    show the version",
    "",
    "Exit codes: 0 success, 1 a step failed on the device, 2 bad usage, recipe or file.",
  ].join("\n");
}

/**
 * Runs the CLI with `argv`; returns the exit code. An error that stops a command is one line on stderr; with
 * `--json` it is also a `result` event on stdout (docs/events.md), so the event stream always ends with one.
 */
export async function main(argv: readonly string[], console: Console): Promise<number> {
  // Decided from the raw arguments, so that even a mistake in the other options is reported as an event.
  const json = argv.slice(1).includes("--json") && COMMANDS.some((c) => c.name === argv[0] && c.options.some(isJson));
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      console.out(programHelp());
      return name === undefined ? 2 : 0;
    }
    if (name === "--version" || name === "-V") {
      console.out(`flashrecipe ${VERSION}`);
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      throw new InputError("E_USAGE", `unknown command '${name}'${didYouMean(name, COMMANDS.map((c) => c.name))}`, {
        hint: "see 'flashrecipe --help'",
      });
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      console.out(commandHelp(command));
      return 0;
    }
    const args = parseArgs(rest, command.options, command.name);
    return await command.run(args, console);
  } catch (error) {
    if (error instanceof FlashRecipeError) {
      if (json) new JsonEventWriter(console).emit(errorResultEvent(error));
      console.err(`error[${error.code}]: ${error.userMessage()}`);
      return error.exitCode;
    }
    throw error;
  }
}

function isJson(option: OptionSpec): boolean {
  return option.name === "json";
}
