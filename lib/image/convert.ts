/**
 * Converting an image file from one format to another, for the `convert IN OUT` command.
 *
 * @module
 */

import { ImageError } from "./errors.ts";
import { formatFromName, type ImageFormat, parseImage, readImageBytes } from "./load.ts";
import type { MemoryImage } from "./memory_image.ts";
import { writeImage, type WriteImageOptions } from "./writers.ts";
import { outputPathProblem } from "../files/output_path.ts";

/** Options of {@linkcode convertImage}. */
export interface ConvertImageOptions extends WriteImageOptions {
  /** Format of the input; detected from content and name when omitted. */
  inputFormat?: ImageFormat;
  /** Format of the output; taken from the output file's extension when omitted. */
  outputFormat?: ImageFormat;
  /** Load address of a raw binary (or plain DFU) input. */
  baseAddress?: number;
}

/** What {@linkcode convertImage} did. */
export interface ConvertResult {
  /** The image read. */
  image: MemoryImage;
  /** The format written. */
  outputFormat: ImageFormat;
  /** Bytes written. */
  bytesWritten: number;
}

/**
 * Reads `inPath`, writes it to `outPath` in the output format. Unreadable input or unwritable output raise
 * `E_FILE`; an output format that cannot be told from the name raises `E_IMAGE_FORMAT`; input problems raise the
 * reader's errors. When writing `.bin`, the address is lost: `result.image.start` says where it begins.
 */
export async function convertImage(
  inPath: string,
  outPath: string,
  options: ConvertImageOptions = {},
): Promise<ConvertResult> {
  const outputFormat = options.outputFormat ?? formatFromName(outPath);
  if (outputFormat === undefined) {
    throw new ImageError("E_IMAGE_FORMAT", `cannot tell the output format from the name ${outPath}`, {
      hint: "name it .hex, .srec, .bin or .dfu, or give the output format",
    });
  }
  // Before the input is read and converted: an output that cannot be written is known now.
  const problem = await outputPathProblem(outPath);
  if (problem !== undefined) {
    throw new ImageError("E_FILE", `cannot write the file: ${problem}`, {
      location: { file: outPath },
      hint: "check the folder exists and is writable",
    });
  }
  const bytes = await readImageBytes(inPath);
  const image = parseImage(bytes, { name: inPath, format: options.inputFormat, baseAddress: options.baseAddress });
  const output = writeImage(image, outputFormat, options);
  try {
    await Deno.writeFile(outPath, output);
  } catch (error) {
    throw new ImageError("E_FILE", `cannot write the file: ${error instanceof Error ? error.message : error}`, {
      location: { file: outPath },
      hint: "check the directory exists and is writable",
      cause: error,
    });
  }
  return { image, outputFormat, bytesWritten: output.length };
}
