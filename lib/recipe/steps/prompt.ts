/**
 * `prompt`: ask the technician to do something and confirm (`--yes` answers for them).
 *
 * @module
 */

import { z } from "zod";
import { DeviceError } from "../../errors.ts";
import { defineStep } from "../step.ts";

/** The `prompt` step. */
export const promptStep = defineStep({
  name: "prompt",
  summary: "ask the technician to confirm, e.g. after fitting a BOOT0 jumper (--yes answers yes)",
  usage: 'prompt: "Fit the BOOT0 jumper, press reset, then confirm"',
  flow: { needsTarget: false },
  schema: z.string().min(1).describe("the question"),
  async run(params, context) {
    if (!(await context.ask(params))) {
      throw new DeviceError("E_PROMPT_DECLINED", `the technician declined: ${params}`, {
        hint: "run again once the board is ready",
      });
    }
    return { summary: `confirmed: ${params}` };
  },
});
