/**
 * Where a station's next board comes from: a fresh simulated chip each time, a serial port that appears when a
 * board is plugged in (polled with `Deno.stat`), or the technician pressing Enter (`--manual`).
 *
 * @module
 */

import { type Connector, createConnector } from "../connector.ts";
import type { BoardWiring } from "../../transport/board_wiring.ts";
import { listUsbDevices } from "../../transport/usb/libusb.ts";
import { matchesSelector, parseUsbSelector } from "../../transport/usb/selector.ts";
import { sleep, unlessAborted } from "./abortable.ts";

/** A supply of boards. */
export interface BoardSource {
  /** What the station waits on, for messages: `simulated stm32f103c8`, `/dev/ttyUSB0`. */
  readonly description: string;
  /**
   * Waits for the next board and returns the connector that reaches it; `undefined` when `signal` aborts (Ctrl-C)
   * or the input ends.
   */
  next(signal: AbortSignal): Promise<Connector | undefined>;
}

/** Options of {@linkcode simulatedBoards}. */
export interface SimulatedBoardsOptions {
  /** Makes each board's 96-bit unique ID (12 bytes); random by default, so every board is a different chip. */
  uniqueId?: () => Uint8Array;
  /** How each simulated board is wired (the recipe's `target.wiring`). */
  wiring?: BoardWiring;
  /** The recipe's transport and part: DFU recipes get a fresh DfuSe simulator per board. */
  transport?: "usart" | "dfu";
  /** The part the recipe names. */
  part?: string;
  /** Notices from the connection (e.g. retries). */
  warn(message: string): void;
}

/** A fresh simulated `chip` for every board, each with its own unique ID. */
export function simulatedBoards(chip: string, options: SimulatedBoardsOptions): BoardSource {
  const uniqueId = options.uniqueId ?? (() => crypto.getRandomValues(new Uint8Array(12)));
  // Fails now, before the first board, when the chip is unknown.
  createConnector({ simulate: chip, transport: options.transport, part: options.part, warn: options.warn });
  return {
    description: `simulated ${chip}`,
    next: (signal) =>
      Promise.resolve(
        signal.aborted ? undefined : createConnector({
          simulate: chip,
          uniqueId: uniqueId(),
          wiring: options.wiring,
          transport: options.transport,
          part: options.part,
          warn: options.warn,
        }),
      ),
  };
}

/** Options of {@linkcode portBoards}. */
export interface PortBoardsOptions {
  /** Polling period, ms (default 250). */
  pollMs?: number;
  /** Wait after the port appears before using it (udev sets permissions), ms (default 500). */
  settleMs?: number;
  /** Whether a path exists; `Deno.stat` by default. */
  exists?: (path: string) => Promise<boolean>;
  /** Opens the link to a board on `path`. */
  connect(path: string): Connector;
  /** Tells the technician what the station waits for. */
  notify(message: string): void;
}

/** Whether `path` exists (`Deno.stat`); errors other than "not found" (e.g. permission) are thrown. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Boards that bring their own serial port (a USB-serial chip on the board, or the adapter moved with it): the first
 * board is used as soon as the port is there; every later one once the port has gone away and come back.
 */
export function portBoards(path: string, options: PortBoardsOptions): BoardSource {
  const exists = options.exists ?? pathExists;
  const pollMs = options.pollMs ?? 250;
  const settleMs = options.settleMs ?? 500;
  let first = true;
  const waitFor = async (present: boolean, signal: AbortSignal): Promise<boolean> => {
    while (await exists(path) !== present) {
      if (!await sleep(pollMs, signal)) return false;
    }
    return true;
  };
  return {
    description: path,
    async next(signal) {
      if (!first && await exists(path)) {
        options.notify(
          `remove the board (waiting for ${path} to go away; if the adapter stays plugged in, ` +
            "stop with Ctrl-C and use --manual: Enter for each board)",
        );
        if (!await waitFor(false, signal)) return undefined;
      }
      first = false;
      if (!await exists(path)) {
        options.notify(`connect the next board (waiting for ${path})`);
        if (!await waitFor(true, signal)) return undefined;
        if (!await sleep(settleMs, signal)) return undefined;
      }
      return signal.aborted ? undefined : options.connect(path);
    },
  };
}

/** Reads one line typed by the technician; `undefined` at the end of input or when `signal` aborts. */
export type LineReader = (signal: AbortSignal) => Promise<string | undefined>;

/** Wraps `source` so each board also waits for Enter (`--manual`): for fixtures where the port never goes away. */
export function manualBoards(
  source: BoardSource,
  readLine: LineReader,
  prompt: (message: string) => void,
): BoardSource {
  return {
    description: `${source.description}, Enter for each board`,
    async next(signal) {
      prompt("put the next board on the fixture and press Enter (Ctrl-C to stop)");
      const line = await readLine(signal);
      if (line === undefined) return undefined;
      return await source.next(signal);
    },
  };
}

/** A {@linkcode LineReader} on standard input. */
export function stdinLines(): LineReader {
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let pending: Promise<ReadableStreamReadResult<string>> | undefined;
  let ended = false;
  return async (signal) => {
    while (!buffer.includes("\n")) {
      if (ended) return undefined;
      // A read cut short by Ctrl-C is kept for the next call, so no typed text is lost.
      pending ??= reader.read();
      const chunk = await unlessAborted(pending, signal);
      if (chunk === undefined) return undefined;
      pending = undefined;
      if (chunk.done) ended = true;
      else buffer += chunk.value;
    }
    const at = buffer.indexOf("\n");
    const line = buffer.slice(0, at).replace(/\r$/, "");
    buffer = buffer.slice(at + 1);
    return line;
  };
}

/** True while a USB device matching `selector` is attached (one libusb enumeration, no strings). */
export async function usbDevicePresent(selector: string): Promise<boolean> {
  const wanted = parseUsbSelector(selector);
  return (await listUsbDevices({ strings: wanted.serialNumber !== undefined })).some((d) => matchesSelector(d, wanted));
}
