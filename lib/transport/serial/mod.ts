/**
 * Serial ports and pseudo-terminals through `Deno.dlopen` (libc on Linux/macOS, kernel32 on Windows):
 *
 * - {@linkcode openSerialPort}: a real port (or a pty slave) as a `ByteStream` with modem lines.
 * - {@linkcode openPseudoTerminal}: a pty pair for the simulator, which serves a chip on the master end.
 * - {@linkcode listSerialPorts}, {@linkcode selectSerialPort}, {@linkcode formatPortList}: the `ports`
 *   subcommand and `--port` selection.
 *
 * @module
 */

export { type ModemLineStatus, openSerialPort, type SerialPort } from "./serial_port.ts";
export {
  DEFAULT_SERIAL_SETTINGS,
  formatSerialSettings,
  resolveSerialSettings,
  type SerialSettings,
} from "./settings.ts";
export { openPseudoTerminal, type PseudoTerminal, type PseudoTerminalOptions, type PtyMaster } from "./pty.ts";
export type { TermiosSummary } from "./termios.ts";
export {
  formatPortList,
  formatUsbId,
  listSerialPorts,
  selectSerialPort,
  type SerialPortInfo,
  type SerialPortMatch,
} from "./list_ports.ts";
