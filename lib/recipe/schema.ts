/**
 * The recipe schema, in zod: one definition gives the TypeScript types, the validation, and the JSON Schema the
 * `schema` subcommand prints for editors (shaped for them in json_schema.ts).
 *
 * @module
 */

import { z } from "zod";
import { WIRING_PRESETS } from "../transport/board_wiring.ts";
import { duration } from "./params.ts";

/** Recipe language versions this build understands. */
export const RECIPE_VERSION = 1;

/** Keys every step may carry besides its own name. */
export const commonStepKeys = {
  name: z.string().min(1).optional().describe("label shown when the step runs"),
  when: z.string().min(1).optional().describe(
    "run the step only if this holds, e.g. \"${board} == 'rev2' and ${serial} > 1000\"",
  ),
  retry: z.union([
    z.number().int().min(0).max(100),
    z.strictObject({ attempts: z.number().int().min(0).max(100), delay: duration.optional() }),
  ]).optional().describe("extra attempts when the step fails on the device"),
  timeout: duration.optional().describe("fail the step if it takes longer"),
};

/** Names of the common step keys. */
export const COMMON_STEP_KEYS: readonly string[] = Object.keys(commonStepKeys);

/** How DTR/RTS reach the board's NRST and BOOT0. */
export const wiringSchema = z.union([
  z.strictObject({
    preset: z.enum(Object.keys(WIRING_PRESETS) as [string, ...string[]]).describe(
      Object.entries(WIRING_PRESETS).map(([name, w]) => `${name}: ${w.description}`).join("; "),
    ),
  }),
  z.strictObject({
    reset: z.enum(["dtr", "rts"]).describe("the line driving NRST"),
    boot0: z.enum(["dtr", "rts", "none"]).default("none").describe("the line driving BOOT0, or none (jumper)"),
    resetInverted: z.boolean().default(false).describe("a transistor inverts the reset line"),
    boot0Inverted: z.boolean().default(false).describe("a transistor inverts the BOOT0 line"),
  }),
]).describe("how the adapter's DTR/RTS lines reach NRST and BOOT0 (an asserted line drives its pin low)");

/** The `target` section: which link and which chip the recipe is for. */
export const targetSchema = z.strictObject({
  transport: z.enum(["usart", "dfu"]).default("usart").describe(
    "how the host reaches the bootloader: usart (serial, AN3155) or dfu (USB DfuSe, AN3156)",
  ),
  chip: z.string().min(1).describe("the part the recipe is for, e.g. stm32f103c8; a different chip stops the run"),
  port: z.string().min(1).optional().describe("serial port, e.g. /dev/ttyUSB0 or COM3; --port overrides it"),
  baud: z.number().int().min(1200).max(4_000_000).default(115200).describe("serial baud rate"),
  usb: z.string().min(1).optional().describe(
    "USB device for transport dfu: vid:pid (default 0483:df11), bus-port path such as 1-2.3, or serial number; " +
      "--usb overrides it",
  ),
  wiring: wiringSchema.optional(),
  match: z.strictObject({
    vid: z.number().int().min(0).max(0xffff).optional().describe("USB vendor ID, e.g. 0x0403"),
    pid: z.number().int().min(0).max(0xffff).optional().describe("USB product ID, e.g. 0x6001"),
    serial: z.string().min(1).optional().describe("USB serial number of the adapter"),
  }).optional().describe(
    "pick the serial port by the USB adapter's identity (see `flashrecipe ports`); exactly one port must match",
  ),
});

/** The recipe without its steps, which are validated one by one for precise messages. */
export const recipeHeaderSchema = z.strictObject({
  version: z.number().int().min(1).default(RECIPE_VERSION).describe("recipe language version"),
  name: z.string().min(1).describe("what the recipe does, shown when it runs"),
  description: z.string().optional(),
  target: targetSchema,
  vars: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}).describe(
    "values for ${name} references, used as written (no references inside); --set NAME=VALUE overrides them; ${env.NAME} in a step reads the environment",
  ),
  steps: z.array(z.unknown()).min(1).describe("what to do, in order"),
  "on-failure": z.array(z.unknown()).default([]).describe(
    "steps run when a step fails, e.g. to leave the board in a safe state",
  ),
});

/** A validated recipe header. */
export type RecipeHeader = z.output<typeof recipeHeaderSchema>;

/** `- include: FILE`: the steps of another file (a list of steps, or a mapping with `steps:`). */
export const includeSchema = z.strictObject({
  include: z.string().min(1).describe("a YAML file holding a list of steps, relative to this file"),
  when: commonStepKeys.when,
});
