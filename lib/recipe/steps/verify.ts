/**
 * `verify`: check that flash holds what this run wrote — by the bootloader's CRC where it offers Get Checksum,
 * otherwise by reading everything back.
 *
 * @module
 */

import { z } from "zod";
import { DeviceError } from "../../errors.ts";
import { ledgerFor, verifyImages } from "../../flash/program.ts";
import { verifiedBy } from "../../target/verify.ts";
import { type BoundStep, defineStep } from "../step.ts";
import { requireTarget } from "./require_target.ts";

/** The `verify` step. */
export const verifyStep = defineStep({
  name: "verify",
  summary: "check that flash holds every image written so far in this run (CRC where offered, else read back)",
  usage: "verify: {} | verify: { method: readback }",
  flow: { needsWritten: true, accessesFlash: true, verifies: true },
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
    // An image written twice in a run (once per connection) is checked once.
    const images = [...new Set(context.written)];
    const total = images.reduce((sum, image) => sum + image.size, 0);
    // Pages proven since the last erase — found unchanged by `erase: needed` with nothing erased after, or read
    // back by a write as it programmed them — are not checked again (lib/flash/ledger.ts). With `readback`, every
    // byte is read back whatever was proven.
    const ledger = params.method === "readback" ? ledgerFor(target) : context.flash ?? ledgerFor(target);
    const result = await verifyImages(target, ledger, images, {
      useChecksum: params.method === "auto",
      progress: context.progress,
    });
    const how = result.provenBytes === total
      ? "all in pages proven before (unchanged, or read back as written)"
      : `by ${verifiedBy(result)}`;
    const note = result.provenBytes > 0 && result.provenBytes < total
      ? ` (${result.provenBytes} bytes in pages proven before: unchanged, or read back as written)`
      : "";
    context.noteVerified();
    return { summary: `verified ${total} bytes ${how}${note}`, bytes: result.readBytes };
  },
});

/**
 * The verify the loader adds after a write no `verify` step covers (lib/recipe/added_verify.ts), `line` being the
 * write's. The writes before it may all have been skipped by `when:`: then there is nothing to check.
 */
export function addedVerify(line: number | undefined): BoundStep {
  const bound = verifyStep.bind({});
  const why = `added: no verify step checks the write${line === undefined ? "" : ` at line ${line}`}`;
  return {
    check: bound.check,
    async run(context) {
      if (context.written.length === 0) return { summary: `nothing was written, nothing to verify (${why})` };
      const outcome = await bound.run(context);
      return { ...outcome, summary: `${outcome.summary} (${why})` };
    },
  };
}
