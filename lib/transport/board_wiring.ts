/**
 * How a USB-serial adapter's modem lines reach the chip's NRST and BOOT0 pins, and the line sequences that put
 * the chip into its bootloader or back into the application.
 *
 * Electrical facts this model rests on:
 * - An asserted DTR or RTS drives the adapter's pin LOW (RS-232 logic inverted at TTL level; CP210x, CH340 and
 *   FT232 datasheets: "DTR/RTS outputs, active low").
 * - NRST is active low: the chip is held in reset while NRST is low and starts when it is released.
 * - The chip samples BOOT0 when NRST is released: high selects system memory, i.e. the ROM bootloader (AN2606 §2).
 * - Boards often put a transistor between a line and NRST or BOOT0, which inverts it: `resetInverted`,
 *   `boot0Inverted`.
 *
 * @module
 */

import type { LineStates } from "./byte_stream.ts";

/** A modem line that can drive a pin. */
export type ControlLine = "dtr" | "rts";

/** How the board is wired to the adapter. */
export interface BoardWiring {
  /** The line driving NRST. */
  reset: ControlLine;
  /** The line driving BOOT0, or `none` when BOOT0 is set by a jumper or button. */
  boot0: ControlLine | "none";
  /** True when a transistor inverts the reset line (asserted line -> NRST high). */
  resetInverted: boolean;
  /** True when a transistor inverts the BOOT0 line (asserted line -> BOOT0 high). */
  boot0Inverted: boolean;
}

/** One step of a line sequence: set lines, or wait. */
export type LineAction = { lines: LineStates } | { delayMs: number };

/** Timing of derived sequences. */
export interface SequenceTiming {
  /** How long NRST is held low, ms (NRST pulse minimum is 20 µs, datasheet "NRST pin characteristics"). */
  resetPulseMs: number;
  /** How long to wait after releasing NRST before talking to the chip, ms. */
  startupMs: number;
}

/** Default timing: generous enough for adapters whose line changes take a USB frame or two. */
export const DEFAULT_SEQUENCE_TIMING: SequenceTiming = { resetPulseMs: 50, startupMs: 100 };

/** Common auto-boot circuits, by name. */
export const WIRING_PRESETS: Readonly<Record<string, BoardWiring & { description: string }>> = {
  "dtr-reset": {
    reset: "dtr",
    boot0: "none",
    resetInverted: false,
    boot0Inverted: false,
    description: "DTR straight to NRST; BOOT0 by jumper",
  },
  "rts-reset": {
    reset: "rts",
    boot0: "none",
    resetInverted: false,
    boot0Inverted: false,
    description: "RTS straight to NRST; BOOT0 by jumper",
  },
  "dtr-reset-rts-boot0": {
    reset: "dtr",
    boot0: "rts",
    resetInverted: false,
    boot0Inverted: true,
    description: "DTR straight to NRST; RTS through an inverting transistor to BOOT0",
  },
  "rts-reset-dtr-boot0": {
    reset: "rts",
    boot0: "dtr",
    resetInverted: false,
    boot0Inverted: true,
    description: "RTS straight to NRST; DTR through an inverting transistor to BOOT0",
  },
};

/** Whether a line must be asserted for a pin to be at `high`, given the wiring's inversion. */
function assertedFor(high: boolean, inverted: boolean): boolean {
  // Asserted -> pin low; an inverting transistor flips the level once more.
  const pinHigh = inverted ? !high : high;
  return !pinHigh;
}

/** The level (true = high) a pin sees when its line is `asserted`. */
export function pinLevel(asserted: boolean, inverted: boolean): boolean {
  const pinHigh = !asserted;
  return inverted ? !pinHigh : pinHigh;
}

/** Lines for NRST at `resetHigh` and, where wired, BOOT0 at `boot0High`. */
function linesFor(wiring: BoardWiring, resetHigh: boolean, boot0High: boolean): LineStates {
  const lines: LineStates = { [wiring.reset]: assertedFor(resetHigh, wiring.resetInverted) };
  if (wiring.boot0 !== "none") lines[wiring.boot0] = assertedFor(boot0High, wiring.boot0Inverted);
  return lines;
}

/** BOOT0 high, NRST pulsed low, then released: the chip starts its ROM bootloader. */
export function enterBootloaderSequence(wiring: BoardWiring, timing = DEFAULT_SEQUENCE_TIMING): LineAction[] {
  return resetSequence(wiring, true, timing);
}

/** BOOT0 low, NRST pulsed low, then released: the chip starts the application from flash. */
export function runApplicationSequence(wiring: BoardWiring, timing = DEFAULT_SEQUENCE_TIMING): LineAction[] {
  return resetSequence(wiring, false, timing);
}

/** A reset with BOOT0 at `boot0High` (left alone when BOOT0 is not wired). */
export function resetSequence(wiring: BoardWiring, boot0High: boolean, timing = DEFAULT_SEQUENCE_TIMING): LineAction[] {
  return [
    { lines: linesFor(wiring, false, boot0High) },
    { delayMs: timing.resetPulseMs },
    { lines: linesFor(wiring, true, boot0High) },
    { delayMs: timing.startupMs },
  ];
}

/** Describes a line sequence for messages, e.g. `DTR+ RTS-, 50 ms, DTR-`. */
export function describeSequence(actions: readonly LineAction[]): string {
  return actions.map((action) => {
    if ("delayMs" in action) return `${action.delayMs} ms`;
    return Object.entries(action.lines).map(([line, on]) => `${line.toUpperCase()}${on ? "+" : "-"}`).join(" ");
  }).join(", ");
}
