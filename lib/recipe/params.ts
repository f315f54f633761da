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

/**
 * Longest duration a recipe may give (a delay, a timeout, a retry's wait): 24 hours. Timers hold at most 2^31-1 ms
 * (~24.8 days) and fire at once beyond it, so `delay: 2147483648` would have waited 1 ms; a day is far past any
 * step and far inside that limit.
 */
export const MAX_DURATION_MS = 24 * 60 * 60 * 1000;

const DURATION_TEXT = /^(\d{1,12}(?:\.\d{1,6})?)\s*(ms|s|m)$/;

/**
 * A duration: milliseconds as a number, or text with a unit (`500ms`, `2s`, `1m`). Both forms mean the same and
 * obey the same range: 1 ms to {@linkcode MAX_DURATION_MS}; `0` and `0ms` alike are refused (a step without a
 * timeout simply gives none).
 */
export const duration = z.union([
  z.number().int().min(1, "a duration is at least 1 ms").max(MAX_DURATION_MS, "a duration is at most 24 hours"),
  z.string().regex(DURATION_TEXT, "a duration such as 500ms, 2s or 1m").refine((text) => {
    if (!DURATION_TEXT.test(text)) return true; // the pattern above reports it
    const ms = durationMs(text);
    return ms >= 1 && ms <= MAX_DURATION_MS;
  }, "a duration from 1ms to 1440m (24 hours)"),
]).describe("milliseconds (1 to 86400000), or a number with a unit: 500ms, 2s, 1m");

/** Milliseconds of a {@linkcode duration}. */
export function durationMs(value: number | string): number {
  if (typeof value === "number") return value;
  const match = DURATION_TEXT.exec(value);
  if (!match) throw new RangeError(`not a duration: ${value}`);
  const factor = match[2] === "ms" ? 1 : match[2] === "s" ? 1000 : 60_000;
  return Math.round(Number(match[1]) * factor);
}
