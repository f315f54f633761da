/**
 * `erase all | --pages LIST | --address ADDR --length N`: the recipe `erase` step as a one-shot command.
 *
 * @module
 */

import { parseNumber } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import { ONE_SHOT_OPTIONS, parseOneShot, recipeStage, runOneShot } from "../one_shot.ts";
import { InputError } from "../../errors.ts";
import { eraseStep } from "../../recipe/steps/erase.ts";

/** The `erase` command. */
export const eraseCommand: CommandSpec = {
  name: "erase",
  summary: "erase all of flash, some pages/sectors, or the pages an address range overlaps",
  usage: "erase (all | --pages LIST | --address ADDR --length N) (--port PATH | --usb VID:PID | --simulate CHIP)",
  description:
    "Page (F2/F4/F7/H7: sector) numbers as the bootloader counts them, from 0; `flashrecipe chips CHIP` describes the " +
    "layout.\nProgress of an erase is estimated from the datasheet's typical erase time.",
  options: [
    { name: "pages", type: "string", valueName: "LIST", description: "page/sector numbers, e.g. 0,1,4-7" },
    { name: "address", type: "string", valueName: "ADDR", description: "first address of a range to erase" },
    { name: "length", type: "string", valueName: "N", description: "length of the range, bytes" },
    ...ONE_SHOT_OPTIONS,
  ],
  examples: [
    ["erase all --port /dev/ttyUSB0", "mass erase"],
    ["erase --pages 0-3 --port COM3", "the first four pages"],
    ["erase --address 0x08004000 --length 0x4000 --port /dev/ttyUSB0", "every page that range overlaps"],
  ],
  async run(args, console) {
    const params = eraseParams(args.positionals, args.options);
    const shot = parseOneShot(args, "erase");
    const title = params === "all" ? "erase all" : "erase";
    const { code } = await runOneShot(console, shot, {
      title,
      needsUnlocked: true,
      changesFlash: true,
      stages: [recipeStage(eraseStep, params)],
    });
    return code;
  },
};

type EraseParams = "all" | { pages: number[] } | { address: number; length: number };

function eraseParams(positionals: readonly string[], options: Record<string, unknown>): EraseParams {
  const all = positionals.length === 1 && positionals[0] === "all";
  if (positionals.length > 0 && !all) {
    throw new InputError("E_USAGE", `erase takes 'all' or options, not '${positionals.join(" ")}'`, {
      hint: "flashrecipe erase all | --pages 0,1 | --address ADDR --length N",
    });
  }
  const pages = options.pages as string | undefined;
  const address = options.address as string | undefined;
  const length = options.length as string | undefined;
  const forms = [all, pages !== undefined, address !== undefined || length !== undefined].filter(Boolean).length;
  if (forms !== 1) {
    throw new InputError("E_USAGE", "erase needs exactly one of: all, --pages LIST, --address ADDR --length N", {
      hint: "e.g. flashrecipe erase all --port /dev/ttyUSB0",
    });
  }
  if (all) return "all";
  if (pages !== undefined) return { pages: parsePageList(pages) };
  if (address === undefined || length === undefined) {
    throw new InputError("E_USAGE", "an erase by range needs both --address and --length");
  }
  const count = parseNumber(length, "--length");
  if (count === 0) throw new InputError("E_USAGE", "--length must be at least 1");
  return { address: parseNumber(address, "--address"), length: count };
}

/** Parses `0,1,4-7` into page numbers, in order, without repeats. */
export function parsePageList(text: string): number[] {
  const pages = new Set<number>();
  for (const item of text.split(",")) {
    const range = /^\s*(\w+)\s*-\s*(\w+)\s*$/.exec(item);
    const [from, to] = range
      ? [parseNumber(range[1], "a page number"), parseNumber(range[2], "a page number")]
      : [parseNumber(item.trim(), "a page number"), parseNumber(item.trim(), "a page number")];
    if (to < from) throw new InputError("E_USAGE", `page range ${item.trim()} runs backwards`);
    if (to - from > 65535) throw new InputError("E_USAGE", `page range ${item.trim()} is longer than any flash`);
    for (let page = from; page <= to; page++) pages.add(page);
  }
  return [...pages].sort((a, b) => a - b);
}
