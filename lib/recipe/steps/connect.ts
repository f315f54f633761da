/**
 * `connect`: open the link, sync with the bootloader, and identify the chip. A chip other than the one the
 * recipe names stops the run here, before anything is erased.
 *
 * @module
 */

import { z } from "zod";
import { formatPid } from "../../chips/database.ts";
import { DeviceError } from "../../errors.ts";
import { defineStep } from "../step.ts";

/** The `connect` step. */
export const connectStep = defineStep({
  name: "connect",
  summary: "open the link, sync with the bootloader and check that the chip is the one the recipe names",
  usage: "connect: { baud: 115200, retries: 5 }",
  flow: { needsTarget: false, connects: true },
  schema: z.strictObject({
    baud: z.number().int().min(1200).max(4_000_000).optional().describe("serial baud rate; default target.baud"),
    retries: z.number().int().min(1).max(100).default(5).describe("sync attempts before giving up"),
  }),
  async run(params, context) {
    const target = await context.connect({ baud: params.baud ?? context.baud, retries: params.retries });
    const { identity } = target;
    if (identity.pid !== undefined && identity.pid !== context.part.pid) {
      throw new DeviceError(
        "E_CHIP_MISMATCH",
        `expected ${context.part.part} (product ID ${formatPid(context.part.pid)}) but found ${identity.chip.name} ` +
          `(${formatPid(identity.pid)})`,
        { hint: "this board is not the one the recipe is for; nothing was erased or written" },
      );
    }
    const id = identity.pid === undefined ? "" : ` (${formatPid(identity.pid)})`;
    const version = identity.bootloaderVersion ? `, bootloader ${identity.bootloaderVersion}` : "";
    return { summary: `${identity.chip.name}${id}${version}, ${identity.flashSize / 1024} KiB flash` };
  },
});
