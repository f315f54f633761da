/**
 * `chips [FILTER]`: the parts the tool knows — part number, product ID, series, flash size, erase units, and
 * whether `--simulate` has it — filtered by any part of a name (`f103`, `stm32g0`, `0x413`).
 *
 * @module
 */

import type { CommandSpec } from "../command.ts";
import { chipByPid, formatPid, PARTS } from "../../chips/database.ts";
import { describeChip, formatSize } from "../../chips/format.ts";
import { flashPages, unitName } from "../../chips/layout.ts";
import { withoutOrderingTail } from "../../chips/part_number.ts";
import { InputError } from "../../errors.ts";
import { DFUSE_PART_NAMES, SIMULATED_PART_NAMES } from "../../sim/part_names.ts";

/** One row of the list. */
interface ChipRow {
  part: string;
  pid: string;
  family: string;
  name: string;
  flash: number;
  units: string;
  simulated: string[];
}

/** The `chips` command. */
export const chipsCommand: CommandSpec = {
  name: "chips",
  summary: "list the supported parts (filter by part, series or product ID)",
  usage: "chips [FILTER] [--json]",
  description:
    "A full ordering code (stm32f103c8t6) matches its part; one match is described in full (flash layout,\n" +
    "bootloader, option bytes). Simulated parts work with --simulate.",
  options: [{ name: "json", type: "boolean", description: "print the list as a JSON array" }],
  examples: [
    ["chips", "every supported part"],
    ["chips f4", "the F4 series"],
    ["chips stm32f103c8t6", "the part printed on this package"],
  ],
  run(args, console) {
    if (args.positionals.length > 1) {
      throw new InputError("E_USAGE", "chips takes at most one filter", { hint: "e.g. flashrecipe chips f103" });
    }
    const filter = args.positionals[0]?.toLowerCase();
    const rows = PARTS.map(rowOf).filter((row) => matches(row, filter));
    if (args.options.json) {
      console.out(JSON.stringify(rows));
      return Promise.resolve(0);
    }
    if (rows.length === 0) {
      console.out(`no supported part matches '${filter}'`);
      return Promise.resolve(1);
    }
    const table = [
      ["PART", "PID", "SERIES", "FLASH", "ERASE UNITS", "SIMULATED"],
      ...rows.map((r) => [r.part, r.pid, r.family, formatSize(r.flash), r.units, r.simulated.join(", ")]),
    ];
    const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
    for (const row of table) console.out(row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd());
    // One part: its layout, bootloader and option bytes in a paragraph.
    if (rows.length === 1) {
      const part = PARTS.find((p) => p.part === rows[0].part)!;
      console.out("");
      console.out(describeChip(chipByPid(part.pid)!, part.flashSize));
    }
    return Promise.resolve(0);
  },
};

function rowOf(part: (typeof PARTS)[number]): ChipRow {
  const chip = chipByPid(part.pid)!;
  const pages = flashPages(chip, part.flashSize);
  const sizes = [...new Set(pages.map((p) => formatSize(p.size)))];
  const simulated = [
    ...((SIMULATED_PART_NAMES as readonly string[]).includes(part.part) ? ["usart"] : []),
    ...((DFUSE_PART_NAMES as readonly string[]).includes(part.part) ? ["dfu"] : []),
  ];
  return {
    part: part.part,
    pid: formatPid(part.pid),
    family: chip.family,
    name: chip.name,
    flash: part.flashSize,
    units: `${pages.length} ${unitName(chip)}s of ${sizes.join("/")}`,
    simulated,
  };
}

function matches(row: ChipRow, filter: string | undefined): boolean {
  if (filter === undefined) return true;
  // A series name (f4, G0) means the series, not every part with "f4" somewhere in its number.
  if (/^[a-z]\d$/.test(filter) || /^stm32[a-z]\d$/.test(filter)) return row.family.toLowerCase() === filter.slice(-2);
  const base = withoutOrderingTail(filter);
  return row.part.includes(filter) || row.part === base || row.pid === filter ||
    row.name.toLowerCase().includes(filter);
}
