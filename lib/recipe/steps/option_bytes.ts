/**
 * `option-bytes`: read them (decoded by name), or set fields by name or raw bytes. The tool reads, modifies,
 * writes, lets the chip reset and reload its options, reconnects and checks. RDP level 2 is permanent: the recipe
 * must say `allow-permanent: true` and the command line must add `--confirm-permanent`.
 *
 * @module
 */

import { z } from "zod";
import { rdpLevel } from "../../chips/read_protection.ts";
import {
  applyOptionSettings,
  checkOptionSettings,
  OptionSettingError,
  readOptionFields,
} from "../../target/option_settings.ts";
import { RecipeError } from "../errors.ts";
import { defineStep } from "../step.ts";
import { requireTarget } from "./require_target.ts";

const schema = z.union([
  z.literal("read").describe("print the option bytes, decoded by field"),
  z.strictObject({
    set: z.record(z.string(), z.number().int().min(0).max(0xffff_ffff)).optional().describe(
      "fields by name, e.g. { nBOOT1: 1 }",
    ),
    raw: z.strictObject({
      offset: z.number().int().min(0).max(0xffff).describe("byte offset in the option area"),
      bytes: z.array(z.number().int().min(0).max(255)).min(1),
    }).optional().describe("raw bytes at an offset of the option area"),
    "allow-permanent": z.boolean().default(false).describe("allow RDP level 2, which can never be undone"),
  }).refine((p) => p.set || p.raw, "give 'set:' or 'raw:'"),
]);

/** The `option-bytes` step. */
export const optionBytesStep = defineStep({
  name: "option-bytes",
  summary: "read the option bytes, or set fields by name (RDP, nBOOT1, WDG_SW, ...) or raw; the chip resets",
  usage: "option-bytes: read | { set: { WDG_SW: 1 } } | { raw: { offset: 0, bytes: [0xA5] } }",
  schema,
  // Setting RDP to level 1 or 2 locks the flash for the steps after; setting level 0 unlocks it (mass erase).
  flow(params, chip) {
    if (params === "read") return {};
    let rdp = params.set?.RDP;
    // Raw bytes over the RDP byte set it as well (the byte holding the field, as the DFU target writes it).
    const field = chip.optionBytes.fields.find((f) => f.name === "RDP");
    if (rdp === undefined && field && params.raw) {
      const at = field.offset + Math.floor(field.shift / 8) - params.raw.offset;
      if (at >= 0 && at < params.raw.bytes.length) rdp = params.raw.bytes[at];
    }
    return rdp === undefined ? {} : { readProtection: rdpLevel(chip, rdp) > 0 };
  },
  check(params, context) {
    if (params === "read") return;
    try {
      checkOptionSettings(context.chip, params, {
        declared: params["allow-permanent"],
        confirmed: context.flags.confirmPermanent,
        declareHint: "if that is really wanted, add 'allow-permanent: true' to this step",
        confirmHint: "run with --confirm-permanent to allow it",
      });
    } catch (error) {
      if (!(error instanceof OptionSettingError)) throw error;
      if (error.field === undefined) throw new RecipeError(error.message, context.locate(["raw"]));
      throw new RecipeError(
        error.message,
        context.locate(["set", error.field], { key: error.badName }),
        error.hint,
        error.code,
      );
    }
  },
  async run(params, context) {
    const target = requireTarget(context, "option-bytes");
    if (params === "read") {
      const { fields } = await readOptionFields(target);
      return { summary: fields.map((f) => `${f.name}=0x${f.value.toString(16)}`).join(" ") };
    }
    // Leaving read protection mass-erases the flash: what `erase: needed` proved is void.
    const summary = await applyOptionSettings(target, params, () => context.flash?.forget());
    return { summary };
  },
});
