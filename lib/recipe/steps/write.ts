/**
 * `write`: program a firmware image. The file is parsed, checked against the chip's flash and, when the recipe
 * gives one, against its sha256 — all before the first byte goes to the device.
 *
 * @module
 */

import { z } from "zod";
import { GuardedReadError, quotePath, readGuarded } from "../../files/guarded_read.ts";
import { hex32 } from "../params.ts";
import { address, imageFormat } from "../params.ts";
import { RecipeError } from "../errors.ts";
import { defineStep } from "../step.ts";
import { requireTarget } from "./require_target.ts";
import { ledgerFor, writeImage } from "../../flash/program.ts";
import { unitName } from "../../chips/layout.ts";
import type { ImageFormat } from "../../image/load.ts";

const schema = z.strictObject({
  file: z.string().min(1).describe("firmware file: .bin, .hex, .srec, .elf or .dfu; relative to the recipe"),
  address: address.optional().describe("load address of a raw binary"),
  format: imageFormat.optional(),
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex digits").optional().describe(
    "expected sha256 of the file; the run stops before writing if it differs",
  ),
  verify: z.boolean().default(true).describe(
    "false: add no verify for this write when no verify step follows; a run that leaves it unchecked ends " +
      "UNVERIFIED, never PASS",
  ),
});

type WriteParams = z.output<typeof schema>;

function imageOptions(params: WriteParams): { format?: ImageFormat; baseAddress?: number } {
  return { format: params.format as ImageFormat | undefined, baseAddress: params.address };
}

/** The `write` step. */
export const writeStep = defineStep({
  name: "write",
  summary: "program a firmware file into flash (the flash there must be erased); verified by the next verify step, " +
    "or one added after it",
  usage: "write: { file: firmware.hex } | { file: app.bin, address: 0x08000000, sha256: ... } | { ..., verify: false }",
  // Without a `verify` step after it, the loader adds one (lib/recipe/added_verify.ts) unless `verify: false`.
  flow: (params) => ({ writes: true, accessesFlash: true, unverified: params.verify === false }),
  schema,
  async check(params, context, memo) {
    if (params.sha256) {
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        bytes = await readGuarded(context.resolvePath(params.file), "firmware");
      } catch (error) {
        if (!(error instanceof GuardedReadError)) throw error;
        throw new RecipeError(
          `cannot read ${quotePath(params.file)}: ${error.reason}`,
          context.locate(["file"]),
          error.hint,
          "E_FILE",
        );
      }
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
      const actual = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
      if (actual !== params.sha256.toLowerCase()) {
        throw new RecipeError(
          `sha256 of '${params.file}' is ${actual}, not the ${params.sha256.toLowerCase()} the recipe expects`,
          context.locate(["sha256"]),
          "the file changed since the recipe was written: rebuild, or update the sha256",
          "E_IMAGE_SHA256",
        );
      }
    }
    const image = await context.loadImage(params.file, imageOptions(params));
    const base = context.chip.flash.base;
    const end = base + context.part.flashSize;
    for (const segment of image.segments) {
      const segmentEnd = segment.address + segment.data.length;
      if (segment.address < base || segmentEnd > end) {
        throw new RecipeError(
          `'${params.file}' has data at ${hex32(segment.address)}-${hex32(segmentEnd - 1)}, outside the ` +
            `${context.part.part}'s flash (${hex32(base)}-${hex32(end - 1)})`,
          context.locate(["file"]),
          segmentEnd - segment.address > end - base
            ? "the image is larger than the flash: build for this chip"
            : "check the load address (a raw .bin needs 'address:') and the chip the recipe names",
          "E_IMAGE_RANGE",
        );
      }
    }
    context.planWrite(image);
    memo.image = image;
  },
  async run(_params, context, memo) {
    const target = requireTarget(context, "write");
    const image = memo.image;
    if (!image) throw new Error("write ran without its check");
    const ledger = context.flash ?? ledgerFor(target);
    // Pages `erase: needed` found holding the image are skipped (programming them again is refused); those it
    // left unerased on a blank chip are programmed and read back; a retried step resumes: pages an earlier
    // attempt programmed are compared and, where they differ, erased and written again (lib/flash/program.ts).
    const resume = memo.attempted === true;
    memo.attempted = true;
    const before = target.recoveries ?? 0;
    const outcome = await writeImage(target, ledger, image, {
      others: context.written,
      resume,
      progress: context.progress,
    });
    context.written.push(image);
    const skipped = image.size - outcome.bytesWritten;
    const retries = Math.max(outcome.retries, (target.recoveries ?? 0) - before);
    const unit = unitName(target.identity.chip);
    return {
      summary: `wrote ${outcome.bytesWritten} bytes in ${image.segments.length} segment(s) from ${hex32(image.start)}` +
        (skipped > 0 ? ` (${skipped} bytes already in place)` : "") +
        (outcome.pagesBlank > 0
          ? `; ${outcome.pagesBlank} blank ${unit}(s) programmed without an erase, read back`
          : "") +
        (outcome.pagesRewritten > 0 ? `; ${outcome.pagesRewritten} ${unit}(s) erased and written again` : "") +
        (retries > 0 ? `; recovered from ${retries} link fault(s)` : ""),
      bytes: outcome.bytesWritten,
      retries,
    };
  },
});
