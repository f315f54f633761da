/**
 * `read`: copy a memory region to a file (.bin, .hex, .srec or .dfu by the file's extension).
 *
 * @module
 */

import { z } from "zod";
import { quotePath } from "../../files/guarded_read.ts";
import { outputPathProblem, writeOutputFile } from "../../files/output_path.ts";
import { formatFromName, type ImageFormat } from "../../image/load.ts";
import { MemoryImage } from "../../image/memory_image.ts";
import { writeImage } from "../../image/writers.ts";
import { RecipeError } from "../errors.ts";
import { address, hex32, imageFormat, length } from "../params.ts";
import { defineStep } from "../step.ts";
import { MAX_READ_LENGTH } from "../../target/target.ts";
import { requireTarget } from "./require_target.ts";

/** The `read` step. */
export const readStep = defineStep({
  name: "read",
  summary: "read a memory region into a file (.bin, .hex, .srec or .dfu)",
  usage: "read: { address: 0x08000000, length: 65536, file: backup.hex }",
  flow: { accessesFlash: true },
  schema: z.strictObject({
    address,
    length: length.max(MAX_READ_LENGTH).describe(`bytes to read, at most ${MAX_READ_LENGTH} (16 MiB)`),
    file: z.string().min(1).describe("where to save; relative to the recipe"),
    format: imageFormat.optional(),
  }),
  async check(params, context) {
    const format = (params.format ?? formatFromName(params.file)) as ImageFormat | undefined;
    if (!format || format === "elf") {
      throw new RecipeError(
        `cannot tell which format to save '${params.file}' in`,
        context.locate(["file"]),
        "end the name in .bin, .hex, .srec or .dfu, or give 'format:'",
      );
    }
    const problem = await outputPathProblem(context.resolvePath(params.file));
    if (problem !== undefined) {
      throw new RecipeError(
        `cannot write ${quotePath(params.file)}: ${problem}`,
        context.locate(["file"]),
        "name a file in an existing folder (relative to the recipe)",
        "E_FILE",
      );
    }
    if (params.address + params.length > 0x1_0000_0000) {
      throw new RecipeError("the region runs past the 32-bit address space", context.locate(["length"]));
    }
    // A region that starts in flash and runs past its end: the bootloader refuses the first address past it with a
    // NACK, after the bytes before it have been read, and that NACK reads like read protection. Regions outside
    // flash (RAM, system memory, option bytes) are left to the bootloader.
    const base = context.chip.flash.base;
    const end = base + context.part.flashSize;
    if (params.address >= base && params.address < end && params.address + params.length > end) {
      throw new RecipeError(
        `the region runs past the end of the ${context.part.part}'s flash (${hex32(base)}-${hex32(end - 1)})`,
        context.locate(["length"]),
        `read at most ${end - params.address} bytes from ${hex32(params.address)}`,
      );
    }
  },
  async run(params, context) {
    const target = requireTarget(context, "read");
    const data = await target.readMemory(params.address, params.length, context.progress);
    const format = (params.format ?? formatFromName(params.file)) as ImageFormat;
    const image = new MemoryImage([{ address: params.address, data }]);
    await writeOutputFile(context.resolvePath(params.file), writeImage(image, format), "the read step's file");
    return {
      summary: `read ${params.length} bytes from ${hex32(params.address)} into ${params.file}`,
      bytes: params.length,
    };
  },
});
