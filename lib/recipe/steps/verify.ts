/**
 * `verify`: check that flash holds what this run wrote — by the bootloader's CRC where it offers Get Checksum,
 * otherwise by reading everything back.
 *
 * @module
 */

import { z } from "zod";
import { DeviceError } from "../../errors.ts";
import { piecesOutside } from "../../target/unchanged_pages.ts";
import { verifiedBy, verifyPieces } from "../../target/verify.ts";
import { defineStep } from "../step.ts";
import { requireTarget } from "./require_target.ts";
import { settledPages, unchangedOn } from "./unchanged_record.ts";

/** The `verify` step. */
export const verifyStep = defineStep({
  name: "verify",
  summary: "check that flash holds every image written so far in this run (CRC where offered, else read back)",
  usage: "verify: {} | verify: { method: readback }",
  flow: { needsWritten: true, accessesFlash: true },
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
    // Pages `erase: needed` proved to hold the images were neither erased nor written since, and pages a write
    // read back as it programmed them were not touched since either (any step that could change them forgets the
    // proof): checking them again would only repeat that comparison.
    const record = unchangedOn(target);
    const settled = settledPages(record);
    const pieces = context.written.flatMap((image) =>
      record ? piecesOutside(image, record.pages, settled) : [...image.segments]
    );
    const provenBytes = total - pieces.reduce((sum, piece) => sum + piece.data.length, 0);
    const result = await verifyPieces(target, pieces, {
      useChecksum: params.method === "auto",
      progress: context.progress,
    });
    const where = record?.proven.size
      ? "proven before (unchanged, or read back as written)"
      : "found unchanged before the erase";
    const how = provenBytes === total ? `all in pages ${where}` : `by ${verifiedBy(result)}`;
    const note = provenBytes > 0 && provenBytes < total ? ` (${provenBytes} bytes in pages ${where})` : "";
    return { summary: `verified ${total} bytes ${how}${note}`, bytes: result.readBytes };
  },
});
