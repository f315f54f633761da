/**
 * Parameter schemas shared by several steps.
 *
 * @module
 */

import { z } from "zod";
import { IMAGE_FORMATS } from "../image/load.ts";

/** A 32-bit address; YAML hex literals such as `0x08000000` are numbers. */
export const address: z.ZodNumber = z.number().int().min(0).max(0xffff_ffff).describe(
  "32-bit address, e.g. 0x08000000",
);

/** A byte count. */
export const length: z.ZodNumber = z.number().int().positive().max(0x1_0000_0000).describe("length in bytes");

/** A firmware file format. */
export const imageFormat = z.enum(IMAGE_FORMATS as [string, ...string[]]).describe(
  "file format; detected from the content when omitted",
);

/** Formats an address as 0x-prefixed 8-digit hex. */
export function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}
