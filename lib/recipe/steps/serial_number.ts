/**
 * `serial-number`: write a per-board number at an address, from `value:` (e.g. `${serial}` with `--set`) or from
 * a counter file that advances only when the board passes (see serial_counter.ts).
 *
 * @module
 */

import { z } from "zod";
import { DeviceError, InputError } from "../../errors.ts";
import { quotePath } from "../../files/guarded_read.ts";
import { outputPathProblem } from "../../files/output_path.ts";
import { RecipeError } from "../errors.ts";
import { address, hex32 } from "../params.ts";
import { commitSerial, issueSerial, readCounter, releaseSerial } from "../serial_counter.ts";
import { encodeSerial, fieldSize, SERIAL_ENCODINGS, SerialFitError } from "../serial_encoding.ts";
import { defineStep } from "../step.ts";
import { requireTarget } from "./require_target.ts";

/** The `serial-number` step. */
export const serialNumberStep = defineStep({
  name: "serial-number",
  summary: "write a per-board serial number (from --set or a counter file that advances when the board passes)",
  usage: "serial-number: { address: 0x0800FC00, encoding: u32le, counter: { file: serial.txt, start: 1000 } }",
  flow: { accessesFlash: true },
  schema: z.strictObject({
    address,
    encoding: z.enum(SERIAL_ENCODINGS).describe("u32le, u64le, ascii (digits, zero-padded) or bcd (packed)"),
    length: z.number().int().min(1).max(64).optional().describe("field size in bytes for ascii and bcd"),
    value: z.union([z.string().min(1), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]).optional().describe(
      'the number, e.g. "${serial}" with --set serial=1001',
    ),
    counter: z.strictObject({
      file: z.string().min(1).describe("file holding the next number; relative to the recipe"),
      start: z.number().int().min(0).max(999_999_999_999_999).default(1).describe(
        "first number when the file does not exist yet",
      ),
    }).optional(),
  }).refine((p) => (p.value === undefined) !== (p.counter === undefined), "give exactly one of 'value' or 'counter'"),
  async check(params, context) {
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
      // The counter, its journal and its lock are written at run time: each must be writable now.
      const file = context.resolvePath(params.counter.file);
      for (const path of [file, `${file}.pending`, `${file}.lock`]) {
        const problem = await outputPathProblem(path);
        if (problem !== undefined) {
          throw new RecipeError(
            `cannot write serial counter ${quotePath(path)}: ${problem}`,
            context.locate(["counter", "file"]),
            "name a file in an existing folder",
            "E_FILE",
          );
        }
      }
    }
    let probe: string | number = params.value ?? 0;
    if (params.counter) {
      try {
        probe = await readCounter(context.resolvePath(params.counter.file), params.counter.start);
      } catch (error) {
        if (!(error instanceof InputError) || error.location) throw error;
        throw new RecipeError(error.message, context.locate(["counter", "file"]), error.hint, error.code);
      }
    }
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
      const file = context.resolvePath(params.counter.file);
      const issued = await issueSerial(file, params.counter.start);
      if (issued.skipped !== undefined) {
        context.info(`serial ${issued.skipped} was issued by a run that did not finish; skipping it`);
      }
      value = issued.value;
      context.onSettle((passed) => (passed ? commitSerial(file, issued.value) : releaseSerial(file)));
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
