/**
 * The board a run talks to: a simulated board for `--simulate`, or a serial port. Opens the link once, lazily,
 * and connects to the bootloader on it.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import { NoResponseError } from "../protocol/usart/errors.ts";
import type { BoardAccess, ConnectRequest } from "../recipe/step.ts";
import { simulatedPart } from "../sim/parts.ts";
import { type SimulatedBoard, startSimulatedBoard } from "../sim/simulated_board.ts";
import type { Target } from "../target/target.ts";
import { connectUsart } from "../target/usart_target.ts";
import type { BoardWiring } from "../transport/board_wiring.ts";
import type { SerialLink } from "../transport/byte_stream.ts";
import { openSerialPort } from "../transport/serial/serial_port.ts";
import { createDfuConnector } from "./dfu_connector.ts";

/** Where the board is. */
export interface LinkChoice {
  /** Simulated part name (`--simulate`). */
  simulate?: string;
  /** 96-bit unique device ID of the simulated chip (12 bytes); the simulator's default otherwise. */
  uniqueId?: Uint8Array;
  /** Serial port path (`--port` or the recipe's `target.port`). */
  port?: string;
  /** How the simulated board is wired (the recipe's description of the real one). */
  wiring?: BoardWiring;
  /** Notices for the user. */
  warn(message: string): void;
  /** The recipe's `target.transport` (default usart). */
  transport?: "usart" | "dfu";
  /** USB device selector for DFU (`--usb` or the recipe's `target.usb`). */
  usb?: string;
  /** The part the recipe names. */
  part?: string;
}

/** A board reachable over a serial link. */
export interface Connector extends BoardAccess {
  /** Releases the link and stops the simulated board, if any. */
  close(): Promise<void>;
  /** The simulated board, when simulating (for inspection by tests). */
  readonly board?: SimulatedBoard;
}

/** Checks the choice (an unknown `--simulate` chip is a usage error) and returns a connector. */
export function createConnector(choice: LinkChoice): Connector {
  if (choice.transport === "dfu") return createDfuConnector(choice);
  return choice.simulate !== undefined ? simulatedConnector(choice, choice.simulate) : portConnector(choice);
}

function simulatedConnector(choice: LinkChoice, name: string): Connector {
  const part = simulatedPart(name);
  let board: SimulatedBoard | undefined;
  const open = (baud: number) => {
    board ??= startSimulatedBoard(part.part.part, { baudRate: baud, wiring: choice.wiring, uniqueId: choice.uniqueId });
    return board;
  };
  return {
    get board() {
      return board;
    },
    link: (baud) => Promise.resolve(open(baud).link),
    async connect(request) {
      const simulated = open(request.baud);
      try {
        return await connectUsart(simulated.link, { syncAttempts: request.retries, warn: choice.warn });
      } catch (error) {
        // Say what the simulated board's pins did, as a scope on the bench would.
        if (error instanceof NoResponseError) {
          throw new NoResponseError(request.retries, ` (${simulated.explain()})`);
        }
        throw error;
      }
    },
    async close() {
      await board?.close();
    },
  };
}

function portConnector(choice: LinkChoice): Connector {
  let link: SerialLink | undefined;
  const open = async (baud: number): Promise<SerialLink> => {
    if (link) return link;
    if (!choice.port) {
      throw new InputError("E_USAGE", "no serial port given", {
        hint: "pass --port PATH (see `flashrecipe ports`), set target.port in the recipe, or use --simulate CHIP",
      });
    }
    const port = await openSerialPort(choice.port, { baudRate: baud });
    for (const notice of port.notices) choice.warn(notice);
    link = port;
    return port;
  };
  return {
    link: open,
    async connect(request: ConnectRequest): Promise<Target> {
      const opened = await open(request.baud);
      return await connectUsart(opened, { syncAttempts: request.retries, warn: choice.warn });
    },
    async close() {
      await link?.close();
    },
  };
}
