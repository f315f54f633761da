/**
 * `protect read | write LIST` and `unprotect read | write | all`: the recipe `protect`/`unprotect` steps as
 * one-shot commands. `unprotect read` is the way out of a read-protected chip (stm32flash's `-k`): it mass-erases.
 *
 * @module
 */

import type { CommandSpec } from "../command.ts";
import { ONE_SHOT_OPTIONS, parseOneShot, recipeStage, runOneShot } from "../one_shot.ts";
import { parsePageList } from "./erase.ts";
import { InputError } from "../../errors.ts";
import { protectStep, unprotectStep } from "../../recipe/steps/protect.ts";

/** The `protect` command. */
export const protectCommand: CommandSpec = {
  name: "protect",
  summary: "turn on read protection (RDP level 1) or write-protect sectors; the chip resets",
  usage: "protect (read | write LIST) (--port PATH | --usb VID:PID | --simulate CHIP)",
  description:
    "read: flash can no longer be read through the bootloader or a debugger (undo: `flashrecipe unprotect\n" +
    "read`, which erases all flash). write LIST: sectors (write-protection groups) as the bootloader counts them.",
  options: [...ONE_SHOT_OPTIONS],
  examples: [
    ["protect read --port /dev/ttyUSB0", "lock the firmware against read-out"],
    ["protect write 0,1 --port COM3", "write-protect the first two sectors (a boot loader)"],
  ],
  async run(args, console) {
    const [what, list, ...rest] = args.positionals;
    let params: { read?: true; write?: number[] };
    if (what === "read" && list === undefined) params = { read: true };
    else if (what === "write" && list !== undefined && rest.length === 0) params = { write: parsePageList(list) };
    else {
      throw new InputError("E_USAGE", "protect takes 'read' or 'write LIST'", {
        hint: "flashrecipe protect read --port PATH, or flashrecipe protect write 0,1 --port PATH",
      });
    }
    const shot = parseOneShot(args, "protect");
    const title = params.read ? "protect read" : `protect write ${list}`;
    const { code } = await runOneShot(console, shot, { title, stages: [recipeStage(protectStep, params)] });
    return code;
  },
};

/** The `unprotect` command. */
export const unprotectCommand: CommandSpec = {
  name: "unprotect",
  summary: "remove read protection (ERASES all flash) and/or write protection; the chip resets",
  usage: "unprotect (read | write | all) (--port PATH | --usb VID:PID | --simulate CHIP)",
  description: "read: the chip leaves RDP level 1 by a mass erase — the firmware and any data in flash are lost.\n" +
    "write: every sector writable again. all: both.",
  options: [...ONE_SHOT_OPTIONS],
  examples: [
    ["unprotect read --port /dev/ttyUSB0", "unlock a read-protected chip (mass erase)"],
    ["unprotect write --port COM3", "remove write protection"],
  ],
  async run(args, console) {
    const [what, ...rest] = args.positionals;
    if ((what !== "read" && what !== "write" && what !== "all") || rest.length > 0) {
      throw new InputError("E_USAGE", "unprotect takes one of: read, write, all", {
        hint: "flashrecipe unprotect read --port PATH (a mass erase)",
      });
    }
    const shot = parseOneShot(args, "unprotect");
    const { code } = await runOneShot(console, shot, {
      title: `unprotect ${what}`,
      stages: [recipeStage(unprotectStep, what)],
    });
    return code;
  },
};
