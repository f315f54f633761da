/**
 * `serial-number`: write a per-board number at an address, from `value:` (e.g. `${serial}` with `--set`) or from
 * a named counter in the production store (lib/production/), which issues each number once, bound to the board's
 * unique ID: a board flashed again gets its own number back, and a board that failed keeps the number written into
 * it.
 *
 * @module
 */

import { z } from "zod";
import { DeviceError } from "../../errors.ts";
import { RecipeError } from "../errors.ts";
import { address, hex32 } from "../params.ts";
import { encodeSerial, fieldSize, SERIAL_ENCODINGS, SerialFitError } from "../serial_encoding.ts";
import { defineStep } from "../step.ts";
import { requireTarget } from "./require_target.ts";

/** What a counter name may be: letters, digits, `_`, `-`, `.`; it names the counter in the production store. */
const COUNTER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** The `serial-number` step. */
export const serialNumberStep = defineStep({
  name: "serial-number",
  summary: "write a per-board serial number (from --set, or a named counter in the production store)",
  usage: "serial-number: { address: 0x0800FC00, encoding: u32le, counter: { name: board-sn, start: 1000 } }",
  flow: { accessesFlash: true },
  schema: z.strictObject({
    address,
    encoding: z.enum(SERIAL_ENCODINGS).describe("u32le, u64le, ascii (digits, zero-padded) or bcd (packed)"),
    length: z.number().int().min(1).max(64).optional().describe("field size in bytes for ascii and bcd"),
    value: z.union([z.string().min(1), z.number().int().min(0)]).optional().describe(
      'the number, e.g. "${serial}" with --set serial=1001',
    ),
    counter: z.strictObject({
      name: z.string().regex(COUNTER_NAME, "letters, digits, '_', '-' and '.', at most 64").optional().describe(
        "the counter's name in the production store (--db); every station of a line shares it",
      ),
      start: z.number().int().min(0).max(999_999_999_999_999).default(1).describe(
        "first number when the counter does not exist yet",
      ),
      file: z.string().optional().describe("no longer supported: counters live in the production store"),
    }).optional(),
  }).refine((p) => (p.value === undefined) !== (p.counter === undefined), "give exactly one of 'value' or 'counter'"),
  check(params, context) {
    let size: number;
    try {
      size = fieldSize(params.encoding, params.length);
    } catch (error) {
      if (error instanceof SerialFitError) throw new RecipeError(error.message, context.locate(["encoding"]));
      throw error;
    }
    const base = context.chip.flash.base;
    if (params.address < base || params.address + size > base + context.part.flashSize) {
      throw new RecipeError(
        `the serial number at ${hex32(params.address)} (${size} bytes) is outside the ${context.part.part}'s flash`,
        context.locate(["address"]),
      );
    }
    if (params.counter) {
      if (params.counter.file !== undefined || params.counter.name === undefined) {
        throw new RecipeError(
          params.counter.file !== undefined
            ? "counter files are replaced by named counters in the production store"
            : "the counter needs a name",
          context.locate(["counter"]),
          "write counter: { name: board-sn, start: N } with N the next number, e.g. what the old file held; " +
            "stations keep counters in the store --db names",
          "E_SERIAL_COUNTER",
        );
      }
      context.useCounter(params.counter.name);
    }
    const probe = params.value ?? params.counter?.start ?? 0;
    try {
      encodeSerial(probe, params.encoding, params.length);
    } catch (error) {
      if (!(error instanceof SerialFitError)) throw error;
      throw new RecipeError(
        `the serial number does not fit its field: ${error.message}`,
        context.locate([params.value === undefined ? "counter" : "value"]),
        "choose a wider encoding or length",
        "E_SERIAL_FIT",
      );
    }
  },
  async run(params, context) {
    const target = requireTarget(context, "serial-number");
    let value: number | string;
    if (params.counter) {
      const issued = await context.issueSerial({ name: params.counter.name!, start: params.counter.start });
      if (issued.reissued) context.info(`this board already holds serial ${issued.value}; writing it again`);
      value = issued.value;
    } else {
      value = params.value!;
    }
    let bytes: Uint8Array;
    try {
      bytes = encodeSerial(value, params.encoding, params.length);
    } catch (error) {
      if (!(error instanceof SerialFitError)) throw error;
      throw new DeviceError("E_SERIAL_FIT", `serial number ${value} does not fit its field: ${error.message}`);
    }
    await target.writeMemory(params.address, bytes);
    const back = await target.readMemory(params.address, bytes.length);
    if (back.some((b, i) => b !== bytes[i])) {
      throw new DeviceError("E_VERIFY", `serial number ${value} reads back differently at ${hex32(params.address)}`, {
        hint: "the flash there must be erased before the serial number is written",
      });
    }
    context.recordSerialNumber(String(value));
    return { summary: `serial number ${value} (${params.encoding}) at ${hex32(params.address)}`, bytes: bytes.length };
  },
});
