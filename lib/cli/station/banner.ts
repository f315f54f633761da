/**
 * The large PASS / FAIL a technician sees from across the bench: block letters on a terminal, one line elsewhere.
 *
 * @module
 */

import type { Colours } from "../colour.ts";

// 5-row block glyphs for the letters of PASS, FAIL and UNVERIFIED.
const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  P: ["#### ", "#   #", "#### ", "#    ", "#    "],
  A: [" ### ", "#   #", "#####", "#   #", "#   #"],
  S: [" ####", "#    ", " ### ", "    #", "#### "],
  F: ["#####", "#    ", "#### ", "#    ", "#    "],
  I: ["#####", "  #  ", "  #  ", "  #  ", "#####"],
  L: ["#    ", "#    ", "#    ", "#    ", "#####"],
  U: ["#   #", "#   #", "#   #", "#   #", " ### "],
  N: ["#   #", "##  #", "# # #", "#  ##", "#   #"],
  V: ["#   #", "#   #", "#   #", " # # ", "  #  "],
  E: ["#####", "#    ", "#### ", "#    ", "#####"],
  R: ["#### ", "#   #", "#### ", "#  # ", "#   #"],
  D: ["#### ", "#   #", "#   #", "#   #", "#### "],
};

/** `word` (letters of PASS/FAIL/UNVERIFIED) in block letters, five lines. */
export function blockLetters(word: string): string[] {
  return [0, 1, 2, 3, 4].map((row) => [...word].map((letter) => GLYPHS[letter][row]).join("  ").trimEnd());
}

/** The banner for one board: block letters when `large`, else one line; coloured when colours are on. */
export function resultBanner(
  word: "PASS" | "FAIL" | "UNVERIFIED",
  detail: string,
  options: { large: boolean; colour: Colours },
): string[] {
  const paint = word === "PASS"
    ? options.colour.green
    : word === "UNVERIFIED"
    ? options.colour.yellow
    : options.colour.red;
  if (!options.large) return [`${paint(word)} ${detail}`];
  return ["", ...blockLetters(word).map((line) => paint(options.colour.bold(line))), detail, ""];
}
