/**
 * `ports`: list the serial ports present (Linux: from sysfs; Windows: registry and SetupAPI), with USB identity
 * for `target.match`.
 *
 * @module
 */

import type { CommandSpec } from "../command.ts";
import { InputError } from "../../errors.ts";
import { formatPortList, listSerialPorts } from "../../transport/serial/list_ports.ts";

/** The `ports` command. */
export const portsCommand: CommandSpec = {
  name: "ports",
  summary: "list serial ports with their USB vendor/product IDs and serial numbers",
  usage: "ports [--json]",
  description: "Linux lists from sysfs, Windows the COM ports from the registry and SetupAPI. " +
    "On macOS name /dev/cu.* ports directly.",
  options: [{ name: "json", type: "boolean", description: "print the list as JSON" }],
  examples: [["ports", "which adapter is which?"], ["ports --json", "for scripts"]],
  async run(args, console) {
    if (args.positionals.length > 0) throw new InputError("E_USAGE", "ports takes no arguments");
    const ports = await listSerialPorts();
    console.out(args.options.json ? JSON.stringify(ports, null, 2) : formatPortList(ports).trimEnd());
    return 0;
  },
};
