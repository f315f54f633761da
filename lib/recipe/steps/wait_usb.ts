/**
 * `wait-usb`: wait until a USB device appears (e.g. the DFU bootloader after a reset with BOOT0 high) or
 * vanishes (e.g. after `jump`).
 *
 * @module
 */

import { z } from "zod";
import { InputError } from "../../errors.ts";
import { duration, durationMs } from "../params.ts";
import { defineStep } from "../step.ts";

/** The `wait-usb` step. */
export const waitUsbStep = defineStep({
  name: "wait-usb",
  summary: "wait for a USB device to appear or to go away",
  usage: 'wait-usb: { device: "0483:df11", until: present | gone, timeout: 10s }',
  flow: { needsTarget: false, transport: "dfu" },
  schema: z.strictObject({
    device: z.string().min(1).default("0483:df11").describe("vid:pid, bus-port path (1-2.3) or serial number"),
    until: z.enum(["present", "gone"]).default("present").describe("wait for the device to appear or to vanish"),
    timeout: duration.default("10s").describe("how long to wait"),
  }),
  async run(params, context) {
    if (!context.board.waitUsb) {
      throw new InputError("E_RECIPE", "wait-usb needs a USB target", { hint: "set target.transport: dfu" });
    }
    const started = Date.now();
    const seen = await context.board.waitUsb(params.device, params.until === "present", durationMs(params.timeout));
    const verb = params.until === "present" ? "appeared" : "went away";
    return { summary: `${params.device} ${verb} after ${Date.now() - started} ms (${seen})` };
  },
});
