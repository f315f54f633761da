/**
 * A simulated chip's USART bootloader served in this process on a pseudo-terminal, as `flashrecipe sim usart`
 * does: the host side opens the pty's path like any serial port.
 *
 * @module
 */

import { simulatedPart } from "../../lib/sim/parts.ts";
import { PtyDeviceLink } from "../../lib/sim/pty_link.ts";
import { SimulatedChip } from "../../lib/sim/sim_chip.ts";
import { UsartBootloaderDevice, type UsartFaults } from "../../lib/sim/usart_device.ts";
import { openPseudoTerminal, type PseudoTerminal } from "../../lib/transport/serial/pty.ts";

/** What is served, and how. */
export interface PtyChipOptions {
  /** The chip; a fresh STM32F103C8 by default. */
  chip?: SimulatedChip;
  /** Faults the bootloader commits. */
  faults?: UsartFaults;
}

/** A chip being served on a pseudo-terminal. */
export interface ServedPtyChip {
  /** The pseudo-terminal (its `path` is the host's serial port). */
  pty: PseudoTerminal;
  /** The chip. */
  chip: SimulatedChip;
  /** Bytes the link dropped because the host's settings could not carry them (e.g. parity on a pty). */
  dropped(): number;
  /** Closes the link and the pseudo-terminal (which wakes the serving loop), then waits for the loop. */
  stop(): Promise<void>;
}

/** Starts serving a chip on `pty`; bytes already waiting on the master are its first input. */
export function servePtyChip(pty: PseudoTerminal, options: PtyChipOptions = {}): ServedPtyChip {
  let dropped = 0;
  const link = new PtyDeviceLink(pty, { onDrop: (count) => (dropped += count) });
  const chip = options.chip ?? new SimulatedChip(simulatedPart("stm32f103c8"));
  const served = new UsartBootloaderDevice(chip, link, { faults: options.faults }).serve();
  return {
    pty,
    chip,
    dropped: () => dropped,
    async stop() {
      await link.close();
      await pty.close();
      await served;
    },
  };
}

/** Runs `body` with a chip served on a fresh pseudo-terminal, stopped afterwards whatever happens. */
export async function withPtyChip(
  options: PtyChipOptions,
  body: (served: ServedPtyChip) => Promise<void>,
): Promise<void> {
  const served = servePtyChip(openPseudoTerminal(), options);
  try {
    await body(served);
  } finally {
    await served.stop();
  }
}
