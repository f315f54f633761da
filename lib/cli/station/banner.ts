/**
 * The large PASS / FAIL a technician sees from across the bench: block letters on a terminal, one line elsewhere.
 *
 * @module
 */

import type { Colours } from "../colour.ts";

// 5-row block glyphs for the letters of PASS and FAIL.
const GLYPHS: Readonly<Record<string, readonly string[]>> = {
  P: ["#### ", "#   #", "#### ", "#    ", "#    "],
  A: [" ### ", "#   #", "#####", "#   #", "#   #"],
  S: [" ####", "#    ", " ### ", "    #", "#### "],
  F: ["#####", "#    ", "#### ", "#    ", "#    "],
  I: ["#####", "  #  ", "  #  ", "  #  ", "#####"],
  L: ["#    ", "#    ", "#    ", "#    ", "#####"],
};

/** `word` (letters of PASS/FAIL) in block letters, five lines. */
export function blockLetters(word: string): string[] {
  return [0, 1, 2, 3, 4].map((row) => [...word].map((letter) => GLYPHS[letter][row]).join("  ").trimEnd());
}

/** The banner for one board: block letters when `large`, else one line; coloured when colours are on. */
export function resultBanner(ok: boolean, detail: string, options: { large: boolean; colour: Colours }): string[] {
  const word = ok ? "PASS" : "FAIL";
  const paint = ok ? options.colour.green : options.colour.red;
  if (!options.large) return [`${paint(word)} ${detail}`];
  return ["", ...blockLetters(word).map((line) => paint(options.colour.bold(line))), detail, ""];
}
