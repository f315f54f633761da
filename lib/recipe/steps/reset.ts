/**
 * `reset`: pulse NRST through the wired line, leaving BOOT0 where the recipe says (`into`).
 *
 * @module
 */

import { z } from "zod";
import { resetSequence } from "../../transport/board_wiring.ts";
import { RecipeError } from "../errors.ts";
import { defineStep } from "../step.ts";
import { playSequence } from "./line_sequence.ts";

/** The `reset` step. */
export const resetStep = defineStep({
  name: "reset",
  summary: "pulse NRST through the wired line; `into` says whether the bootloader or the application starts",
  usage: "reset: {} | reset: { into: bootloader }",
  // Even `into: bootloader` ends the connection: the restarted bootloader waits for a new sync (`connect`).
  flow: { needsTarget: false, endsConnection: true, transport: "usart" },
  schema: z.strictObject({
    into: z.enum(["application", "bootloader"]).default("application").describe("what the chip starts afterwards"),
  }),
  check(_params, context) {
    if (!context.wiring) {
      throw new RecipeError("reset needs the board's wiring", context.locate(), "describe it under target.wiring");
    }
  },
  async run(params, context) {
    await context.disconnect();
    const played = await playSequence(context, resetSequence(context.wiring!, params.into === "bootloader"));
    return { summary: `reset into the ${params.into} (${played})` };
  },
});
