/**
 * `option-bytes`: read them (decoded by name), or set fields by name or raw bytes. The tool reads, modifies,
 * writes, lets the chip reset and reload its options, reconnects and checks. RDP level 2 is permanent: the recipe
 * must say `allow-permanent: true` and the command line must add `--confirm-permanent`.
 *
 * @module
 */

import { z } from "zod";
import { decodeOptionBytes, encodeOptionField } from "../../chips/format.ts";
import { rdpLevel } from "../../chips/read_protection.ts";
import { DeviceError, InputError } from "../../errors.ts";
import { RecipeError } from "../errors.ts";
import { defineStep } from "../step.ts";
import { didYouMean } from "../suggest.ts";
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
    const { chip } = context;
    const names = chip.optionBytes.fields.map((f) => f.name);
    let scratch: Uint8Array = new Uint8Array(chip.optionBytes.size);
    for (const [name, value] of Object.entries(params.set ?? {})) {
      if (!names.includes(name)) {
        throw new RecipeError(
          `the ${chip.family} family has no option field '${name}'${didYouMean(name, names)}`,
          context.locate(["set", name], { key: true }),
          `fields: ${names.join(", ")}`,
          "E_OPTION_FIELD",
        );
      }
      try {
        scratch = encodeOptionField(chip, scratch, name, value);
      } catch (error) {
        if (error instanceof InputError) {
          throw new RecipeError(error.message, context.locate(["set", name]), error.hint, error.code);
        }
        throw error;
      }
      if (name === "RDP" && rdpLevel(chip, value) === 2) {
        if (!params["allow-permanent"]) {
          throw new RecipeError(
            "RDP level 2 is permanent: the chip can never be read, debugged or reflashed through the bootloader again",
            context.locate(["set", name]),
            "if that is really wanted, add 'allow-permanent: true' to this step",
            "E_PERMANENT",
          );
        }
        if (!context.flags.confirmPermanent) {
          throw new RecipeError(
            "this recipe sets RDP level 2, which is permanent",
            context.locate(["set", name]),
            "run with --confirm-permanent to allow it",
            "E_PERMANENT",
          );
        }
      }
    }
    if (params.raw && params.raw.offset + params.raw.bytes.length > chip.optionBytes.size) {
      throw new RecipeError(
        `raw bytes run past the ${chip.optionBytes.size}-byte option area`,
        context.locate(["raw"]),
      );
    }
  },
  async run(params, context) {
    const target = requireTarget(context, "option-bytes");
    const { chip } = target.identity;
    if (!target.readOptionBytes || !target.writeOptionBytes || chip.optionBytes.size === 0) {
      throw new DeviceError("E_UNSUPPORTED", `option bytes of the ${chip.name} are not reachable on this link`);
    }
    const current = await target.readOptionBytes();
    if (params === "read") {
      const fields = decodeOptionBytes(chip, current).map((f) => `${f.name}=0x${f.value.toString(16)}`);
      return { summary: fields.join(" ") };
    }
    let next: Uint8Array = current.slice();
    for (const [name, value] of Object.entries(params.set ?? {})) next = encodeOptionField(chip, next, name, value);
    if (params.raw) next.set(params.raw.bytes, params.raw.offset);
    if (next.every((b, i) => b === current[i])) return { summary: "already set; nothing written" };
    // Leaving read protection mass-erases the flash: what `erase: needed` proved is void.
    context.flash?.forget();
    await target.writeOptionBytes(next);
    const rdpField = chip.optionBytes.fields.find((f) => f.name === "RDP");
    const rdp = rdpField && decodeOptionBytes(chip, next).find((f) => f.name === "RDP")?.value;
    if (rdp !== undefined && rdpLevel(chip, rdp) > 0) {
      return { summary: "written; the chip reset with read protection on, so it cannot be read back" };
    }
    const after = decodeOptionBytes(chip, await target.readOptionBytes());
    for (const [name, value] of Object.entries(params.set ?? {})) {
      const found = after.find((f) => f.name === name)?.value;
      if (found !== value) {
        throw new DeviceError("E_OPTION_VERIFY", `option field ${name} reads back ${found}, not ${value}`, {
          hint: "the chip may refuse this value; check the reference manual",
        });
      }
    }
    const what = Object.entries(params.set ?? {}).map(([k, v]) => `${k}=${v}`).join(", ") || "raw bytes";
    return { summary: `set ${what}; the chip reset, reloaded its options and reads them back` };
  },
});
