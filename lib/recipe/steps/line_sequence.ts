/**
 * Shared by `enter-boot`, `leave-boot` and `reset`: the explicit line-sequence parameter and the code that plays
 * a sequence on the link.
 *
 * @module
 */

import { z } from "zod";
import { DeviceError } from "../../errors.ts";
import { describeSequence, type LineAction } from "../../transport/board_wiring.ts";
import { duration, durationMs } from "../params.ts";
import type { StepContext } from "../step.ts";

/** One element of an explicit sequence: line states (true = asserted) or a delay. */
export const lineActionSchema = z.union([
  z.strictObject({
    dtr: z.boolean().optional().describe("true = asserted (the adapter's DTR pin low)"),
    rts: z.boolean().optional().describe("true = asserted (the adapter's RTS pin low)"),
    brk: z.boolean().optional().describe("true = BREAK (TX held low)"),
  }),
  z.strictObject({ delay: duration }),
]);

/** Timing overrides of derived sequences. */
export const sequenceTimingKeys = {
  "reset-pulse": duration.optional().describe("how long NRST is held low (default 50ms)"),
  startup: duration.optional().describe("wait after releasing NRST (default 100ms)"),
};

/** Converts the YAML form into line actions. */
export function toLineActions(items: readonly z.output<typeof lineActionSchema>[]): LineAction[] {
  return items.map((item) => ("delay" in item ? { delayMs: durationMs(item.delay) } : { lines: item }));
}

/** Plays `actions` on the board's link. */
export async function playSequence(context: StepContext, actions: readonly LineAction[]): Promise<string> {
  const link = await context.board.link(context.baud);
  if (!link.setLines) {
    throw new DeviceError("E_NO_MODEM_LINES", "this link cannot drive DTR/RTS", {
      hint: "use a USB-serial adapter with DTR/RTS wired, or set BOOT0 and reset by hand (a 'prompt' step)",
    });
  }
  for (const action of actions) {
    if ("delayMs" in action) await context.sleep(action.delayMs);
    else await link.setLines(action.lines);
  }
  return describeSequence(actions);
}
