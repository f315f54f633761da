/**
 * Builds the `connect` function a recipe run or a one-shot command uses: a simulated board for `--simulate`, or
 * a serial port named by `--port` / the recipe's `target.port`, or found by USB identity (`target.match`).
 *
 * @module
 */

import { InputError } from "../errors.ts";
import type { ConnectRequest } from "../recipe/step.ts";
import { type SimulatedBoard, startSimulatedBoard } from "../sim/simulated_board.ts";
import { simulatedPart } from "../sim/parts.ts";
import type { Target } from "../target/target.ts";
import { connectUsart } from "../target/usart_target.ts";
import {
  listSerialPorts,
  selectSerialPort,
  type SerialPortInfo,
  type SerialPortMatch,
} from "../transport/serial/list_ports.ts";
import { openSerialPort } from "../transport/serial/serial_port.ts";

/** USB identity of the adapter to use (the recipe's `target.match`). */
export interface UsbMatch {
  /** USB vendor ID. */
  vid?: number;
  /** USB product ID. */
  pid?: number;
  /** USB serial number string. */
  serial?: string;
}

/** Where the board is. */
export interface LinkChoice {
  /** Simulated part name (`--simulate`). */
  simulate?: string;
  /** Serial port path (`--port` or the recipe's `target.port`). */
  port?: string;
  /** Pick the port by USB identity; with `port` too, both must agree. */
  match?: UsbMatch;
  /** Notices for the user (printed as warning lines). */
  warn(message: string): void;
  /** Lists the serial ports present; defaults to {@linkcode listSerialPorts} (tests pass a fixed list). */
  listPorts?: () => Promise<SerialPortInfo[]>;
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
        board = startSimulatedBoard(part.part.part, { baudRate: request.baud });
        return await connectUsart(board.link, { syncAttempts: request.retries, warn: choice.warn });
      },
      async close() {
        await board?.close();
      },
    };
  }
  return {
    async connect(request) {
      const path = await resolvePortPath(choice);
      // AN3155 §2: 8 data bits, even parity, 1 stop bit (the default of openSerialPort).
      const port = await openSerialPort(path, { baudRate: request.baud });
      // e.g. "parity cannot be carried on a pseudo-terminal": the user should know the link differs from 8E1.
      for (const notice of port.notices) choice.warn(`${path}: ${notice}`);
      try {
        return await connectUsart(port, { syncAttempts: request.retries, warn: choice.warn });
      } catch (error) {
        await port.close();
        throw error;
      }
    },
    close: () => Promise.resolve(),
  };
}

/** The port path: `port` as given, or the one port whose USB identity matches `match`. */
async function resolvePortPath(choice: LinkChoice): Promise<string> {
  const match = choice.match;
  const byUsb = match !== undefined &&
    (match.vid !== undefined || match.pid !== undefined || match.serial !== undefined);
  if (!byUsb) {
    if (!choice.port) {
      throw new InputError("E_USAGE", "no serial port given", {
        hint: "pass --port PATH (see `flashrecipe ports`), set target.port or target.match in the recipe, " +
          "or use --simulate CHIP",
      });
    }
    return choice.port;
  }
  const wanted: SerialPortMatch = { path: choice.port, vid: match.vid, pid: match.pid, serial: match.serial };
  const ports = await (choice.listPorts ?? listSerialPorts)();
  return selectSerialPort(ports, wanted).path;
}
