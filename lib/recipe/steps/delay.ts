/**
 * `delay`: wait.
 *
 * @module
 */

import { duration, durationMs } from "../params.ts";
import { defineStep } from "../step.ts";

/** The `delay` step. */
export const delayStep = defineStep({
  name: "delay",
  summary: "wait, e.g. for a board to power up",
  usage: "delay: 500 | delay: 2s",
  flow: { needsTarget: false },
  schema: duration,
  async run(params, context) {
    const ms = durationMs(params);
    await context.sleep(ms);
    return { summary: `waited ${ms} ms` };
  },
});
