/**
 * `leave-boot`: BOOT0 low and a pulse on NRST, so the chip starts the application from flash.
 *
 * @module
 */

import { runApplicationSequence } from "../../transport/board_wiring.ts";
import { bootSequenceStep } from "./boot_sequence.ts";

/** The `leave-boot` step. */
export const leaveBootStep = bootSequenceStep({
  name: "leave-boot",
  summary: "run the application: BOOT0 low and NRST pulsed through DTR/RTS",
  usage: "leave-boot: {} | { sequence: [ ... ] }",
  derive: runApplicationSequence,
  starts: "application",
});
