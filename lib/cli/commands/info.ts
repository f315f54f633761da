/**
 * `info`: what the connected chip and its bootloader say about themselves — chip, bootloader version and
 * commands, flash size, unique ID, and the option bytes decoded by name.
 *
 * @module
 */

import type { CommandSpec } from "../command.ts";
import { ONE_SHOT_OPTIONS, parseOneShot, runOneShot } from "../one_shot.ts";
import { formatPid } from "../../chips/database.ts";
import { formatAddress, formatSize, type OptionValue } from "../../chips/format.ts";
import { InputError } from "../../errors.ts";
import { NackError } from "../../protocol/usart/errors.ts";
import { readOptionFields } from "../../target/option_settings.ts";
import { isReadProtectedError } from "../../target/protection.ts";
import type { TargetIdentity } from "../../target/target.ts";
import { idLabel } from "../run_summary.ts";

/** The `info` command. */
export const infoCommand: CommandSpec = {
  name: "info",
  summary: "identify the chip: bootloader, flash size, unique ID, option bytes",
  usage: "info (--port PATH | --usb VID:PID | --simulate CHIP)",
  options: [...ONE_SHOT_OPTIONS],
  examples: [
    ["info --port /dev/ttyUSB0", "what is on this board?"],
    ["info --port /dev/ttyUSB0 --json", "the same as JSON events (an `info` event carries the option bytes)"],
  ],
  async run(args, console) {
    if (args.positionals.length > 0) {
      throw new InputError("E_USAGE", "info takes no arguments", { hint: "flashrecipe info --port PATH" });
    }
    const shot = parseOneShot(args, "info");
    let identity: TargetIdentity | undefined;
    let options: OptionValue[] | undefined;
    const { code, events } = await runOneShot(console, shot, {
      title: "info",
      stages: [{
        type: "option-bytes",
        async run(context) {
          const target = context.target!;
          identity = target.identity;
          const { address, size } = identity.chip.optionBytes;
          if (size === 0 || !target.readOptionBytes) return { summary: "no option bytes on this link" };
          try {
            options = (await readOptionFields(target)).fields;
          } catch (error) {
            // A read-protected chip refuses the read: a USART bootloader NACKs it (AN3155 §3.4), a DfuSe one answers
            // errVENDOR (AN3156), which the DFU target reports as E_READ_PROTECTED. Either is what info reports.
            if (!(error instanceof NackError || isReadProtectedError(error))) throw error;
            return { summary: `at ${formatAddress(address)}: not readable (read protection active?)` };
          }
          return { summary: `${size} bytes at ${formatAddress(address)}`, bytes: size };
        },
      }],
    });
    if (!identity) return code;
    if (events) {
      events.emit({
        event: "info",
        optionBytes: options?.map((o) => ({ name: o.name, value: o.value, description: o.description })) ?? null,
      });
      return code;
    }
    if (shot.quiet) return code;
    const { chip } = identity;
    const line = (label: string, value: string) => console.out(`${label.padEnd(14)}${value}`);
    const pid = identity.pid === undefined ? "" : `, product ID ${formatPid(identity.pid)}`;
    line("chip", `${chip.name} (${chip.family}${pid})`);
    line("bootloader", `${identity.bootloaderVersion ?? "?"} over ${identity.transport}`);
    line("commands", (identity.commands ?? []).join(", "));
    line("flash", `${formatSize(identity.flashSize)} at ${formatAddress(chip.flash.base)}`);
    line(idLabel(identity), identity.uniqueId ?? "not readable");
    if (identity.readProtected) {
      line("protection", "READ-PROTECTED (RDP level 1): `flashrecipe unprotect read` removes it");
    }
    if (!options) return code;
    line("option bytes", `${chip.optionBytes.size} bytes at ${formatAddress(chip.optionBytes.address)}`);
    const width = Math.max(...options.map((v) => v.name.length)) + 2;
    for (const value of options) {
      const hex = `0x${value.value.toString(16).toUpperCase()}`;
      console.out(`  ${value.name.padEnd(width)}${hex.padEnd(8)}${value.description}`);
    }
    return code;
  },
};
