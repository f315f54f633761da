/**
 * `enter-boot`: BOOT0 high and a pulse on NRST, through DTR/RTS, so the chip starts its ROM bootloader. The
 * sequence is derived from the board's wiring (`target.wiring`) or given explicitly.
 *
 * @module
 */

import { z } from "zod";
import { DEFAULT_SEQUENCE_TIMING, enterBootloaderSequence } from "../../transport/board_wiring.ts";
import { RecipeError } from "../errors.ts";
import { durationMs } from "../params.ts";
import { defineStep } from "../step.ts";
import { lineActionSchema, playSequence, sequenceTimingKeys, toLineActions } from "./line_sequence.ts";

/** The `enter-boot` step. */
export const enterBootStep = defineStep({
  name: "enter-boot",
  summary: "start the ROM bootloader: BOOT0 high and NRST pulsed through DTR/RTS (from target.wiring or a sequence)",
  usage:
    "enter-boot: {} | { reset-pulse: 50ms, startup: 100ms } | { sequence: [ { dtr: true }, { delay: 50ms }, ... ] }",
  needsTarget: false,
  schema: z.strictObject({
    ...sequenceTimingKeys,
    sequence: z.array(lineActionSchema).min(1).optional().describe("explicit line states and delays"),
  }),
  check(params, context) {
    if (!params.sequence && !context.wiring) {
      throw new RecipeError(
        "enter-boot needs the board's wiring or an explicit sequence",
        context.locate(),
        "describe the wiring under target.wiring (or a preset), or give 'sequence:'",
      );
    }
  },
  async run(params, context) {
    const actions = params.sequence ? toLineActions(params.sequence) : enterBootloaderSequence(context.wiring!, {
      resetPulseMs: params["reset-pulse"] === undefined
        ? DEFAULT_SEQUENCE_TIMING.resetPulseMs
        : durationMs(params["reset-pulse"]),
      startupMs: params.startup === undefined ? DEFAULT_SEQUENCE_TIMING.startupMs : durationMs(params.startup),
    });
    // Whatever was connected before is gone: the chip restarted.
    await context.disconnect();
    const played = await playSequence(context, actions);
    return { summary: `reset into the bootloader (${played})` };
  },
});
