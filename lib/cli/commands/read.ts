/**
 * `read --address ADDR --length N --output FILE`: read memory from a chip into a `.bin` (or `.hex`, `.srec`,
 * `.dfu` when the file name says so).
 *
 * @module
 */

import { parseAddress, parseNumber } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import { ONE_SHOT_OPTIONS, parseOneShot, runOneShot } from "../one_shot.ts";
import { formatAddress } from "../../chips/format.ts";
import { InputError } from "../../errors.ts";
import { formatFromName } from "../../image/load.ts";
import { MemoryImage } from "../../image/memory_image.ts";
import { writeImage } from "../../image/writers.ts";
import { assertWritableOutput, writeOutputFile } from "../../files/output_path.ts";
import { MAX_READ_LENGTH } from "../../target/target.ts";

/** The `read` command. */
export const readCommand: CommandSpec = {
  name: "read",
  summary: "read memory into a file (.bin, or .hex/.srec/.dfu by name)",
  usage: "read --output FILE [--address ADDR] [--length N] (--port PATH | --usb VID:PID | --simulate CHIP)",
  description: "Address defaults to the start of flash, length to the rest of the flash from there.",
  options: [
    { name: "address", type: "string", valueName: "ADDR", description: "first address (default: flash start)" },
    { name: "length", type: "string", valueName: "N", description: "bytes to read (default: to the end of flash)" },
    { name: "output", short: "o", type: "string", valueName: "FILE", description: "file to write" },
    ...ONE_SHOT_OPTIONS,
  ],
  examples: [
    ["read --port /dev/ttyUSB0 --output backup.bin", "back up the whole flash"],
    ["read --port COM3 --address 0x1FFFF800 --length 16 --output options.hex", "the F1 option bytes as Intel HEX"],
  ],
  async run(args, console) {
    const output = args.options.output as string | undefined;
    if (!output || args.positionals.length > 0) {
      throw new InputError("E_USAGE", "read needs --output FILE and takes no other arguments", {
        hint: "flashrecipe read --port /dev/ttyUSB0 --output backup.bin",
      });
    }
    const format = formatFromName(output) ?? "bin";
    if (format === "elf") {
      throw new InputError("E_USAGE", "read cannot write ELF files", { hint: "name the output .bin, .hex or .srec" });
    }
    const addressText = args.options.address as string | undefined;
    const lengthText = args.options.length as string | undefined;
    const address = addressText === undefined ? undefined : parseAddress(addressText, "--address");
    const length = lengthText === undefined
      ? undefined
      : parseNumber(lengthText, "--length", { min: 1, max: MAX_READ_LENGTH });
    if (address !== undefined && length !== undefined && address + length > 0x1_0000_0000) {
      throw new InputError("E_USAGE", "--address plus --length runs past the 32-bit address space");
    }
    const shot = parseOneShot(args, "read");
    // Before the chip is touched: a read that cannot be saved is not started.
    await assertWritableOutput(output, "the output file");
    const { code } = await runOneShot(console, shot, {
      title: `read into ${output}`,
      needsUnlocked: true,
      stages: [{
        type: "read",
        async run(context) {
          const { chip, flashSize } = context.target!.identity;
          const from = address ?? chip.flash.base;
          const count = length ?? chip.flash.base + flashSize - from;
          if (count <= 0 || from + count > 0x1_0000_0000) {
            throw new InputError("E_USAGE", `${formatAddress(from)} is past the end of flash; give --length`);
          }
          // Starting in flash and running past its end: the bootloader would NACK the first address past it, a
          // reply that reads like read protection. The flash size is known only now, from the chip.
          const end = chip.flash.base + flashSize;
          if (from >= chip.flash.base && from < end && from + count > end) {
            throw new InputError(
              "E_USAGE",
              `${formatAddress(from)} + ${count} bytes runs past the end of flash (${formatAddress(end - 1)})`,
              { hint: `give --length ${end - from} or less (nothing was read)` },
            );
          }
          const data = await context.target!.readMemory(from, count, context.progress);
          const image = new MemoryImage([{ address: from, data }], { name: output });
          await writeOutputFile(output, writeImage(image, format), "the output file");
          return {
            summary: `read ${count} bytes from ${formatAddress(from)} into ${output} (${format})`,
            bytes: count,
          };
        },
      }],
    });
    return code;
  },
};
