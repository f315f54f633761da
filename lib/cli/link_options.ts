/**
 * The link options every one-shot command shares — `--port PATH`, `--usb VID:PID` (its USB DFU counterpart) or
 * `--simulate CHIP`, and `--baud`. lib/cli/one_shot.ts checks them and connects through the same
 * {@linkcode createConnector} a recipe run uses. `--simulate CHIP --usb VID:PID` simulates the DfuSe bootloader.
 *
 * @module
 */

import type { OptionSpec } from "./args.ts";
import { SIMULATED_PART_NAMES } from "../sim/part_names.ts";

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
