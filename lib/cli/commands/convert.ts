/**
 * `convert IN OUT`: rewrite a firmware image in another format (hex, srec, bin, dfu), e.g. an ELF from the build
 * as a DfuSe file for the USB bootloader.
 *
 * @module
 */

import type { CommandSpec } from "../command.ts";
import { addressOption, imageFormatOption, warnIgnoredAddress, withAddressHint } from "./image.ts";
import { convertImage, type ConvertResult } from "../../image/convert.ts";
import { hexAddress, ImageError } from "../../image/errors.ts";
import { formatFromName } from "../../image/load.ts";
import { InputError } from "../../errors.ts";

/** Formats `convert` writes (ELF is read-only). */
const WRITABLE = ["hex", "srec", "bin", "dfu"] as const;

/** The line `convert` prints: what was written, and for a .bin where it starts (the file cannot say). */
export function describeConversion(outPath: string, result: ConvertResult): string {
  const { image, outputFormat, bytesWritten } = result;
  if (outputFormat === "bin") {
    // writeBinary fills the gaps: one contiguous segment from the image's lowest address.
    const start = hexAddress(image.start);
    return `wrote ${outPath}: bin, 1 segment, ${bytesWritten} bytes from ${start} ` +
      `(a .bin holds no address: read it back with --address ${start})`;
  }
  const count = image.segments.length;
  return `wrote ${outPath}: ${outputFormat}, ${count} segment${count === 1 ? "" : "s"}, ${image.size} bytes ` +
    `from ${hexAddress(image.start)} to ${hexAddress(image.end)} (file ${bytesWritten} bytes)`;
}

/** The `convert` command. */
export const convertCommand: CommandSpec = {
  name: "convert",
  summary: "convert a firmware image to .hex, .srec, .bin or .dfu",
  usage: "convert IN OUT [--address ADDR] [--format FMT] [--to FMT]",
  description:
    "The input is read as by 'flashrecipe image' (.bin, .hex, .srec, .elf, .dfu). The output format comes\n" +
    "from OUT's extension unless --to is given. A .bin output starts at the image's lowest address with the gaps\n" +
    "filled with 0xFF; the address it starts at is printed, since the file cannot hold it. A .dfu output is DfuSe\n" +
    "(one target, one element per segment) for the STM32 ROM bootloader (0483:df11).",
  options: [
    {
      name: "address",
      type: "string",
      valueName: "ADDR",
      description: "load address of a raw .bin or plain .dfu input (decimal or 0x hex)",
    },
    { name: "format", type: "string", valueName: "FMT", description: "read IN as bin|hex|srec|elf|dfu" },
    { name: "to", type: "string", valueName: "FMT", description: `write OUT as ${WRITABLE.join("|")}` },
  ],
  examples: [
    ["convert build/app.elf app.hex", "an ELF from the build as Intel HEX"],
    ["convert app.hex app.bin", "a raw binary (prints the address it starts at)"],
    ["convert app.bin app.dfu --address 0x08000000", "a raw binary as a DfuSe file for USB DFU"],
    ["convert app.elf app.s19 --to srec", "S-records with a name the extension does not decide"],
  ],
  async run(args, console) {
    if (args.positionals.length !== 2) {
      throw new InputError("E_USAGE", "convert takes an input and an output file", {
        hint: "flashrecipe convert IN OUT",
      });
    }
    const [inPath, outPath] = args.positionals;
    const baseAddress = addressOption(args);
    const inputFormat = imageFormatOption(args, "format");
    const outputFormat = imageFormatOption(args, "to") ?? formatFromName(outPath);
    if (outputFormat === undefined) {
      throw new ImageError("E_IMAGE_FORMAT", `cannot tell the output format from the name ${outPath}`, {
        hint: `name it .hex, .srec, .bin or .dfu, or give --to ${WRITABLE.join("|")}`,
      });
    }
    if (outputFormat === "elf") {
      throw new ImageError("E_IMAGE_FORMAT", "convert cannot write ELF files", {
        hint: "write .hex, .srec, .bin or .dfu instead",
      });
    }
    const result = await withAddressHint(() =>
      convertImage(inPath, outPath, { inputFormat, outputFormat, baseAddress })
    );
    warnIgnoredAddress(result.image, baseAddress, inPath, console);
    console.out(describeConversion(outPath, result));
    return 0;
  },
};
