/**
 * The board a run talks to: a simulated board for `--simulate`, or a serial port. Opens the link once, lazily,
 * and connects to the bootloader on it.
 *
 * The simulator is imported when a simulated board is first opened, not with this module, so that a serial-port
 * run does not load it.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import { NoResponseError } from "../protocol/usart/errors.ts";
import type { BoardAccess, ConnectRequest } from "../recipe/step.ts";
import { withContactRecord } from "../recipe/board_contact.ts";
import { simulatedPartName } from "../sim/part_names.ts";
import type { SimulatedBoard } from "../sim/simulated_board.ts";
import type { FaultSpec } from "../sim/faults.ts";
import type { Target } from "../target/target.ts";
import { connectUsart } from "../target/usart_target.ts";
import type { BoardWiring } from "../transport/board_wiring.ts";
import type { SerialLink } from "../transport/byte_stream.ts";
import {
  listSerialPorts,
  selectSerialPort,
  type SerialPortInfo,
  type SerialPortMatch,
} from "../transport/serial/list_ports.ts";
import { openSerialPort } from "../transport/serial/serial_port.ts";
import { createDfuConnector } from "./dfu_connector.ts";
import { markDeviceContact } from "./device_contact.ts";

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
  /** 96-bit unique device ID of the simulated chip (12 bytes); the simulator's default otherwise. */
  uniqueId?: Uint8Array;
  /** Serial port path (`--port` or the recipe's `target.port`). */
  port?: string;
  /** How the simulated board is wired (the recipe's description of the real one). */
  wiring?: BoardWiring;
  /** Pick the port by USB identity; with `port` too, both must agree. */
  match?: UsbMatch;
  /** Notices for the user (printed as warning lines). */
  warn(message: string): void;
  /** Lists the serial ports present; defaults to {@linkcode listSerialPorts} (tests pass a fixed list). */
  listPorts?: () => Promise<SerialPortInfo[]>;
  /** The recipe's `target.transport` (default usart). */
  transport?: "usart" | "dfu";
  /** USB device selector for DFU (`--usb` or the recipe's `target.usb`). */
  usb?: string;
  /** The part the recipe names. */
  part?: string;
  /** Faults the simulated chip commits (`run --simulate CHIP --fault SPEC`, lib/sim/faults.ts). */
  faults?: readonly FaultSpec[];
}

/** A board reachable over a serial link. */
export interface Connector extends BoardAccess {
  /** Releases the link and stops the simulated board, if any. */
  close(): Promise<void>;
  /** The simulated board, when simulating and once it has been opened (for inspection by tests). */
  readonly board?: SimulatedBoard;
}

/** Checks the choice (an unknown `--simulate` chip is a usage error) and returns a connector. */
export function createConnector(choice: LinkChoice): Connector {
  const connector = choice.transport === "dfu"
    ? createDfuConnector(choice)
    : choice.simulate !== undefined
    ? simulatedConnector(choice, choice.simulate)
    : portConnector(choice);
  return withContactRecord(connector, markDeviceContact);
}

function simulatedConnector(choice: LinkChoice, name: string): Connector {
  // An unknown chip is a usage error now, before anything is opened; the simulator itself loads on first use.
  const part = simulatedPartName(name);
  let board: SimulatedBoard | undefined;
  let opening: Promise<SimulatedBoard> | undefined;
  const open = (baud: number) =>
    opening ??= import("../sim/simulated_board.ts").then(({ startSimulatedBoard }) =>
      board = startSimulatedBoard(part, {
        baudRate: baud,
        wiring: choice.wiring,
        uniqueId: choice.uniqueId,
        inject: choice.faults,
      })
    );
  return {
    get board() {
      return board;
    },
    link: async (baud) => (await open(baud)).link,
    async connect(request) {
      const simulated = await open(request.baud);
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
      // A board still opening is waited for so that it is stopped too; an open that failed told its caller.
      await Promise.allSettled([opening]);
      await board?.close();
    },
  };
}

function portConnector(choice: LinkChoice): Connector {
  let link: SerialLink | undefined;
  const open = async (baud: number): Promise<SerialLink> => {
    if (link) return link;
    const path = await resolvePortPath(choice);
    // AN3155 §2: 8 data bits, even parity, 1 stop bit (the default of openSerialPort).
    const port = await openSerialPort(path, { baudRate: baud });
    // e.g. "parity cannot be carried on a pseudo-terminal": the user should know the link differs from 8E1.
    for (const notice of port.notices) choice.warn(`${path}: ${notice}`);
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
