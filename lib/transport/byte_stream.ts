/**
 * The byte-stream interface that the USART bootloader protocol talks to. Serial ports, pseudo-terminals and
 * in-memory pipes (tests, `--simulate`) all implement it, so the protocol never knows which one it has.
 *
 * @module
 */

import { DeviceError } from "../errors.ts";

/** A bidirectional stream of bytes with timed reads. */
export interface ByteStream {
  /** Writes all of `data`; resolves once it is handed to the link. */
  write(data: Uint8Array): Promise<void>;
  /**
   * Reads exactly `length` bytes. Rejects with {@linkcode ReadTimeoutError} when they have not all arrived
   * within `timeoutMs`; bytes received before the timeout stay buffered for the next read.
   */
  read(length: number, timeoutMs: number): Promise<Uint8Array>;
  /** Drops any bytes received but not yet read (e.g. garbage before a sync). */
  discardInput(): Promise<void>;
  /** Releases the link. Further calls reject. */
  close(): Promise<void>;
}

/** The states of the modem-control lines a host can drive; an omitted line keeps its state. */
export interface LineStates {
  /** Data Terminal Ready: `true` = asserted, which drives the adapter's DTR pin low. */
  dtr?: boolean;
  /** Request To Send: `true` = asserted, which drives the adapter's RTS pin low. */
  rts?: boolean;
  /** BREAK: `true` holds TX in the spacing (low) state. */
  brk?: boolean;
}

/** A link whose modem-control lines can be driven (real serial ports and the simulated board). */
export interface ModemControl {
  /** Sets the given lines; rejects with a {@linkcode DeviceError} when the port cannot drive them. */
  setLines(lines: LineStates): Promise<void>;
}

/** A byte stream that may also drive modem-control lines. */
export type SerialLink = ByteStream & Partial<ModemControl>;

/** Raised by {@linkcode ByteStream.read} when the requested bytes do not arrive in time. */
export class ReadTimeoutError extends DeviceError {
  /** Bytes that did arrive before the timeout. */
  readonly received: number;
  constructor(wanted: number, received: number, timeoutMs: number) {
    super("E_TIMEOUT", `timed out after ${timeoutMs} ms waiting for ${wanted} byte(s), got ${received}`);
    this.received = received;
  }
}

/** Raised when a stream is used after {@linkcode ByteStream.close}. */
export class StreamClosedError extends DeviceError {
  constructor(what = "link") {
    super("E_CLOSED", `the ${what} is closed`);
  }
}
