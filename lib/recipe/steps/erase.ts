/**
 * `erase`: all of flash, numbered pages/sectors, an address range, or exactly the pages the recipe's images
 * touch (`needed`). `needed` is the flash planner's plan (lib/flash/program.ts): it compares those pages with
 * what the images will leave there (the bootloader's CRC where offered, else reading back) and leaves alone the
 * pages that already hold it; the `write` steps then skip them too, so re-flashing the same firmware costs about
 * one read of it. On a blank chip it also leaves unerased the pages an image fills, when every write runs and the
 * recipe verifies what they write: the `write` step programs and proves them, and the verify need not read them
 * again. What it found goes into the connection's flash ledger (lib/flash/ledger.ts).
 *
 * @module
 */

import { z } from "zod";
import { type FlashPage, flashPages, pagesInRange, unitName } from "../../chips/layout.ts";
import { eraseWithProgress } from "../../target/erase_progress.ts";
import { assertNotReadProtected } from "../../target/protection.ts";
import { pagesTouched } from "../../image/pages.ts";
import { RecipeError } from "../errors.ts";
import { address, hex32, length } from "../params.ts";
import { defineStep, type StepContext } from "../step.ts";
import { requireTarget } from "./require_target.ts";
import { erasePages, ledgerFor, planImages } from "../../flash/program.ts";

const schema = z.union([
  z.literal("all").describe("mass erase"),
  z.literal("needed").describe("only the pages the recipe's images touch"),
  z.strictObject({ pages: z.array(z.number().int().min(0).max(0xffff)).min(1).describe("page/sector numbers") }),
  z.strictObject({ address, length }).describe("every page overlapping the range"),
]);

/** The `erase` step. */
export const eraseStep = defineStep({
  name: "erase",
  summary: "erase all of flash, some pages or sectors, an address range, or just the pages the images need",
  usage: "erase: all | needed | { pages: [0, 1] } | { address: 0x08000000, length: 4096 }",
  flow: { accessesFlash: true },
  schema,
  check(params, context) {
    const pages = flashPages(context.chip, context.part.flashSize);
    if (typeof params === "object" && "pages" in params) {
      const bad = params.pages.find((p) => p >= pages.length);
      if (bad !== undefined) {
        throw new RecipeError(
          `${unitName(context.chip)} ${bad} does not exist: the ${context.part.part} has ${
            unitName(context.chip)
          }s 0 to ${pages.length - 1}`,
          context.locate(["pages"]),
          "use page numbers from the chip's flash layout",
        );
      }
    } else if (typeof params === "object") {
      const end = context.chip.flash.base + context.part.flashSize;
      if (params.address < context.chip.flash.base || params.address + params.length > end) {
        throw new RecipeError(
          `range ${hex32(params.address)}+${params.length} is outside the ${context.part.part}'s flash ` +
            `(${hex32(context.chip.flash.base)} to ${hex32(end)})`,
          context.locate(["address"]),
          "give a range inside flash",
        );
      }
    }
  },
  async run(params, context) {
    const target = requireTarget(context, "erase");
    const ledger = context.flash ?? ledgerFor(target);
    assertNotReadProtected(target, UNLOCK_STEP);
    const unit = unitName(target.identity.chip);
    const pagesProgress = (done: number, total: number) => context.progress(done, total, "pages");
    if (params === "all") {
      ledger.noteErased("all");
      await eraseWithProgress(target, { kind: "all" }, pagesProgress);
      return { summary: "mass erase" };
    }
    let pages = selectPages(params, context, ledger.pages);
    if (pages.length === 0) return { summary: "nothing to erase" };
    let kept = "";
    if (params === "needed") {
      // Reading back what a write programs without an erase costs more than the erase unless a verify reads it
      // anyway; and a page left unerased must be written (a write skipped by `when:` would leave it as it was).
      const plan = await planImages(target, ledger, context.planned, {
        allowUnerased: context.writesVerified,
        pages,
        // The comparison reads (or CRCs) the pages first: a phase of its own, counted in bytes.
        progress: (done, total) => context.progress(done, total, "bytes"),
      });
      pages = plan.toErase;
      if (plan.unchanged.size > 0) kept = `; ${plan.unchanged.size} ${unit}(s) already held the image`;
      if (plan.unerased.length > 0) {
        kept += `; ${plan.unerased.length} blank ${unit}(s) left for the write to program and prove`;
      }
      if (pages.length === 0) return { summary: `nothing to erase${kept}` };
    }
    await erasePages(target, ledger, pages, pagesProgress);
    const bytes = pages.reduce((sum, p) => sum + p.size, 0);
    return { summary: `erased ${pages.length} ${unit}(s), ${bytes} bytes from ${hex32(pages[0].start)}${kept}` };
  },
});

/** How a recipe removes read protection, for the error on a read-protected chip. */
const UNLOCK_STEP =
  "add an `unprotect: read` step before this one (from the command line: `flashrecipe unprotect read`)";

function selectPages(
  params: "needed" | { pages: number[] } | { address: number; length: number },
  context: StepContext,
  all: readonly FlashPage[],
): FlashPage[] {
  if (params === "needed") {
    const chosen = new Map<number, FlashPage>();
    for (const image of context.planned) for (const page of pagesTouched(image, all)) chosen.set(page.index, page);
    return [...chosen.values()].sort((a, b) => a.index - b.index);
  }
  if ("pages" in params) return all.filter((p) => params.pages.includes(p.index));
  return pagesInRange(all, params.address, params.length);
}
