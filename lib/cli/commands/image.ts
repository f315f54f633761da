/**
 * `image FILE`: what a firmware image holds — its format, segments (address, length, SHA-256) and total size —
 * as a table or, with `--json`, as one JSON document. Also the option parsing `image` and `convert` share.
 *
 * @module
 */

import { parseAddress, type ParsedArgs } from "../args.ts";
import type { CommandSpec, Console } from "../command.ts";
import { hexAddress, ImageError } from "../../image/errors.ts";
import {
  detectFormat,
  formatFromName,
  IMAGE_FORMATS,
  type ImageFormat,
  parseImage,
  readImageBytes,
} from "../../image/load.ts";
import type { MemoryImage } from "../../image/memory_image.ts";
import { describeImage, imageSummaryChunks } from "../../image/summary.ts";
import { InputError } from "../../errors.ts";
import { didYouMean } from "../../recipe/suggest.ts";

/** The value of a single-valued string option, if given. */
function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * Reads an image-format option (`--format`, `--to`): a format name (`bin`, `hex`, `srec`, `elf`, `dfu`) or a file
 * extension that stands for one (`ihex`, `s19`, `axf`...). Anything else is an `E_USAGE` error with a suggestion.
 */
export function imageFormatOption(args: ParsedArgs, name: string): ImageFormat | undefined {
  const text = stringOption(args, name);
  if (text === undefined) return undefined;
  const lower = text.toLowerCase().replace(/^\./, "");
  const format = IMAGE_FORMATS.find((f) => f === lower) ?? (lower ? formatFromName(`file.${lower}`) : undefined);
  if (format === undefined) {
    throw new InputError(
      "E_USAGE",
      `--${name} must be one of ${IMAGE_FORMATS.join(", ")}, not '${text}'${didYouMean(lower, IMAGE_FORMATS)}`,
      { hint: `e.g. --${name} hex` },
    );
  }
  return format;
}

/** Reads `--address ADDR` (decimal or 0x hex) with {@linkcode parseNumber}. */
export function addressOption(args: ParsedArgs): number | undefined {
  const text = stringOption(args, "address");
  return text === undefined ? undefined : parseAddress(text, "--address");
}

/**
 * Runs `load` (which reads `file`), replacing the image layer's recipe-oriented hint of an `E_IMAGE_ADDRESS`
 * error (a raw .bin or plain .dfu without an address) with the command-line option that supplies it.
 */
export async function withAddressHint<T>(load: () => T | Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof ImageError && error.code === "E_IMAGE_ADDRESS") {
      throw new ImageError("E_IMAGE_ADDRESS", error.message, {
        location: error.location,
        hint: "give the address to load it at, e.g. --address 0x08000000",
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Warns when `--address` was given for a file that carries its own addresses (hex, srec, elf, DfuSe), which the
 * image layer ignores. A raw or plain-DFU image always starts at the address given, so a different start means
 * the option had no effect.
 */
export function warnIgnoredAddress(
  image: MemoryImage,
  address: number | undefined,
  file: string,
  console: Console,
): void {
  if (address === undefined || image.isEmpty || image.start === address) return;
  console.err(
    `warning: --address ${hexAddress(address)} is ignored: ${file} carries its own addresses ` +
      `(it starts at ${hexAddress(image.start)})`,
  );
}

/** The `image` command. */
export const imageCommand: CommandSpec = {
  name: "image",
  summary: "show a firmware image's format, segments, size and SHA-256 digests",
  usage: "image FILE [--json] [--address ADDR] [--format FMT]",
  description: "Reads .bin, .hex, .srec, .elf and .dfu files. The format is detected from the content first (ELF\n" +
    "magic, DfuSe prefix, DFU suffix, first Intel HEX or S-record line), then from the extension.\n" +
    "A raw .bin, and a plain .dfu (a .bin plus a DFU suffix), holds no address: give --address.",
  options: [
    { name: "json", type: "boolean", description: "print the summary as one JSON document" },
    {
      name: "address",
      type: "string",
      valueName: "ADDR",
      description: "load address of a raw .bin or plain .dfu (decimal or 0x hex)",
    },
    {
      name: "format",
      type: "string",
      valueName: "FMT",
      description: `read the file as ${IMAGE_FORMATS.join("|")} instead of detecting it`,
    },
  ],
  examples: [
    ["image firmware/blinky.hex", "segments and digests of an Intel HEX file"],
    ["image blinky.bin --address 0x08000000", "a raw binary, loaded at the start of flash"],
    ["image app.elf --json", "machine-readable summary"],
    ["image app.img --format hex", "a HEX file with an unusual name"],
  ],
  async run(args, console) {
    if (args.positionals.length !== 1) {
      throw new InputError("E_USAGE", "image takes exactly one file", { hint: "flashrecipe image FILE" });
    }
    const file = args.positionals[0];
    const baseAddress = addressOption(args);
    const given = imageFormatOption(args, "format");
    const bytes = await readImageBytes(file);
    const format = given ?? detectFormat(bytes, file);
    const image = await withAddressHint(() => parseImage(bytes, { name: file, format, baseAddress }));
    warnIgnoredAddress(image, baseAddress, file, console);
    const summary = await describeImage(image, format);
    if (args.options.json) {
      console.out(JSON.stringify(summary, null, 2));
    } else {
      for (const chunk of imageSummaryChunks(summary)) console.out(chunk);
    }
    return 0;
  },
};
