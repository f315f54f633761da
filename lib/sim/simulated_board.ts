/**
 * A simulated board for `--simulate` and tests: a {@linkcode SimulatedChip} running its USART bootloader at the
 * far end of an in-memory pipe. The host gets the near end as its serial link.
 *
 * @module
 */

import { createMemoryPipe, type MemoryPipeEnd } from "../transport/memory_pipe.ts";
import { simulatedPart } from "./parts.ts";
import { SimulatedChip, type SimulatedChipOptions } from "./sim_chip.ts";
import { UsartBootloaderDevice, type UsartDeviceOptions } from "./usart_device.ts";

/** Options of {@linkcode startSimulatedBoard}. */
export interface SimulatedBoardOptions extends SimulatedChipOptions, UsartDeviceOptions {}

/** A running simulated board. */
export interface SimulatedBoard {
  /** The host's end of the serial link. */
  link: MemoryPipeEnd;
  /** The chip, for inspection by tests. */
  chip: SimulatedChip;
  /** The bootloader serving the link. */
  device: UsartBootloaderDevice;
  /** Stops the board and waits for its bootloader to finish. */
  close(): Promise<void>;
}

/** Powers up a simulated `partName` (e.g. `stm32f103c8`) with its bootloader waiting for a sync. */
export function startSimulatedBoard(partName: string, options: SimulatedBoardOptions = {}): SimulatedBoard {
  const chip = new SimulatedChip(simulatedPart(partName), options);
  const [host, deviceEnd] = createMemoryPipe();
  const device = new UsartBootloaderDevice(chip, deviceEnd, options);
  const served = device.serve();
  return {
    link: host,
    chip,
    device,
    async close() {
      await host.close();
      await served;
    },
  };
}
