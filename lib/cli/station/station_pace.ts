/**
 * How many boards a station runs (`--boards`) and whether Enter starts them (`--manual`) — for one board at a time
 * and for a gang's rounds alike.
 *
 * @module
 */

import { type ParsedArgs, parseNumber } from "../args.ts";

/** How many boards a station runs and whether Enter starts them. */
export interface StationPace {
  /** Boards to run (Infinity: until stopped or the boards run out). */
  limit: number;
  /** Whether Enter (not the port) says the next board — or round of boards — is on. */
  manual: boolean;
  /** True when simulated boards run one round only (no `--boards`, nobody at a terminal): say so. */
  oneRound: boolean;
}

/** Reads `--boards` (at least 1; Infinity without it). */
export function boardLimit(args: ParsedArgs): number {
  const boardsOption = args.options.boards as string | undefined;
  return boardsOption === undefined ? Infinity : parseNumber(boardsOption, "--boards", { min: 1 });
}

/**
 * How many boards to run (`limit`: {@linkcode boardLimit}) and whether `--manual`. Simulated boards are there at
 * once: without `--boards` a station would flash hundreds a second. A technician trying it at a terminal gets a board
 * (a round of `slots` boards) per Enter, as at a real fixture; a script gets one round.
 */
export function stationPace(args: ParsedArgs, limit: number, simulate: boolean, slots: number): StationPace {
  let manual = args.options.manual === true;
  if (simulate && args.options.boards === undefined && !manual) {
    if (Deno.stdin.isTerminal()) manual = true;
    else return { limit: slots, manual, oneRound: true };
  }
  return { limit, manual, oneRound: false };
}
