/**
 * The recipe schema, in zod: one definition gives the TypeScript types, the validation, and the JSON Schema the
 * `schema` subcommand prints for editors.
 *
 * @module
 */

import { z } from "zod";
import { STEP_TYPES } from "./steps/registry.ts";

/** Recipe language versions this build understands. */
export const RECIPE_VERSION = 1;

/** Keys every step may carry besides its own name. */
export const COMMON_STEP_KEYS: readonly string[] = ["name"];

/** The `target` section: which link and which chip the recipe is for. */
export const targetSchema = z.strictObject({
  transport: z.enum(["usart"]).default("usart").describe("how the host reaches the bootloader"),
  chip: z.string().min(1).describe("the part the recipe is for, e.g. stm32f103c8; a different chip stops the run"),
  port: z.string().min(1).optional().describe("serial port, e.g. /dev/ttyUSB0 or COM3; --port overrides it"),
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
    "values for ${name} references; --set NAME=VALUE overrides them",
  ),
  steps: z.array(z.unknown()).min(1).describe("what to do, in order"),
});

/** A validated recipe header. */
export type RecipeHeader = z.output<typeof recipeHeaderSchema>;

/** One step item as it appears in YAML: `{ <step>: params, name?: label }` or the bare step name. */
function stepItemSchema(): z.ZodType {
  const items = STEP_TYPES.map((step) =>
    z.strictObject({
      [step.name]: step.schema,
      name: z.string().optional().describe("label shown when the step runs"),
    }).describe(step.summary)
  );
  const bare = z.enum(STEP_TYPES.map((s) => s.name) as [string, ...string[]]).describe("a step without parameters");
  return z.union([bare, ...items]);
}

/** The whole recipe, steps included: used for the JSON Schema. */
export function recipeSchema(): z.ZodType {
  return recipeHeaderSchema.extend({ steps: z.array(stepItemSchema()).min(1).describe("what to do, in order") });
}

/** The recipe JSON Schema (draft 2020-12) for yaml-language-server and other editors. */
export function recipeJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(recipeSchema(), { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}
