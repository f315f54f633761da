/**
 * `jump`: start the application (USART Go, AN3155 §3.5; DFU leave).
 *
 * @module
 */

import { z } from "zod";
import { address, hex32 } from "../params.ts";
import { defineStep } from "../step.ts";
import { requireTarget } from "./require_target.ts";

/** The `jump` step. */
export const jumpStep = defineStep({
  name: "jump",
  summary: "start the application at an address (default: the start of flash)",
  usage: "jump: {} | jump: { address: 0x08000000 }",
  // Go hands the chip to the application (AN3155 §3.5): the bootloader no longer answers.
  flow: { endsConnection: true },
  schema: z.strictObject({ address: address.optional().describe("where the vector table is; default: flash start") }),
  async run(params, context) {
    const target = requireTarget(context, "jump");
    const at = params.address ?? target.identity.chip.flash.base;
    await target.go(at);
    await context.disconnect();
    return { summary: `application started at ${hex32(at)}` };
  },
});
