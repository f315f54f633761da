/**
 * `reset`: restart the board. With `--wiring` through DTR/RTS (the recipe `reset` step: NRST pulsed, BOOT0 set for
 * the application or, with `--into bootloader`, the ROM bootloader); without wiring lines there is no reset pin to
 * pull, so the bootloader's Go starts the application from the reset vector instead.
 *
 * @module
 */

import type { CommandSpec } from "../command.ts";
import { ONE_SHOT_OPTIONS, parseOneShot, recipeStage, runOneShot } from "../one_shot.ts";
import { InputError } from "../../errors.ts";
import { jumpStep } from "../../recipe/steps/jump.ts";
import { resetStep } from "../../recipe/steps/reset.ts";

/** The `reset` command. */
export const resetCommand: CommandSpec = {
  name: "reset",
  summary: "restart the board: through DTR/RTS with --wiring, else by Go to the reset vector",
  usage: "reset [--into application|bootloader] (--port PATH [--wiring PRESET] | --usb VID:PID | --simulate CHIP)",
  description: "Without --wiring the bootloader must be running: it is told to Go to the application (not a true\n" +
    "reset: peripherals keep the state the bootloader left).",
  options: [
    { name: "into", type: "string", valueName: "WHAT", description: "application (default) or bootloader (--wiring)" },
    ...ONE_SHOT_OPTIONS.filter((o) => o.name !== "before" && o.name !== "after"),
  ],
  examples: [
    ["reset --port /dev/ttyUSB0 --wiring dtr-reset-rts-boot0", "pulse NRST, the application starts"],
    ["reset --into bootloader --port /dev/ttyUSB0 --wiring dtr-reset-rts-boot0", "into the ROM bootloader"],
    ["reset --port /dev/ttyUSB0", "no reset wired: start the application by Go"],
  ],
  async run(args, console) {
    if (args.positionals.length > 0) {
      throw new InputError("E_USAGE", "reset takes no arguments", { hint: "flashrecipe reset --port PATH" });
    }
    const into = (args.options.into as string | undefined) ?? "application";
    if (into !== "application" && into !== "bootloader") {
      throw new InputError("E_USAGE", `--into must be application or bootloader, not '${into}'`);
    }
    const wired = args.options.wiring !== undefined;
    if (!wired && into === "bootloader") {
      throw new InputError("E_USAGE", "a reset into the bootloader needs DTR/RTS wired to NRST and BOOT0", {
        hint: "add --wiring PRESET, or set BOOT0 by hand and press reset",
      });
    }
    // The lines alone do the reset: no bootloader is needed, nor --before.
    const shot = { ...parseOneShot(args, "reset"), before: "none" as const };
    const { code } = await runOneShot(
      console,
      shot,
      wired
        ? { title: `reset into the ${into}`, connect: false, stages: [recipeStage(resetStep, { into })] }
        : { title: "reset by Go", stages: [recipeStage(jumpStep, {}, { label: "go" })] },
    );
    return code;
  },
};
