/**
 * `info`: what the connected chip and its bootloader say about themselves — chip, bootloader version and
 * commands, flash size, unique ID, and the option bytes decoded by name.
 *
 * @module
 */

import type { CommandSpec } from "../command.ts";
import { LINK_OPTIONS, openLink, parseLinkArgs } from "../link_options.ts";
import { formatPid } from "../../chips/database.ts";
import { decodeOptionBytes, formatAddress, formatSize } from "../../chips/format.ts";
import { InputError } from "../../errors.ts";
import { NackError } from "../../protocol/usart/errors.ts";

/** The `info` command. */
export const infoCommand: CommandSpec = {
  name: "info",
  summary: "identify the chip: bootloader, flash size, unique ID, option bytes",
  usage: "info (--port PATH | --usb VID:PID | --simulate CHIP)",
  options: [...LINK_OPTIONS],
  examples: [["info --port /dev/ttyUSB0", "what is on this board?"]],
  async run(args, console) {
    if (args.positionals.length > 0) {
      throw new InputError("E_USAGE", "info takes no arguments", { hint: "flashrecipe info --port PATH" });
    }
    const link = await openLink(parseLinkArgs(args, "info"), console);
    try {
      const { identity } = link.target;
      const { chip } = identity;
      const line = (label: string, value: string) => console.out(`${label.padEnd(14)}${value}`);
      const pid = identity.pid === undefined ? "" : `, product ID ${formatPid(identity.pid)}`;
      line("chip", `${chip.name} (${chip.family}${pid})`);
      line("bootloader", `${identity.bootloaderVersion ?? "?"} over ${identity.transport}`);
      line("commands", (identity.commands ?? []).join(", "));
      line("flash", `${formatSize(identity.flashSize)} at ${formatAddress(chip.flash.base)}`);
      line("unique ID", identity.uniqueId ?? "not readable");
      const { address, size } = chip.optionBytes;
      if (size === 0) return 0;
      let bytes: Uint8Array;
      try {
        bytes = await link.target.readMemory(address, size);
      } catch (error) {
        if (!(error instanceof NackError)) throw error;
        line("option bytes", `at ${formatAddress(address)}: not readable (read protection active?)`);
        return 0;
      }
      line("option bytes", `${size} bytes at ${formatAddress(address)}`);
      const values = decodeOptionBytes(chip, bytes);
      const width = Math.max(...values.map((v) => v.name.length)) + 2;
      for (const value of values) {
        const hex = `0x${value.value.toString(16).toUpperCase()}`;
        console.out(`  ${value.name.padEnd(width)}${hex.padEnd(8)}${value.description}`);
      }
      return 0;
    } finally {
      await link.close();
    }
  },
};
