/**
 * `erase`: all of flash, numbered pages/sectors, an address range, or exactly the pages the recipe's images
 * touch (`needed`).
 *
 * @module
 */

import { z } from "zod";
import { type FlashPage, flashPages, pagesInRange } from "../../chips/layout.ts";
import { pagesTouched } from "../../image/pages.ts";
import { RecipeError } from "../errors.ts";
import { address, hex32, length } from "../params.ts";
import { defineStep, type StepContext } from "../step.ts";
import { requireTarget } from "./require_target.ts";

const schema = z.union([
  z.literal("all").describe("mass erase"),
  z.literal("needed").describe("only the pages the recipe's images touch"),
  z.strictObject({ pages: z.array(z.number().int().min(0)).min(1).describe("page/sector numbers") }),
  z.strictObject({ address, length }).describe("every page overlapping the range"),
]);

/** The `erase` step. */
export const eraseStep = defineStep({
  name: "erase",
  summary: "erase all of flash, some pages or sectors, an address range, or just the pages the images need",
  usage: "erase: all | needed | { pages: [0, 1] } | { address: 0x08000000, length: 4096 }",
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
    if (params === "all") {
      await target.erase({ kind: "all" }, context.progress);
      return { summary: "mass erase" };
    }
    const pages = selectPages(params, context, flashPages(target.identity.chip, target.identity.flashSize));
    if (pages.length === 0) return { summary: "nothing to erase" };
    await target.erase({ kind: "pages", pages: pages.map((p) => p.index) }, context.progress);
    const bytes = pages.reduce((sum, p) => sum + p.size, 0);
    return { summary: `erased ${pages.length} page(s), ${bytes} bytes from ${hex32(pages[0].start)}` };
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
