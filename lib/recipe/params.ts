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

/** A duration: milliseconds as a number, or text with a unit (`500ms`, `2s`, `1m`). */
export const duration = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m)$/, "a duration such as 500ms, 2s or 1m"),
]).describe("milliseconds, or a number with a unit: 500ms, 2s, 1m");

/** Milliseconds of a {@linkcode duration}. */
export function durationMs(value: number | string): number {
  if (typeof value === "number") return value;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/.exec(value);
  if (!match) throw new RangeError(`not a duration: ${value}`);
  const factor = match[2] === "ms" ? 1 : match[2] === "s" ? 1000 : 60_000;
  return Math.round(Number(match[1]) * factor);
}
