/**
 * The options every one-shot command (`read`, `write`, `info`) shares — `--port PATH`, `--usb VID:PID` (its USB DFU
 * counterpart) or `--simulate CHIP`, and `--baud` — and the connection they lead to, through the same
 * {@linkcode createConnector} a recipe run uses. `--simulate CHIP --usb VID:PID` simulates the DfuSe bootloader.
 *
 * @module
 */

import { printable } from "./render.ts";
import { type OptionSpec, type ParsedArgs, parseNumber } from "./args.ts";
import type { Console } from "./command.ts";
import { createConnector } from "./connector.ts";
import { InputError } from "../errors.ts";
import { SIMULATED_PART_NAMES } from "../sim/part_names.ts";
import type { Target } from "../target/target.ts";

/** `--port`, `--usb`, `--simulate`, `--baud`. */
export const LINK_OPTIONS: readonly OptionSpec[] = [
  { name: "port", type: "string", valueName: "PATH", description: "serial port, e.g. /dev/ttyUSB0 or COM3" },
  {
    name: "usb",
    type: "string",
    valueName: "VID:PID",
    description: "USB DFU bootloader instead of a serial port: vid:pid (0483:df11), bus-port path or serial",
  },
  {
    name: "simulate",
    type: "string",
    valueName: "CHIP",
    description: `use a simulated chip instead (${SIMULATED_PART_NAMES.join(", ")})`,
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
  /** `--usb`: the DFU device (with `--simulate`: simulate the DfuSe bootloader). */
  usb?: string;
  /** `--baud`, default 115200. */
  baud: number;
}

/** Reads and checks `--port`, `--simulate` and `--baud`: exactly one of the first two. */
export function parseLinkArgs(args: ParsedArgs, command: string): LinkArgs {
  const port = args.options.port as string | undefined;
  const simulate = args.options.simulate as string | undefined;
  const usb = args.options.usb as string | undefined;
  // --usb alone names a DFU device; with --simulate it asks for the simulated DfuSe bootloader.
  const choices = [port, simulate, simulate === undefined ? usb : undefined].filter((c) => c !== undefined);
  if (choices.length !== 1) {
    throw new InputError("E_USAGE", `${command} needs exactly one of --port PATH, --usb VID:PID and --simulate CHIP`, {
      hint: "`flashrecipe ports` lists the serial ports present, `flashrecipe usb` the USB devices",
    });
  }
  const baudText = args.options.baud as string | undefined;
  const baud = baudText === undefined ? 115200 : parseNumber(baudText, "--baud");
  return { port, simulate, usb, baud };
}

/** Connects as the link options say; warnings (e.g. parity dropped on a pty) go to stderr as `warning:` lines. */
export async function openLink(link: LinkArgs, console: Console): Promise<OpenLink> {
  const connector = createConnector({
    port: link.port,
    simulate: link.simulate,
    transport: link.usb !== undefined ? "dfu" : "usart",
    usb: link.usb,
    warn: (message) => console.err(`warning: ${printable(message)}`),
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
