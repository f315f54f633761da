/**
 * The command-line entry point: dispatches subcommands, prints help, and turns errors into one line and an
 * exit code (0 success, 1 a device step failed, 2 bad usage, recipe or file).
 *
 * @module
 */

import { parseArgs } from "./args.ts";
import { commandHelp, type CommandSpec, type Console } from "./command.ts";
import { afterDeviceContact, DeviceError, FlashRecipeError, InputError } from "../errors.ts";
import { deviceContacted, resetDeviceContact } from "./device_contact.ts";
import { saveTrace, setDebugConsole } from "./debug_trace.ts";
import { didYouMean } from "../recipe/suggest.ts";
import { VERSION } from "./version.ts";
import { errorLines } from "./render.ts";
import { redactSecrets } from "../production/redact.ts";
import { commandHabit, looksLikePort, optionHabit } from "./habits.ts";
import type { OptionSpec } from "./args.ts";

export { VERSION } from "./version.ts";

/** A subcommand as the dispatcher knows it before loading it. */
export interface CommandEntry {
  /** Name, e.g. `run`. */
  name: string;
  /** One line for the command list (the loaded command says the same). */
  summary: string;
  /** Loads the command's module: only the command being run is loaded, which keeps start-up short. */
  load(): Promise<CommandSpec>;
}

/** Every subcommand. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "run",
    summary: "run a recipe against a board (or a simulated one)",
    load: async () => (await import("./commands/run.ts")).runCommand,
  },
  {
    name: "validate",
    summary: "check recipes and the files they name; touches no device",
    load: async () => (await import("./commands/validate.ts")).validateCommand,
  },
  {
    name: "station",
    summary: "run a recipe board after board, logging each board (production)",
    load: async () => (await import("./commands/station.ts")).stationCommand,
  },
  {
    name: "image",
    summary: "show a firmware image's format, segments, size and SHA-256 digests",
    load: async () => (await import("./commands/image.ts")).imageCommand,
  },
  {
    name: "convert",
    summary: "convert a firmware image to .hex, .srec, .bin or .dfu",
    load: async () => (await import("./commands/convert.ts")).convertCommand,
  },
  {
    name: "schema",
    summary: "print the recipe JSON Schema (for editors with yaml-language-server)",
    load: async () => (await import("./commands/schema.ts")).schemaCommand,
  },
  {
    name: "info",
    summary: "identify the chip: bootloader, flash size, unique ID, option bytes",
    load: async () => (await import("./commands/info.ts")).infoCommand,
  },
  {
    name: "read",
    summary: "read memory into a file (.bin, or .hex/.srec/.dfu by name)",
    load: async () => (await import("./commands/read.ts")).readCommand,
  },
  {
    name: "write",
    summary: "program a firmware file: erase the pages it needs, write, verify",
    load: async () => (await import("./commands/write.ts")).writeCommand,
  },
  {
    name: "erase",
    summary: "erase all of flash, some pages/sectors, or the pages an address range overlaps",
    load: async () => (await import("./commands/erase.ts")).eraseCommand,
  },
  {
    name: "go",
    summary: "start the application (or code at an address) through the bootloader",
    load: async () => (await import("./commands/go.ts")).goCommand,
  },
  {
    name: "reset",
    summary: "restart the board: through DTR/RTS with --wiring, else by Go to the reset vector",
    load: async () => (await import("./commands/reset.ts")).resetCommand,
  },
  {
    name: "protect",
    summary: "turn on read protection (RDP level 1) or write-protect sectors; the chip resets",
    load: async () => (await import("./commands/protect.ts")).protectCommand,
  },
  {
    name: "unprotect",
    summary: "remove read protection (ERASES all flash) and/or write protection; the chip resets",
    load: async () => (await import("./commands/protect.ts")).unprotectCommand,
  },
  {
    name: "options",
    summary: "show the option bytes by field, or set fields by name (RDP, nBOOT1, WDG_SW, ...); the chip resets",
    load: async () => (await import("./commands/options.ts")).optionsCommand,
  },
  {
    name: "chips",
    summary: "list the supported parts (filter by part, series or product ID)",
    load: async () => (await import("./commands/chips.ts")).chipsCommand,
  },
  {
    name: "ports",
    summary: "list serial ports with their USB vendor/product IDs and serial numbers",
    load: async () => (await import("./commands/ports.ts")).portsCommand,
  },
  {
    name: "sim",
    summary: "serve a simulated chip's bootloader on a pseudo-terminal (for stm32flash or --port)",
    load: async () => (await import("./commands/sim.ts")).simCommand,
  },
  {
    name: "records",
    summary: "export or look up production records (CSV or JSON Lines)",
    load: async () => (await import("./commands/records.ts")).recordsCommand,
  },
  {
    name: "usb",
    summary: "list USB devices, with the alternate settings and memory layouts of DFU devices",
    load: async () => (await import("./commands/usb.ts")).usbCommand,
  },
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
    "Exit codes: 0 success, 1 failed once a device was contacted (or an internal fault),",
    "2 bad usage, recipe or file (nothing was sent to a device).",
  ].join("\n");
}

/**
 * Runs the CLI with `argv`; returns the exit code. An error that stops a command is one line on stderr; with
 * `--json` it is also a `result` event on stdout (docs/events.md), so the event stream always ends with one.
 */
export async function main(argv: readonly string[], console: Console): Promise<number> {
  // `--debug` anywhere: an internal fault also prints its stack trace.
  const debug = argv.includes("--debug");
  argv = argv.filter((arg) => arg !== "--debug");
  resetDeviceContact();
  setDebugConsole(debug ? console : undefined);
  // Decided from the raw arguments, so that even a mistake in the other options is reported as an event.
  let json = false;
  try {
    const [name, ...rest] = argv;
    if (name === "help" && rest.length > 0) {
      // `help write` is `write --help`.
      const entry = COMMANDS.find((c) => c.name === rest[0]);
      if (!entry) throw unknownCommand(rest[0]);
      console.out(commandHelp(await entry.load()));
      return 0;
    }
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      console.out(programHelp());
      return name === undefined ? 2 : 0;
    }
    if (name === "--version" || name === "-V") {
      console.out(`flashrecipe ${VERSION}`);
      return 0;
    }
    const entry = COMMANDS.find((c) => c.name === name);
    if (!entry) throw unknownCommand(name, rest[0]);
    const command = await entry.load();
    // Decided from the raw arguments, so that even a mistake in the other options is reported as an event.
    json = rest.includes("--json") && command.options.some(isJson);
    if (rest.includes("--help") || rest.includes("-h")) {
      console.out(commandHelp(command));
      return 0;
    }
    const args = parseArgs(rest, command.options, command.name);
    checkPortPositional(args.positionals, command);
    return await command.run(args, console);
  } catch (caught) {
    let error = caught instanceof FlashRecipeError ? caught : internalError(caught);
    // Exit 2 says nothing was sent to a device: after contact, every error is exit 1.
    if (deviceContacted()) error = afterDeviceContact(error);
    if (json) {
      // Imported here, not at start-up: it pulls in the chip database, which --version and --help never need.
      const { errorResultEvent, JsonEventWriter } = await import("./json_reporter.ts");
      new JsonEventWriter(console).emit(errorResultEvent(error));
    }
    // A database URL quoted in any message loses its password on the way out.
    for (const line of errorLines(error)) console.err(redactSecrets(line, []));
    return error.exitCode;
  }
}

/** An unknown command, answered with the flashrecipe command for it when it is another tool's word. */
function unknownCommand(name: string, next?: string): InputError {
  const habit = commandHabit(name);
  if (habit) {
    return new InputError("E_USAGE", `unknown command '${name}': use ${habit}`, {
      hint: "see 'flashrecipe --help'",
    });
  }
  // An option first (`-w fw.bin` as stm32flash takes it): the same answer as for the option.
  if (name.startsWith("-")) {
    const option = optionHabit(name, next, "");
    if (option) {
      return new InputError("E_USAGE", `'${name}' is not a command: flashrecipe says ${option}`, {
        hint: "flashrecipe COMMAND [ARGS]; see 'flashrecipe --help'",
      });
    }
  }
  return new InputError("E_USAGE", `unknown command '${name}'${didYouMean(name, COMMANDS.map((c) => c.name))}`, {
    hint: "see 'flashrecipe --help'",
  });
}

/** A serial port given as an argument (`write fw.hex /dev/ttyUSB0`, as stm32flash takes it) belongs after --port. */
function checkPortPositional(positionals: readonly string[], command: CommandSpec): void {
  const port = positionals.find(looksLikePort);
  if (port === undefined || !command.options.some((o) => o.name === "port")) return;
  const others = positionals.filter((p) => p !== port);
  throw new InputError("E_USAGE", `'${port}' looks like a serial port: give it with --port`, {
    hint: `flashrecipe ${[command.name, ...others].join(" ")} --port ${port}`,
  });
}

/**
 * What flashrecipe did not expect (a bug, or a fault of the system under it) as one line a user can act on, never
 * a stack trace: the trace goes where {@linkcode saveTrace} puts it (stderr with `--debug`, else a log file the
 * line names). It is exit 1: the command may have reached a device before the fault, so exit 2 ("nothing was
 * sent") cannot be promised.
 */
export function internalError(caught: unknown): FlashRecipeError {
  const message = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
  return new DeviceError("E_INTERNAL", `internal error: ${message.split("\n")[0]}`, {
    hint: `please report this with the command line, the recipe and flashrecipe ${VERSION}; ${saveTrace(caught)}`,
    cause: caught,
  });
}

function isJson(option: OptionSpec): boolean {
  return option.name === "json";
}
