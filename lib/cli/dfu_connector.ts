/**
 * The board of a `transport: dfu` recipe: a chip in its USB DfuSe bootloader, reached through libusb
 * (`--usb VID:PID`, the recipe's `target.usb`, default 0483:df11), or in-process with `--simulate CHIP`
 * ({@linkcode SimulatedDfuBoard}: the DfuSe simulator on an in-memory USB cable, and its application's CDC
 * port on an in-memory pipe).
 *
 * DFU has no serial lines, so `link()` is an error; `openSerialPort` opens the application's CDC port for
 * `jump-to-system-memory`, and `waitUsb` watches the bus for `wait-usb`.
 *
 * The DFU protocol, libusb and the simulator are imported when a connector first needs them, not with this module:
 * `run` and the one-shot commands import it for every board, and a serial-port run never uses them.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import type { ConnectRequest, SerialPortRequest } from "../recipe/step.ts";
import type { SimulatedDfuBoard } from "../sim/dfu_board.ts";
import type { FaultSpec } from "../sim/faults.ts";
import { DFUSE_PART_NAMES, type DfusePartName, simulatedDfuName } from "../sim/part_names.ts";
import type { Target } from "../target/target.ts";
import type { ByteStream } from "../transport/byte_stream.ts";
import { listSerialPorts, selectSerialPort } from "../transport/serial/list_ports.ts";
import { openSerialPort } from "../transport/serial/serial_port.ts";
import type { UsbControlDevice, UsbSetup } from "../transport/usb/control.ts";
import type { Connector } from "./connector.ts";

export { isSimulatedDfu } from "../sim/part_names.ts";

/** The DFU bootloader's USB identity when nothing else is said (AN2606: ST DFU 0483:df11). */
export const DEFAULT_DFU_SELECTOR = "0483:df11";

/** How long a DFU device may take to come back after an option-byte write or read-unprotect reset. */
const RECONNECT_MS = 5000;

/**
 * Longest poll wait in simulation. The simulated flash finishes at once, so the host need not sit out the 35 s
 * it allows a real F405 mass erase (which reports bwPollTimeout 100 ms, see DfuseDevice.massErase); a device
 * still busy after a shorter wait is simply polled again (DFU 1.1 §6.1.2).
 */
const SIMULATED_MAX_POLL_MS = 200;

/** Where a DFU board is. */
export interface DfuChoice {
  /** `--simulate CHIP`. */
  simulate?: string;
  /** `--usb` or the recipe's `target.usb`. */
  usb?: string;
  /** The part the recipe names (identifies the chip: DfuSe reports no product ID). */
  part?: string;
  /** A serial port given anyway (`--port`, `target.port`): not used over DFU, which is worth a warning. */
  port?: string;
  /** 96-bit unique device ID of the simulated chip (12 bytes). */
  uniqueId?: Uint8Array;
  /**
   * With `simulate`: the simulated board to use instead of a fresh one, so that its flash (and the faults armed on
   * it) carry over from one run to the next, as a real board on the bench does (fault-matrix tests).
   */
  board?: SimulatedDfuBoard;
  /**
   * With `simulate`: how the host waits out a bwPollTimeout (default: real time, at most 200 ms). The simulated
   * flash is done at once, so tests that run many operations pass an immediate one.
   */
  pollSleep?: (ms: number) => Promise<void>;
  /** With `simulate`: the timeout of each control transfer, ms (default 5000, as over libusb). */
  timeoutMs?: number;
  /** With `simulate`: faults the simulated DfuSe chip commits (`--fault SPEC`, lib/sim/dfuse/faults.ts). */
  faults?: readonly FaultSpec[];
  /** Notices for the user. */
  warn(message: string): void;
}

/** Names of the chips `--simulate` accepts for DFU recipes. */
export function simulatedDfuNames(): readonly string[] {
  return DFUSE_PART_NAMES;
}

/** A DFU connector; `simulation` is set with `--simulate`, once the board has been used. */
export interface DfuConnector extends Connector {
  /** The in-process simulated board, when simulating (started by the first `connect`, `openSerialPort` or `waitUsb`). */
  readonly simulation?: SimulatedDfuBoard;
}

/** Returns the connector of a DFU recipe. An unknown `--simulate` chip is an `InputError`. */
export function createDfuConnector(choice: DfuChoice): DfuConnector {
  if (choice.port !== undefined) {
    choice.warn(
      `the serial port ${choice.port} is not used: the recipe's transport is dfu (choose the device with --usb)`,
    );
  }
  if (choice.simulate === undefined) return usbConnector(choice);
  const simulated = simulatedDfuName(choice.simulate);
  if (simulated === undefined) {
    throw new InputError("E_USAGE", `no simulated DFU bootloader for '${choice.simulate}'`, {
      hint: `DFU recipes simulate: ${DFUSE_PART_NAMES.join(", ")}`,
    });
  }
  return simulatedConnector(choice, simulated);
}

/**
 * The command that removes read protection from the device `usb` selects (simulated: the same simulated part), as
 * `E_READ_PROTECTED` names it; the same spelling as the one-shots' own advice (lib/cli/one_shot.ts `commandLineFor`).
 */
export function unlockCommand(usb: string, simulate?: string): string {
  return `flashrecipe unprotect read --usb ${usb}${simulate === undefined ? "" : ` --simulate ${simulate}`}`;
}

function noLink(): Promise<never> {
  return Promise.reject(
    new InputError("E_RECIPE", "a DFU target has no serial lines to drive (DTR/RTS)", {
      hint: "enter-boot, leave-boot and reset need transport: usart; over USB use jump-to-system-memory or jump",
    }),
  );
}

/**
 * libusb reports a device that left the bus as `E_USB_GONE`; the DfuSe host recognises disconnects by
 * `E_USB_NO_DEVICE` (so it can name the last block completed). This wrapper translates.
 */
async function disconnectAware(device: UsbControlDevice): Promise<UsbControlDevice> {
  const { UsbDisconnectedError } = await import("../protocol/dfu/errors.ts");
  const translate = (what: string) => (error: unknown): never => {
    if (error instanceof Error && (error as { code?: string }).code === "E_USB_GONE") {
      throw new UsbDisconnectedError(what, { cause: error });
    }
    throw error;
  };
  const name = (setup: UsbSetup) =>
    `control transfer ${setup.bmRequestType.toString(16)}/${setup.bRequest.toString(16)}`;
  return {
    controlIn: (setup, timeoutMs) => device.controlIn(setup, timeoutMs).catch(translate(name(setup))),
    controlOut: (setup, data, timeoutMs) => device.controlOut(setup, data, timeoutMs).catch(translate(name(setup))),
    claimInterface: (n) => device.claimInterface(n).catch(translate(`claiming interface ${n}`)),
    setAlternateSetting: (n, alt) =>
      device.setAlternateSetting(n, alt).catch(translate(`selecting alternate setting ${alt}`)),
    getStringDescriptor: (index) => device.getStringDescriptor(index).catch(translate(`reading string ${index}`)),
    close: () => device.close(),
  };
}

async function openSerial(request: SerialPortRequest): Promise<ByteStream> {
  let path = request.path;
  if (path === undefined) {
    const port = selectSerialPort(await listSerialPorts(), {
      vid: request.vid,
      pid: request.pid,
      serial: request.serial,
    });
    path = port.path;
  }
  // A CDC ACM port ignores the line coding; 8N1 is what applications expect.
  return await openSerialPort(path, { baudRate: request.baud, parity: "none" });
}

function usbConnector(choice: DfuChoice): DfuConnector {
  const defaultSelector = choice.usb ?? DEFAULT_DFU_SELECTOR;
  return {
    link: noLink,
    async connect(request: ConnectRequest): Promise<Target> {
      const { parseUsbSelector } = await import("../transport/usb/selector.ts");
      const { openUsbDevice, waitForDevice } = await import("../transport/usb/libusb.ts");
      const { DfuTarget } = await import("../target/dfu_target.ts");
      const selector = parseUsbSelector(request.usb ?? defaultSelector);
      if (request.waitMs !== undefined) await waitForDevice(selector, { timeoutMs: request.waitMs });
      const open = async () => await disconnectAware(await openUsbDevice(selector));
      return await DfuTarget.open(await open(), {
        part: choice.part,
        unlockCommand: unlockCommand(request.usb ?? defaultSelector),
        reconnect: async () => {
          await waitForDevice(selector, { timeoutMs: RECONNECT_MS });
          return await open();
        },
      });
    },
    openSerialPort: openSerial,
    async waitUsb(text, present, timeoutMs) {
      const { describeSelector, parseUsbSelector } = await import("../transport/usb/selector.ts");
      const { describeDevice, waitForDevice, waitForDeviceGone } = await import("../transport/usb/libusb.ts");
      const selector = parseUsbSelector(text);
      if (present) return describeDevice(await waitForDevice(selector, { timeoutMs }));
      await waitForDeviceGone(selector, { timeoutMs });
      return `${describeSelector(selector)} is gone`;
    },
    close: () => Promise.resolve(),
  };
}

/** Simulated boards lent to the simulated DFU connectors of their part (see {@linkcode lendSimulatedDfuBoard}). */
const LENT_BOARDS = new Map<string, SimulatedDfuBoard>();

/**
 * Lends `board` to every simulated DFU connector of its part made until the returned function is called, in place of
 * a fresh board: an in-process test runs CLI commands (`write --simulate`, `run`) against a board in a state it set
 * up (read protection on, a flash image). The board stays the lender's to stop.
 */
export function lendSimulatedDfuBoard(board: SimulatedDfuBoard): () => void {
  const part = board.dfu.profile.part;
  LENT_BOARDS.set(part, board);
  return () => {
    if (LENT_BOARDS.get(part) === board) LENT_BOARDS.delete(part);
  };
}

function simulatedConnector(choice: DfuChoice, chip: DfusePartName): DfuConnector {
  let board: SimulatedDfuBoard | undefined;
  let starting: Promise<SimulatedDfuBoard> | undefined;
  const lent = choice.board ?? LENT_BOARDS.get(chip);
  const start = () =>
    starting ??= lent ? Promise.resolve(board = lent) : import("../sim/dfu_board.ts").then((
      { SimulatedDfuBoard },
    ) => {
      board = new SimulatedDfuBoard(chip, { uid: choice.uniqueId });
      if (choice.faults?.length) board.dfu.injectFaults(choice.faults);
      return board;
    });
  const defaultSelector = choice.usb ?? DEFAULT_DFU_SELECTOR;
  return {
    get simulation() {
      return board;
    },
    link: noLink,
    async connect(request: ConnectRequest): Promise<Target> {
      const simulated = await start();
      const { parseUsbSelector } = await import("../transport/usb/selector.ts");
      const { DfuTarget } = await import("../target/dfu_target.ts");
      const selector = parseUsbSelector(request.usb ?? defaultSelector);
      if (request.waitMs !== undefined) await simulated.waitFor(selector, true, request.waitMs);
      return await DfuTarget.open(simulated.openDfu(selector), {
        part: choice.part,
        unlockCommand: unlockCommand(request.usb ?? defaultSelector, choice.simulate),
        timeoutMs: choice.timeoutMs,
        sleep: choice.pollSleep ??
          ((ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, SIMULATED_MAX_POLL_MS)))),
        reconnect: async () => {
          await simulated.waitFor(selector, true, RECONNECT_MS);
          return simulated.openDfu(selector);
        },
      });
    },
    async openSerialPort(request: SerialPortRequest): Promise<ByteStream> {
      if (request.path !== undefined) {
        choice.warn(`simulation: the CDC port '${request.path}' is the simulated application's in-memory port`);
      }
      return (await start()).openCdc();
    },
    async waitUsb(text, present, timeoutMs) {
      const simulated = await start();
      const { describeSelector, parseUsbSelector } = await import("../transport/usb/selector.ts");
      const selector = parseUsbSelector(text);
      const found = await simulated.waitFor(selector, present, timeoutMs);
      return found ? `${found.portPath} ${text}` : `${describeSelector(selector)} is gone`;
    },
    async close() {
      // A board still starting is waited for so that it is stopped too; a start that failed told its caller. A board
      // lent by the caller stays theirs to stop.
      await Promise.allSettled([starting]);
      if (board !== lent) await board?.close();
    },
  };
}
