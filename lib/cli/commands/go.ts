/**
 * `go [--address ADDR]`: start the code at an address through the bootloader (USART Go, AN3155 §3.5; DfuSe leave),
 * the recipe `jump` step as a one-shot command.
 *
 * @module
 */

import { parseNumber } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import { ONE_SHOT_OPTIONS, parseOneShot, recipeStage, runOneShot } from "../one_shot.ts";
import { InputError } from "../../errors.ts";
import { jumpStep } from "../../recipe/steps/jump.ts";

/** The `go` command. */
export const goCommand: CommandSpec = {
  name: "go",
  summary: "start the application (or code at an address) through the bootloader",
  usage: "go [--address ADDR] (--port PATH | --usb VID:PID | --simulate CHIP)",
  description:
    "ADDR is where the vector table is (default: the start of flash); over USB DFU the device leaves DFU mode.",
  options: [
    { name: "address", type: "string", valueName: "ADDR", description: "vector table address (default: flash start)" },
    ...ONE_SHOT_OPTIONS.filter((o) => o.name !== "after"),
  ],
  examples: [
    ["go --port /dev/ttyUSB0", "start the application in flash"],
    ["go --address 0x08004000 --port COM3", "start an application behind a 16 KiB bootloader"],
  ],
  async run(args, console) {
    if (args.positionals.length > 0) {
      throw new InputError("E_USAGE", "go takes no arguments", { hint: "flashrecipe go --address ADDR --port PATH" });
    }
    const text = args.options.address as string | undefined;
    const shot = parseOneShot(args, "go");
    const params = text === undefined ? {} : { address: parseNumber(text, "--address") };
    const { code } = await runOneShot(console, shot, {
      title: "go",
      stages: [recipeStage(jumpStep, params, { label: "go" })],
    });
    return code;
  },
};
