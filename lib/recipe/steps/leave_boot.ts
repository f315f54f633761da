/**
 * `leave-boot`: BOOT0 low and a pulse on NRST, so the chip starts the application from flash.
 *
 * @module
 */

import { z } from "zod";
import { DEFAULT_SEQUENCE_TIMING, runApplicationSequence } from "../../transport/board_wiring.ts";
import { RecipeError } from "../errors.ts";
import { durationMs } from "../params.ts";
import { defineStep } from "../step.ts";
import { lineActionSchema, playSequence, sequenceTimingKeys, toLineActions } from "./line_sequence.ts";

/** The `leave-boot` step. */
export const leaveBootStep = defineStep({
  name: "leave-boot",
  summary: "run the application: BOOT0 low and NRST pulsed through DTR/RTS",
  usage: "leave-boot: {} | { sequence: [ ... ] }",
  needsTarget: false,
  schema: z.strictObject({
    ...sequenceTimingKeys,
    sequence: z.array(lineActionSchema).min(1).optional().describe("explicit line states and delays"),
  }),
  check(params, context) {
    if (!params.sequence && !context.wiring) {
      throw new RecipeError(
        "leave-boot needs the board's wiring or an explicit sequence",
        context.locate(),
        "describe the wiring under target.wiring, or give 'sequence:'",
      );
    }
  },
  async run(params, context) {
    const actions = params.sequence ? toLineActions(params.sequence) : runApplicationSequence(context.wiring!, {
      resetPulseMs: params["reset-pulse"] === undefined
        ? DEFAULT_SEQUENCE_TIMING.resetPulseMs
        : durationMs(params["reset-pulse"]),
      startupMs: params.startup === undefined ? DEFAULT_SEQUENCE_TIMING.startupMs : durationMs(params.startup),
    });
    await context.disconnect();
    const played = await playSequence(context, actions);
    return { summary: `reset into the application (${played})` };
  },
});
