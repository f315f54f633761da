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
import { unchangedOn } from "./unchanged_record.ts";
import { pagesTouched } from "../../image/pages.ts";
import { programUnerasedPage, writePlan } from "../../target/blank_pages.ts";
import type { ImageFormat } from "../../image/load.ts";

const schema = z.strictObject({
  file: z.string().min(1).describe("firmware file: .bin, .hex, .srec, .elf or .dfu; relative to the recipe"),
  address: address.optional().describe("load address of a raw binary"),
  format: imageFormat.optional(),
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex digits").optional().describe(
    "expected sha256 of the file; the run stops before writing if it differs",
  ),
});

type WriteParams = z.output<typeof schema>;

function imageOptions(params: WriteParams): { format?: ImageFormat; baseAddress?: number } {
  return { format: params.format as ImageFormat | undefined, baseAddress: params.address };
}

/** The `write` step. */
export const writeStep = defineStep({
  name: "write",
  summary: "program a firmware file into flash (the flash there must be erased)",
  usage: "write: { file: firmware.hex } | { file: app.bin, address: 0x08000000, sha256: ... }",
  flow: { writes: true, accessesFlash: true },
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
    // Pages `erase: needed` found already holding the image were not erased: programming them again is refused.
    // Those it left unerased on a blank chip are programmed here and read back (lib/target/blank_pages.ts).
    const record = unchangedOn(target);
    const unerased = record ? pagesTouched(image, record.pages).filter((p) => record.unerased.has(p.index)) : [];
    const skip = new Set([...(record?.unchanged ?? []), ...unerased.map((p) => p.index)]);
    const plan = writePlan(image, record?.pages ?? [], skip, unerased);
    const total = plan.reduce((sum, { piece }) => sum + piece.data.length, 0);
    let before = 0;
    let refilled = 0;
    for (const { piece, page } of plan) {
      const progress = (done: number) => context.progress(before + done, total);
      if (page && record) {
        record.unerased.delete(page.index);
        if (await programUnerasedPage(target, page, piece, progress)) record.proven.add(page.index);
        else refilled++; // erased and written again: verified with everything else
      } else {
        await target.writeMemory(piece.address, piece.data, progress);
      }
      before += piece.data.length;
      context.progress(before, total);
    }
    context.written.push(image);
    const skipped = image.size - total;
    const blank = unerased.length - refilled;
    return {
      summary: `wrote ${total} bytes in ${image.segments.length} segment(s) from ${hex32(image.start)}` +
        (skipped > 0 ? ` (${skipped} bytes already in place)` : "") +
        (blank > 0 ? `; ${blank} blank page(s) programmed without an erase, read back` : "") +
        (refilled > 0 ? `; ${refilled} page(s) held data: erased and written again` : ""),
      bytes: total,
    };
  },
});
