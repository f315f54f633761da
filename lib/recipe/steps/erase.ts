/**
 * `erase`: all of flash, numbered pages/sectors, an address range, or exactly the pages the recipe's images
 * touch (`needed`). `needed` first compares those pages with what the images will leave there (the bootloader's
 * CRC where offered, else reading back; lib/target/unchanged_pages.ts) and leaves alone the pages that already
 * hold it; the `write` steps then skip them too, so re-flashing the same firmware costs about one read of it. On a
 * blank chip it also leaves unerased the pages an image fills, when every write runs and the recipe verifies what
 * they write: the `write` step programs and proves them (lib/target/blank_pages.ts), and the verify need not read
 * them again.
 *
 * @module
 */

import { z } from "zod";
import { type FlashPage, flashPages, pagesInRange } from "../../chips/layout.ts";
import type { MemoryImage } from "../../image/memory_image.ts";
import { pagesTouched } from "../../image/pages.ts";
import { RecipeError } from "../errors.ts";
import { address, hex32, length } from "../params.ts";
import { defineStep, type StepContext } from "../step.ts";
import { requireTarget } from "./require_target.ts";
import { forgetUnchanged, recordUnchanged } from "./unchanged_record.ts";
import { DeviceError } from "../../errors.ts";
import type { Target } from "../../target/target.ts";
import { filledPages, mayProgramUnerased } from "../../target/blank_pages.ts";
import { type Comparison, findUnchangedPages, wantedPages } from "../../target/unchanged_pages.ts";

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
          `page ${bad} does not exist: the ${context.part.part} has pages 0 to ${pages.length - 1}`,
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
    forgetUnchanged(target);
    if (params === "all") {
      await target.erase({ kind: "all" }, context.progress);
      return { summary: "mass erase" };
    }
    const all = flashPages(target.identity.chip, target.identity.flashSize);
    let pages = selectPages(params, context, all);
    if (pages.length === 0) return { summary: "nothing to erase" };
    let kept = "";
    if (params === "needed") {
      const { unchanged, blankStart } = await compare(target, context.planned, pages);
      // Reading back what a write programs without an erase costs more than the erase unless a verify reads it
      // anyway; and a page left unerased must be written (a write skipped by `when:` would leave it as it was).
      const unerased = blankStart && context.writesVerified && mayProgramUnerased(target)
        ? filledByOne(context.planned, pages.filter((p) => !unchanged.has(p.index)))
        : [];
      if (unchanged.size > 0 || unerased.length > 0) {
        recordUnchanged(target, {
          pages: all,
          unchanged,
          unerased: new Set(unerased.map((p) => p.index)),
          proven: new Set(),
        });
        pages = pages.filter((p) => !unchanged.has(p.index) && !unerased.includes(p));
        if (unchanged.size > 0) kept = `; ${unchanged.size} page(s) already held the image`;
        if (unerased.length > 0) kept += `; ${unerased.length} blank page(s) left for the write to program and prove`;
        if (pages.length === 0) return { summary: `nothing to erase${kept}` };
      }
    }
    await target.erase({ kind: "pages", pages: pages.map((p) => p.index) }, context.progress);
    const bytes = pages.reduce((sum, p) => sum + p.size, 0);
    return { summary: `erased ${pages.length} page(s), ${bytes} bytes from ${hex32(pages[0].start)}${kept}` };
  },
});

function selectPages(
  params: "needed" | { pages: number[] } | { address: number; length: number },
  context: StepContext,
  all: FlashPage[],
): FlashPage[] {
  if (params === "needed") {
    const chosen = new Map<number, FlashPage>();
    for (const image of context.planned) for (const page of pagesTouched(image, all)) chosen.set(page.index, page);
    return [...chosen.values()].sort((a, b) => a.index - b.index);
  }
  if ("pages" in params) return all.filter((p) => params.pages.includes(p.index));
  return pagesInRange(all, params.address, params.length);
}

/** The `needed` pages that already hold what the planned images put there; none when the device refuses reads. */
async function compare(
  target: Target,
  planned: readonly MemoryImage[],
  needed: readonly FlashPage[],
): Promise<Comparison> {
  try {
    return await findUnchangedPages(target, wantedPages(planned, needed));
  } catch (error) {
    // Read protection refuses the comparison; the erase itself then tells the user what is wrong.
    if (error instanceof DeviceError && error.code === "E_NACK") {
      return { unchanged: new Set(), method: "read-back", blankStart: false };
    }
    throw error;
  }
}

/** The pages among `pages` that one of `images` fills and no other touches. */
function filledByOne(images: readonly MemoryImage[], pages: readonly FlashPage[]): FlashPage[] {
  return images.flatMap((image) =>
    filledPages(image, pages).filter((page) =>
      images.every((other) => other === image || !other.overlaps(page.start, page.size))
    )
  );
}
