/**
 * A simulated board for `--simulate` and tests: a {@linkcode SimulatedChip} running its USART bootloader at the
 * far end of an in-memory pipe. The host gets the near end as its serial link.
 *
 * @module
 */

import type { LineStates, ModemControl } from "../transport/byte_stream.ts";
import type { BoardWiring } from "../transport/board_wiring.ts";
import { createMemoryPipe, type MemoryPipeEnd } from "../transport/memory_pipe.ts";
import { BoardPins } from "./board_pins.ts";
import { simulatedPart } from "./parts.ts";
import { SimulatedChip, type SimulatedChipOptions } from "./sim_chip.ts";
import { UsartBootloaderDevice, type UsartDeviceOptions } from "./usart_device.ts";

/** Options of {@linkcode startSimulatedBoard}. */
export interface SimulatedBoardOptions extends SimulatedChipOptions, UsartDeviceOptions {
  /**
   * How DTR/RTS reach NRST and BOOT0. Without wiring the lines go nowhere and the chip sits in its bootloader
   * (BOOT0 jumpered high at power-up); with wiring it boots as the pins decide.
   */
  wiring?: BoardWiring;
}

/** The host's end of a simulated board's serial link: bytes, and the modem lines as the board wires them. */
export interface SimulatedSerialLink extends MemoryPipeEnd, ModemControl {}

/** A running simulated board. */
export interface SimulatedBoard {
  /** The host's end of the serial link. */
  link: SimulatedSerialLink;
  /** The NRST/BOOT0 pins, when the board is wired. */
  pins?: BoardPins;
  /** Why the bootloader is or is not answering, for error messages. */
  explain(): string;
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
  const pins = options.wiring
    ? new BoardPins(options.wiring, {
      onReset: () => device.hold(),
      onStart: (boot0High) => (boot0High ? device.restart() : device.runApplication()),
    })
    : undefined;
  if (pins && pins.state !== "bootloader") device.runApplication();
  const link = Object.assign(host, {
    setLines(lines: LineStates): Promise<void> {
      pins?.setLines(lines);
      return Promise.resolve();
    },
  });
  const served = device.serve();
  return {
    link,
    chip,
    device,
    pins,
    explain: () => pins?.explain() ?? `the simulated chip's bootloader is ${device.state}`,
    async close() {
      await host.close();
      await served;
    },
  };
}
