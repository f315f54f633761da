/**
 * `write FILE [--address ADDR] [--go]`: program a firmware file — the recipe steps `erase: needed`, `write` and
 * `verify` run as one-shot stages (lib/cli/one_shot.ts), so the pages that already hold the image are left alone,
 * a blank chip is programmed without erasing, and every phase shows progress.
 *
 * @module
 */

import { parseAddress } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import { ONE_SHOT_OPTIONS, parseOneShot, recipeStage, runOneShot } from "../one_shot.ts";
import { FLASH_BASE } from "../../chips/families/common.ts";
import { InputError } from "../../errors.ts";
import { loadImageFile } from "../../image/load.ts";
import { eraseStep } from "../../recipe/steps/erase.ts";
import { verifyStep } from "../../recipe/steps/verify.ts";
import { writeStep } from "../../recipe/steps/write.ts";

/** The `write` command. */
export const writeCommand: CommandSpec = {
  name: "write",
  summary: "program a firmware file: erase the pages it needs, write, verify",
  usage: "write FILE [--address ADDR] [--go] (--port PATH | --usb VID:PID | --simulate CHIP)",
  description: "FILE is .hex, .srec, .elf, .dfu or .bin; a .bin is loaded at --address (default 0x08000000).\n" +
    "With --wiring the board is reset into its bootloader first and into the application afterwards.",
  options: [
    { name: "address", type: "string", valueName: "ADDR", description: "load address of a .bin (default 0x08000000)" },
    { name: "go", type: "boolean", description: "start the application afterwards (the bootloader's Go; --after go)" },
    ...ONE_SHOT_OPTIONS,
  ],
  examples: [
    ["write firmware.hex --port /dev/ttyUSB0", "flash a board"],
    ["write app.bin --address 0x08004000 --port COM3", "a raw binary after a 16 KiB bootloader"],
    ["write firmware.hex --port /dev/ttyUSB0 --go", "flash, then start the application"],
    ["write firmware.hex --port /dev/ttyUSB0 --wiring dtr-reset-rts-boot0", "auto-boot circuit: no jumpers to set"],
  ],
  async run(args, console) {
    if (args.positionals.length !== 1) {
      throw new InputError("E_USAGE", "write takes exactly one firmware file", {
        hint: args.positionals.length > 1
          ? `the board goes after --port: flashrecipe write ${args.positionals[0]} --port ${args.positionals[1]}`
          : "flashrecipe write FILE --port PATH",
      });
    }
    const [file] = args.positionals;
    const addressText = args.options.address as string | undefined;
    const baseAddress = addressText === undefined ? FLASH_BASE : parseAddress(addressText, "--address");
    if (args.options.go === true && args.options.after !== undefined && args.options.after !== "go") {
      throw new InputError("E_USAGE", `--go and --after ${args.options.after} contradict each other`);
    }
    const shot = parseOneShot(args, "write", { after: args.options.go === true ? "go" : "reset" });
    // The whole file is parsed before the device is touched.
    const image = await loadImageFile(file, { baseAddress });
    const images = new Map([[file, image]]);
    const params = { file, ...(addressText === undefined ? {} : { address: baseAddress }) };
    const { code } = await runOneShot(console, shot, {
      title: `write ${file}`,
      needsUnlocked: true,
      changesFlash: true,
      planned: [image],
      stages: [
        recipeStage(eraseStep, "needed"),
        recipeStage(writeStep, params, { images }),
        recipeStage(verifyStep, {}),
      ],
    });
    return code;
  },
};
