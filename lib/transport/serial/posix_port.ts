/**
 * Serial ports on Linux and macOS through libc via `Deno.dlopen`: exclusive open, raw mode with any framing
 * and baud rate, non-blocking reads and writes, modem lines, and restoring the port on close.
 *
 * @module
 */

import { DeviceError } from "../../errors.ts";
import type { LineStates } from "../byte_stream.ts";
import { StreamClosedError } from "../byte_stream.ts";
import { FdStream } from "./fd_stream.ts";
import { Libc } from "./libc.ts";
import {
  currentPosixPlatform,
  decodeRecordLock,
  encodeRecordLock,
  type PosixPlatform,
  serialOpenFlags,
} from "./posix_constants.ts";
import { describeHolders, findLockFileHolders, findOpenHolders, type PortHolder, programName } from "./port_holders.ts";
import {
  noModemLinesError,
  portBusyError,
  portIoError,
  portMissingError,
  portNotTtyError,
  portPermissionError,
  portSettingsError,
} from "./port_errors.ts";
import type { ModemLineStatus, SerialPort } from "./serial_port.ts";
import { formatSerialSettings, resolveSerialSettings, type SerialSettings } from "./settings.ts";
import { applySettings, baudEncoding, summarizeTermios, type Termios } from "./termios.ts";
import { getTermios, setTermios } from "./termios_io.ts";

/** Longest time a write may make no progress before it fails with `E_WRITE_TIMEOUT`. */
export const WRITE_STALL_TIMEOUT_MS = 3000;

/** A rate the driver may round to within this fraction counts as applied (UART dividers are not exact). */
const BAUD_TOLERANCE = 0.02;

/** Options of {@linkcode openPosixSerialPort}. */
export interface PosixSerialPortOptions {
  /** Ask the driver for low-latency mode (Linux ASYNC_LOW_LATENCY) where it offers it. Default true. */
  lowLatency?: boolean;
  /**
   * Look for other holders in /proc and for UUCP lock files before taking the port (Linux). Default true; tests
   * turn it off to see the locks taken after open act on their own.
   */
  holderScan?: boolean;
}

/** Names errno values for messages, e.g. `EBUSY`. */
function errnoName(platform: PosixPlatform, errno: number): string {
  for (const [name, value] of Object.entries(platform.errno)) if (value === errno) return name;
  return `errno ${errno}`;
}

/**
 * Opens `path` for exclusive use in raw mode with `settings` (missing fields default to 115200 8E1).
 * See {@linkcode SerialPort} for the error codes.
 */
export function openPosixSerialPort(
  path: string,
  settings: Partial<SerialSettings> = {},
  options: PosixSerialPortOptions = {},
): Promise<PosixSerialPort> {
  const cleanup: (() => void)[] = [];
  try {
    const requested = resolveSerialSettings(settings);
    const platform = currentPosixPlatform();
    if (!platform) {
      throw new DeviceError(
        "E_UNSUPPORTED_OS",
        `serial ports are not supported on ${Deno.build.os}/${Deno.build.arch}`,
      );
    }
    const libc = new Libc(platform);
    cleanup.push(() => libc.dispose());
    return Promise.resolve(openWithLibc(libc, path, requested, options, cleanup));
  } catch (error) {
    // Undo in reverse order: serial flags, termios, exclusive mode, descriptor, library.
    for (const step of cleanup.reverse()) step();
    return Promise.reject(error);
  }
}

function openWithLibc(
  libc: Libc,
  path: string,
  requested: SerialSettings,
  options: PosixSerialPortOptions,
  cleanup: (() => void)[],
): PosixSerialPort {
  const platform = libc.platform;
  const { errno: E } = platform;
  const name = errnoName.bind(null, platform);

  const opened = libc.open(path, serialOpenFlags(platform));
  if (opened.value === -1) {
    const errno = opened.errno;
    if ([E.ENOENT, E.ENXIO, E.ENODEV].includes(errno)) throw portMissingError(path);
    if ([E.EACCES, E.EPERM, E.EROFS].includes(errno)) throw portPermissionError(path);
    if (errno === E.EBUSY) throw portBusyError(path, "it is open in exclusive mode");
    if (errno === E.EISDIR) throw portNotTtyError(path);
    throw portIoError(path, "open", name(errno));
  }
  const fd = opened.value;
  cleanup.push(() => libc.close(fd));
  const original = getTermios(libc, fd);
  if ("errno" in original) {
    if (original.errno === E.ENOTTY || original.errno === E.EINVAL) throw portNotTtyError(path);
    throw portIoError(path, "reading the terminal settings", name(original.errno));
  }

  // Now that it is known to be a terminal, and before any setting changes: a process that has it open
  // (whatever it locks, and even when we are root, whom TIOCEXCL lets through) or a live UUCP lock file.
  // Linux only: the scan and the lock files' liveness check read /proc.
  if (Deno.build.os === "linux" && (options.holderScan ?? true)) {
    const holders = [...findOpenHolders(path), ...findLockFileHolders(path)];
    if (holders.length > 0) throw portBusyError(path, describeHolders(holders));
  }

  const notices: string[] = [];
  const locked = libc.flock(fd, platform.flock.LOCK_EX | platform.flock.LOCK_NB);
  if (locked.value === -1) {
    if (locked.errno === E.EAGAIN) throw portBusyError(path, "another program holds its flock() lock");
    notices.push(`could not lock ${path} (${name(locked.errno)}); other programs are not kept out`);
  }
  takeRecordLock(libc, fd, path, notices);
  // TIOCEXCL makes further open() calls fail with EBUSY (except for root); cleared again on close, since a
  // pseudo-terminal slave keeps the flag as long as its master lives.
  const exclusive = libc.ioctl(fd, platform.ioctl.TIOCEXCL, null);
  if (exclusive.value === -1) notices.push(`could not set exclusive mode (${name(exclusive.errno)})`);
  else cleanup.push(() => libc.ioctl(fd, platform.ioctl.TIOCNXCL, null));

  const isPseudoTerminal = detectPseudoTerminal(platform, path);

  const wanted = original.termios.clone();
  applySettings(wanted, platform, requested);
  cleanup.push(() => setTermios(libc, fd, original.termios));
  const applied = setTermios(libc, fd, wanted);
  if (applied.value === -1) {
    throw portSettingsError(path, `${formatSerialSettings(requested)} (${name(applied.errno)})`);
  }
  const customMacRate = platform.ioctl.IOSSIOSPEED !== 0 &&
    baudEncoding(platform, requested.baudRate).kind === "custom";
  if (customMacRate) {
    // macOS: a rate without a B-code is set after tcsetattr (IOKit/serial/ioss.h IOSSIOSPEED, speed_t arg).
    const speed = new Uint8Array(8);
    new DataView(speed.buffer).setBigUint64(0, BigInt(requested.baudRate), true);
    const set = libc.ioctl(fd, platform.ioctl.IOSSIOSPEED, speed);
    if (set.value === -1) throw portSettingsError(path, `${requested.baudRate} baud (${name(set.errno)})`);
  }

  const readBack = getTermios(libc, fd);
  if ("errno" in readBack) throw portIoError(path, "reading the terminal settings", name(readBack.errno));
  const effective = checkReadBack(path, requested, readBack.termios, platform, isPseudoTerminal, notices, {
    checkBaud: !customMacRate,
  });

  let restoreSerial: Uint8Array | undefined;
  if ((options.lowLatency ?? true) && !isPseudoTerminal && platform.serialStruct) {
    restoreSerial = enableLowLatency(libc, fd, platform, notices);
    if (restoreSerial) {
      const saved = restoreSerial;
      cleanup.push(() => libc.ioctl(fd, platform.ioctl.TIOCSSERIAL, saved));
    }
  }

  // Stale bytes from before we owned the port are not ours to read.
  const flushed = libc.tcflush(fd, platform.tcflush.TCIFLUSH);
  if (flushed.value === -1) notices.push(`could not discard stale input (${name(flushed.errno)})`);
  return new PosixSerialPort({
    libc,
    fd,
    path,
    settings: effective,
    notices,
    isPseudoTerminal,
    original: original.termios,
    restoreSerial,
    // The driver kept PARMRK: bytes with parity errors arrive marked (and 0xFF doubled) — decode them.
    parityMarked: (readBack.termios.iflag & platform.flags.PARMRK) !== 0,
  });
}

/**
 * Takes a write record lock over the whole device (fcntl; see RecordLockTable): refused while stm32flash (or any
 * program taking such a lock) has the port, and refusing it to them while we hold it. The holder is named from
 * the lock query where the kernel reports one.
 */
function takeRecordLock(libc: Libc, fd: number, path: string, notices: string[]): void {
  const { recordLock: table, errno: E } = libc.platform;
  const result = libc.fcntlLock(fd, table.setLock, encodeRecordLock(table, table.F_WRLCK));
  if (result.value !== -1) return;
  if (result.errno !== E.EAGAIN && result.errno !== E.EACCES) {
    notices.push(`could not take a record lock on ${path} (${errnoName(libc.platform, result.errno)})`);
    return;
  }
  const query = encodeRecordLock(table, table.F_WRLCK);
  const asked = libc.fcntlLock(fd, table.getLock, query);
  const holder = asked.value === -1 ? undefined : decodeRecordLock(table, query);
  if (holder && holder.type !== table.F_UNLCK && holder.pid > 0) {
    const found: PortHolder = { pid: holder.pid, program: programName(holder.pid), evidence: "holds a lock on it" };
    throw portBusyError(path, describeHolders([found]));
  }
  throw portBusyError(path, "another program holds a lock on it");
}

/** Compares what the driver kept with what was asked; returns the effective settings. */
function checkReadBack(
  path: string,
  requested: SerialSettings,
  termios: Termios,
  platform: PosixPlatform,
  isPseudoTerminal: boolean,
  notices: string[],
  options: { checkBaud: boolean },
): SerialSettings {
  const got = summarizeTermios(termios, platform);
  const effective: SerialSettings = {
    baudRate: options.checkBaud ? got.baudRate : requested.baudRate,
    dataBits: got.dataBits,
    parity: got.parity,
    stopBits: got.stopBits,
  };
  const framingDiffers = got.dataBits !== requested.dataBits || got.parity !== requested.parity ||
    got.stopBits !== requested.stopBits;
  if (framingDiffers) {
    const detail = `asked for ${formatSerialSettings(requested)}, got ${formatSerialSettings(effective)}`;
    if (!isPseudoTerminal) throw portSettingsError(path, detail);
    // Linux forces CS8 and clears PARENB on a pty (drivers/tty/pty.c, pty_set_termios): the simulator end
    // just sees bytes, so this is worth telling, not failing over.
    const what = got.parity !== requested.parity ? "parity" : "this framing";
    notices.push(
      `${what} cannot be carried on a pseudo-terminal; using ${got.dataBits}` +
        `${{ none: "N", even: "E", odd: "O" }[got.parity]}${got.stopBits}`,
    );
  }
  if (options.checkBaud && got.baudRate !== requested.baudRate) {
    const error = Math.abs(got.baudRate - requested.baudRate) / requested.baudRate;
    if (error > BAUD_TOLERANCE) {
      throw portSettingsError(path, `asked for ${requested.baudRate} baud, the driver set ${got.baudRate}`);
    }
    notices.push(`the driver set ${got.baudRate} baud for the requested ${requested.baudRate}`);
  }
  return effective;
}

/** Linux: sets ASYNC_LOW_LATENCY; returns the previous serial_struct to restore, or undefined if unchanged. */
function enableLowLatency(libc: Libc, fd: number, platform: PosixPlatform, notices: string[]): Uint8Array | undefined {
  const layout = platform.serialStruct;
  if (!layout) return undefined;
  const current = new Uint8Array(layout.size);
  const got = libc.ioctl(fd, platform.ioctl.TIOCGSERIAL, current);
  if (got.value === -1) {
    notices.push(`low-latency mode is not offered by this driver (${errnoName(platform, got.errno)})`);
    return undefined;
  }
  const view = new DataView(current.buffer);
  const flags = view.getInt32(layout.flagsOffset, true);
  if ((flags & layout.ASYNC_LOW_LATENCY) !== 0) return undefined;
  const wanted = current.slice();
  new DataView(wanted.buffer).setInt32(layout.flagsOffset, flags | layout.ASYNC_LOW_LATENCY, true);
  const set = libc.ioctl(fd, platform.ioctl.TIOCSSERIAL, wanted);
  if (set.value === -1) {
    notices.push(`low-latency mode refused by the driver (${errnoName(platform, set.errno)})`);
    return undefined;
  }
  return current;
}

/** Pseudo-terminal slaves: Linux by device major number, macOS (and as a fallback) by path. */
function detectPseudoTerminal(platform: PosixPlatform, path: string): boolean {
  const info = Deno.statSync(path);
  if (info.rdev !== null && platform.ptySlaveMajors.length > 0) {
    // glibc major(): bits 8..19 and 32..43 of dev_t (sys/sysmacros.h)
    const dev = BigInt(info.rdev);
    const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
    if (platform.ptySlaveMajors.includes(major)) return true;
  }
  return platform.ptySlavePath.test(Deno.realPathSync(path));
}

interface PosixSerialPortState {
  libc: Libc;
  fd: number;
  path: string;
  settings: SerialSettings;
  notices: string[];
  isPseudoTerminal: boolean;
  original: Termios;
  restoreSerial: Uint8Array | undefined;
  /** The terminal marks bytes received with a parity or framing error (PARMRK kept by the driver). */
  parityMarked: boolean;
}

/** A serial port opened by {@linkcode openPosixSerialPort}. */
export class PosixSerialPort implements SerialPort {
  readonly path: string;
  readonly settings: Readonly<SerialSettings>;
  readonly notices: readonly string[];
  readonly isPseudoTerminal: boolean;
  readonly #state: PosixSerialPortState;
  readonly #stream: FdStream;
  #closed = false;
  /** A tcdrain running on a worker thread; close() waits for it before closing the descriptor. */
  #draining: Promise<number> = Promise.resolve(0);

  /** Use {@linkcode openPosixSerialPort}. */
  constructor(state: PosixSerialPortState) {
    this.#state = state;
    this.path = state.path;
    this.settings = Object.freeze({ ...state.settings });
    this.notices = state.notices;
    this.isPseudoTerminal = state.isPseudoTerminal;
    this.#stream = new FdStream(state.libc, state.fd, {
      name: state.path,
      hangup: "error",
      parityMarked: state.parityMarked,
    });
  }

  /** True after {@linkcode PosixSerialPort.close}. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes received and not yet read. */
  get pending(): number {
    this.#assertOpen();
    return this.#stream.pending;
  }

  /** Writes all of `data` (waiting while the driver's output queue is full). */
  write(data: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new StreamClosedError(this.path));
    return this.#stream.write(data, WRITE_STALL_TIMEOUT_MS);
  }

  /** Reads exactly `length` bytes within `timeoutMs`; bytes that arrived before a timeout stay buffered. */
  read(length: number, timeoutMs: number): Promise<Uint8Array> {
    if (this.#closed) return Promise.reject(new StreamClosedError(this.path));
    return this.#stream.read(length, timeoutMs);
  }

  /** Takes whatever has been received, without waiting. */
  readAvailable(): Uint8Array {
    this.#assertOpen();
    return this.#stream.readAvailable();
  }

  /** Drops received bytes, in the driver (tcflush TCIFLUSH) and in this object's buffer. */
  discardInput(): Promise<void> {
    if (this.#closed) return Promise.reject(new StreamClosedError(this.path));
    const { libc, fd } = this.#state;
    const flushed = libc.tcflush(fd, libc.platform.tcflush.TCIFLUSH);
    if (flushed.value === -1) {
      return Promise.reject(portIoError(this.path, "discarding input", errnoName(libc.platform, flushed.errno)));
    }
    this.#stream.discardBuffered();
    return Promise.resolve();
  }

  /** Waits (on a worker thread) until the output queue is empty: tcdrain. */
  async drain(): Promise<void> {
    this.#assertOpen();
    const { libc, fd } = this.#state;
    const drained = libc.tcdrainAsync(fd);
    this.#draining = drained;
    if (await drained === -1) throw portIoError(this.path, "draining output", "tcdrain failed");
  }

  /** Asserts or releases DTR, RTS and BREAK; lines left out keep their state. */
  setLines(lines: LineStates): Promise<void> {
    if (this.#closed) return Promise.reject(new StreamClosedError(this.path));
    const { ioctl, modem } = this.#state.libc.platform;
    let raise = 0;
    let lower = 0;
    if (lines.dtr !== undefined) lines.dtr ? (raise |= modem.DTR) : (lower |= modem.DTR);
    if (lines.rts !== undefined) lines.rts ? (raise |= modem.RTS) : (lower |= modem.RTS);
    try {
      if (raise !== 0) this.#modemIoctl(ioctl.TIOCMBIS, raise, "TIOCMBIS");
      if (lower !== 0) this.#modemIoctl(ioctl.TIOCMBIC, lower, "TIOCMBIC");
      if (lines.brk !== undefined) this.#modemIoctl(lines.brk ? ioctl.TIOCSBRK : ioctl.TIOCCBRK, null, "BREAK");
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve();
  }

  /** Reads the modem lines (TIOCMGET). */
  getLines(): Promise<ModemLineStatus> {
    if (this.#closed) return Promise.reject(new StreamClosedError(this.path));
    const { libc } = this.#state;
    const { modem } = libc.platform;
    const bits = new Uint8Array(4);
    try {
      this.#modemIoctl(libc.platform.ioctl.TIOCMGET, bits, "TIOCMGET");
    } catch (error) {
      return Promise.reject(error);
    }
    const value = new DataView(bits.buffer).getInt32(0, true);
    return Promise.resolve({
      dtr: (value & modem.DTR) !== 0,
      rts: (value & modem.RTS) !== 0,
      cts: (value & modem.CTS) !== 0,
      dsr: (value & modem.DSR) !== 0,
      dcd: (value & modem.CAR) !== 0,
      ri: (value & modem.RNG) !== 0,
    });
  }

  #modemIoctl(request: number, argument: number | Uint8Array | null, what: string): void {
    const { libc, fd } = this.#state;
    let buffer: Uint8Array | null = null;
    if (typeof argument === "number") {
      buffer = new Uint8Array(4);
      new DataView(buffer.buffer).setInt32(0, argument, true);
    } else buffer = argument;
    const result = libc.ioctl(fd, request, buffer);
    if (result.value !== -1) return;
    const { ENOTTY, EINVAL, EOPNOTSUPP } = libc.platform.errno;
    const errno = errnoName(libc.platform, result.errno);
    if ([ENOTTY, EINVAL, EOPNOTSUPP].includes(result.errno)) {
      throw noModemLinesError(this.path, `${what}: ${errno}`);
    }
    throw portIoError(this.path, what, errno);
  }

  /**
   * Waits for pending reads and writes to stop, restores the settings found at open, releases exclusive
   * mode and the lock, and closes the port. Calling it again does nothing.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#stream.close();
    await this.#draining;
    const { libc, fd, original, restoreSerial } = this.#state;
    const { ioctl, flock, errno: E } = libc.platform;
    const failures: string[] = [];
    const step = (what: string, result: { value: number; errno: number }) => {
      // A device that went away cannot be restored; that is no reason to complain on close.
      if (result.value === -1 && ![E.EIO, E.ENXIO, E.ENODEV].includes(result.errno)) {
        failures.push(`${what}: ${errnoName(libc.platform, result.errno)}`);
      }
    };
    try {
      if (restoreSerial) step("restoring serial flags", libc.ioctl(fd, ioctl.TIOCSSERIAL, restoreSerial));
      step("restoring terminal settings", setTermios(libc, fd, original));
      step("leaving exclusive mode", libc.ioctl(fd, ioctl.TIOCNXCL, null));
      step("unlocking", libc.flock(fd, flock.LOCK_UN));
      const { recordLock } = libc.platform;
      step(
        "releasing the record lock",
        libc.fcntlLock(fd, recordLock.setLock, encodeRecordLock(recordLock, recordLock.F_UNLCK)),
      );
      step("closing", libc.close(fd));
    } finally {
      libc.dispose();
    }
    if (failures.length > 0) throw portIoError(this.path, "close", failures.join("; "));
  }

  #assertOpen(): void {
    if (this.#closed) throw new StreamClosedError(this.path);
  }
}
