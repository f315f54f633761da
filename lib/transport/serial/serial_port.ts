/**
 * The serial port interface shared by the POSIX and Windows implementations, and {@linkcode openSerialPort},
 * which picks the implementation for the running OS.
 *
 * @module
 */

import type { ByteStream, ModemControl } from "../byte_stream.ts";
import type { SerialSettings } from "./settings.ts";

/** States of the modem lines as the port reports them. */
export interface ModemLineStatus {
  /** Data Terminal Ready (output), asserted. */
  dtr: boolean;
  /** Request To Send (output), asserted. */
  rts: boolean;
  /** Clear To Send (input). */
  cts: boolean;
  /** Data Set Ready (input). */
  dsr: boolean;
  /** Data Carrier Detect (input). */
  dcd: boolean;
  /** Ring Indicator (input). */
  ri: boolean;
}

/** An open serial port: a byte stream with modem-line control. */
export interface SerialPort extends ByteStream, ModemControl {
  /** The path it was opened with. */
  readonly path: string;
  /** The settings in effect, as read back from the driver after applying them. */
  readonly settings: Readonly<SerialSettings>;
  /** Things the user may want to know that are not errors (e.g. parity dropped on a pseudo-terminal). */
  readonly notices: readonly string[];
  /** True for a pseudo-terminal (the simulator's end), which cannot carry parity or drive modem lines. */
  readonly isPseudoTerminal: boolean;
  /** True once {@linkcode ByteStream.close} has run. */
  readonly closed: boolean;
  /** Waits until everything written has left the driver's output queue. */
  drain(): Promise<void>;
  /** Reads the modem lines; rejects with `E_NO_MODEM_LINES` where the port has none. */
  getLines(): Promise<ModemLineStatus>;
}

/**
 * Opens a serial port for exclusive use in raw mode with the given settings (missing fields default to
 * 115200 8E1): a device path such as `/dev/ttyUSB0` on Linux and macOS, `COM3` on Windows.
 *
 * Rejects with a `DeviceError` whose code says what is wrong: `E_PORT_MISSING`, `E_PORT_BUSY`,
 * `E_PORT_NOT_TTY`, `E_PORT_PERMISSION` or `E_PORT_SETTINGS`; with an `InputError` `E_SERIAL_SETTINGS`
 * for impossible settings.
 */
export async function openSerialPort(path: string, settings: Partial<SerialSettings> = {}): Promise<SerialPort> {
  // Each implementation is imported only on the OS it runs on, so start-up does not load the other one.
  if (Deno.build.os === "windows") {
    const { openWindowsSerialPort } = await import("./windows_port.ts");
    return await openWindowsSerialPort(path, settings);
  }
  const { openPosixSerialPort } = await import("./posix_port.ts");
  return await openPosixSerialPort(path, settings);
}
