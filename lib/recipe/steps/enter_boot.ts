/**
 * `enter-boot`: BOOT0 high and a pulse on NRST, through DTR/RTS, so the chip starts its ROM bootloader. The
 * sequence is derived from the board's wiring (`target.wiring`) or given explicitly.
 *
 * @module
 */

import { enterBootloaderSequence } from "../../transport/board_wiring.ts";
import { bootSequenceStep } from "./boot_sequence.ts";

/** The `enter-boot` step. */
export const enterBootStep = bootSequenceStep({
  name: "enter-boot",
  summary: "start the ROM bootloader: BOOT0 high and NRST pulsed through DTR/RTS (from target.wiring or a sequence)",
  usage:
    "enter-boot: {} | { reset-pulse: 50ms, startup: 100ms } | { sequence: [ { dtr: true }, { delay: 50ms }, ... ] }",
  derive: enterBootloaderSequence,
  starts: "bootloader",
});
