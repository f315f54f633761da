/**
 * Builds the `connect` function a recipe run uses: a simulated board for `--simulate`, or a serial port.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import type { ConnectRequest } from "../recipe/step.ts";
import { type SimulatedBoard, startSimulatedBoard } from "../sim/simulated_board.ts";
import { simulatedPart } from "../sim/parts.ts";
import type { Target } from "../target/target.ts";
import { connectUsart } from "../target/usart_target.ts";

/** Where the board is. */
export interface LinkChoice {
  /** Simulated part name (`--simulate`). */
  simulate?: string;
  /** 96-bit unique device ID of the simulated chip (12 bytes); the simulator's default otherwise. */
  uniqueId?: Uint8Array;
  /** Serial port path (`--port` or the recipe's `target.port`). */
  port?: string;
  /** Notices for the user. */
  warn(message: string): void;
}

/** Connects on demand and releases everything at the end. */
export interface Connector {
  /** Opens the link and connects to the bootloader. */
  connect(request: ConnectRequest): Promise<Target>;
  /** Stops the simulated board, if any. */
  close(): Promise<void>;
  /** The simulated board, when simulating (for inspection by tests). */
  readonly board?: SimulatedBoard;
}

/** Checks the choice (an unknown `--simulate` chip is a usage error) and returns a connector. */
export function createConnector(choice: LinkChoice): Connector {
  if (choice.simulate !== undefined) {
    const part = simulatedPart(choice.simulate);
    let board: SimulatedBoard | undefined;
    return {
      get board() {
        return board;
      },
      async connect(request) {
        await board?.close();
        board = startSimulatedBoard(part.part.part, { baudRate: request.baud, uniqueId: choice.uniqueId });
        return await connectUsart(board.link, { syncAttempts: request.retries, warn: choice.warn });
      },
      async close() {
        await board?.close();
      },
    };
  }
  return {
    connect(_request) {
      if (!choice.port) {
        throw new InputError("E_USAGE", "no serial port given", {
          hint: "pass --port PATH (see `flashrecipe ports`), set target.port in the recipe, or use --simulate CHIP",
        });
      }
      throw new InputError("E_USAGE", "serial ports are not available in this build yet", {
        hint: "use --simulate CHIP",
      });
    },
    close: () => Promise.resolve(),
  };
}
