/**
 * The options every one-shot command (`read`, `write`, `info`) shares — `--port PATH` or `--simulate CHIP`, and
 * `--baud` — and the connection they lead to, through the same {@linkcode createConnector} a recipe run uses.
 *
 * @module
 */

import { type OptionSpec, type ParsedArgs, parseNumber } from "./args.ts";
import type { Console } from "./command.ts";
import { createConnector } from "./connector.ts";
import { InputError } from "../errors.ts";
import { simulatedPartNames } from "../sim/parts.ts";
import type { Target } from "../target/target.ts";

/** `--port`, `--simulate`, `--baud`. */
export const LINK_OPTIONS: readonly OptionSpec[] = [
  { name: "port", type: "string", valueName: "PATH", description: "serial port, e.g. /dev/ttyUSB0 or COM3" },
  {
    name: "simulate",
    type: "string",
    valueName: "CHIP",
    description: `use a simulated chip instead (${simulatedPartNames().join(", ")})`,
  },
  { name: "baud", type: "string", valueName: "RATE", description: "baud rate (default 115200)" },
];

/** A connected target and how to let it go. */
export interface OpenLink {
  /** The chip in its bootloader. */
  target: Target;
  /** Closes the link (and stops a simulated board). */
  close(): Promise<void>;
}

/** What the link options say, checked before anything is opened. */
export interface LinkArgs {
  /** `--port`. */
  port?: string;
  /** `--simulate`. */
  simulate?: string;
  /** `--baud`, default 115200. */
  baud: number;
}

/** Reads and checks `--port`, `--simulate` and `--baud`: exactly one of the first two. */
export function parseLinkArgs(args: ParsedArgs, command: string): LinkArgs {
  const port = args.options.port as string | undefined;
  const simulate = args.options.simulate as string | undefined;
  if ((port === undefined) === (simulate === undefined)) {
    throw new InputError("E_USAGE", `${command} needs exactly one of --port PATH and --simulate CHIP`, {
      hint: "`flashrecipe ports` lists the serial ports present",
    });
  }
  const baudText = args.options.baud as string | undefined;
  const baud = baudText === undefined ? 115200 : parseNumber(baudText, "--baud");
  return { port, simulate, baud };
}

/** Connects as the link options say; warnings (e.g. parity dropped on a pty) go to stderr as `warning:` lines. */
export async function openLink(link: LinkArgs, console: Console): Promise<OpenLink> {
  const connector = createConnector({
    port: link.port,
    simulate: link.simulate,
    warn: (message) => console.err(`warning: ${message}`),
  });
  let target: Target;
  try {
    target = await connector.connect({ baud: link.baud, retries: 5 });
  } catch (error) {
    await connector.close();
    throw error;
  }
  return {
    target,
    async close() {
      try {
        await target.close();
      } finally {
        await connector.close();
      }
    },
  };
}
