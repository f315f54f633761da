/**
 * What `enter-boot` and `leave-boot` share: a reset with BOOT0 set one way, derived from the board's wiring or
 * given as an explicit line sequence.
 *
 * @module
 */

import { z } from "zod";
import {
  type BoardWiring,
  DEFAULT_SEQUENCE_TIMING,
  type LineAction,
  type SequenceTiming,
} from "../../transport/board_wiring.ts";
import { RecipeError } from "../errors.ts";
import { durationMs } from "../params.ts";
import { defineStep, type StepType } from "../step.ts";
import { lineActionSchema, playSequence, sequenceTimingKeys, toLineActions } from "./line_sequence.ts";

/** How one boot-sequence step differs from the other. */
export interface BootSequenceStepOptions {
  /** Step name. */
  name: string;
  /** One line for the docs. */
  summary: string;
  /** Usage line. */
  usage: string;
  /** The sequence derived from the wiring. */
  derive(wiring: BoardWiring, timing: SequenceTiming): LineAction[];
  /** What starts afterwards, for the summary: `bootloader` or `application`. */
  starts: string;
}

/** Builds a step that resets the chip through DTR/RTS with BOOT0 set for `starts`. */
export function bootSequenceStep(options: BootSequenceStepOptions): StepType {
  return defineStep({
    name: options.name,
    summary: options.summary,
    usage: options.usage,
    // The chip restarts: whatever was connected before is gone, and a `connect` must follow before the bootloader
    // is used again. DTR/RTS exist only on a serial link.
    flow: { needsTarget: false, endsConnection: true, transport: "usart" },
    schema: z.strictObject({
      ...sequenceTimingKeys,
      sequence: z.array(lineActionSchema).min(1).optional().describe("explicit line states and delays"),
    }),
    check(params, context) {
      if (!params.sequence && !context.wiring) {
        throw new RecipeError(
          `${options.name} needs the board's wiring or an explicit sequence`,
          context.locate(),
          "describe the wiring under target.wiring (or a preset), or give 'sequence:'",
        );
      }
    },
    async run(params, context) {
      const timing: SequenceTiming = {
        resetPulseMs: params["reset-pulse"] === undefined
          ? DEFAULT_SEQUENCE_TIMING.resetPulseMs
          : durationMs(params["reset-pulse"]),
        startupMs: params.startup === undefined ? DEFAULT_SEQUENCE_TIMING.startupMs : durationMs(params.startup),
      };
      const actions = params.sequence ? toLineActions(params.sequence) : options.derive(context.wiring!, timing);
      // Whatever was connected before is gone: the chip restarts.
      await context.disconnect();
      const played = await playSequence(context, actions);
      return { summary: `reset into the ${options.starts} (${played})` };
    },
  });
}
