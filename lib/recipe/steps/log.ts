/**
 * `log`: print a line (with `${}` references filled in).
 *
 * @module
 */

import { z } from "zod";
import { defineStep } from "../step.ts";

/** The `log` step. */
export const logStep = defineStep({
  name: "log",
  summary: "print a message",
  usage: 'log: "flashing board ${board}"',
  flow: { needsTarget: false },
  schema: z.string().describe("the message"),
  run(params) {
    return Promise.resolve({ summary: params });
  },
});
