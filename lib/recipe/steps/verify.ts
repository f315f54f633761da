/**
 * `verify`: check that flash holds what this run wrote — by the bootloader's CRC where it offers Get Checksum,
 * otherwise by reading everything back.
 *
 * @module
 */

import { z } from "zod";
import { DeviceError } from "../../errors.ts";
import { stm32Crc } from "../../protocol/usart/stm32_crc.ts";
import { hex32 } from "../params.ts";
import { defineStep } from "../step.ts";
import { requireTarget } from "./require_target.ts";

/** The `verify` step. */
export const verifyStep = defineStep({
  name: "verify",
  summary: "check that flash holds every image written so far in this run (CRC where offered, else read back)",
  usage: "verify: {} | verify: { method: readback }",
  schema: z.strictObject({
    method: z.enum(["auto", "readback"]).default("auto").describe(
      "auto: CRC when the bootloader offers it, else read back; readback: always read back",
    ),
  }),
  async run(params, context) {
    const target = requireTarget(context, "verify");
    if (context.written.length === 0) {
      throw new DeviceError("E_VERIFY", "nothing to verify: no image was written before this step", {
        hint: "put 'verify' after a 'write' step",
      });
    }
    const total = context.written.reduce((sum, image) => sum + image.size, 0);
    let before = 0;
    let crcChecked = 0;
    for (const image of context.written) {
      for (const segment of image.segments) {
        const { address, data } = segment;
        const aligned = address % 4 === 0 && data.length % 4 === 0;
        const crc = params.method === "auto" && aligned ? await target.checksum?.(address, data.length) : undefined;
        if (crc !== undefined) {
          if (crc !== stm32Crc(data)) {
            throw new DeviceError("E_VERIFY", `verify failed: CRC of ${hex32(address)}+${data.length} differs`, {
              hint: "the flash does not hold the image: erase and write again",
            });
          }
          crcChecked += data.length;
        } else {
          const actual = await target.readMemory(
            address,
            data.length,
            (done) => context.progress(before + done, total),
          );
          const at = actual.findIndex((b, i) => b !== data[i]);
          if (at >= 0) {
            throw new DeviceError(
              "E_VERIFY",
              `verify failed at ${hex32(address + at)}: expected 0x${data[at].toString(16).padStart(2, "0")}, ` +
                `read 0x${actual[at].toString(16).padStart(2, "0")}`,
              { hint: "was the flash erased before writing? is it write-protected?" },
            );
          }
        }
        before += data.length;
        context.progress(before, total);
      }
    }
    const how = crcChecked === total ? "by CRC" : crcChecked > 0 ? "by CRC and read-back" : "by read-back";
    return { summary: `verified ${total} bytes ${how}`, bytes: total - crcChecked };
  },
});
