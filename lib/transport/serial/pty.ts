/**
 * Pseudo-terminals for the simulator: the simulated chip holds the master end, host programs (stm32flash,
 * this tool) open the slave path like a serial port. Built on libc through `Deno.dlopen` (posix_openpt,
 * grantpt, unlockpt, ptsname_r).
 *
 * The master stays open for the whole session, so successive host programs can open and close the slave in
 * turn. While no host has the slave open, Linux reports POLLHUP on the master and `read()` fails with EIO
 * (drivers/tty/n_tty.c, TTY_OTHER_CLOSED); the master end treats that as "no host attached" and keeps
 * waiting rather than failing.
 *
 * @module
 */

import { DeviceError } from "../../errors.ts";
import { StreamClosedError } from "../byte_stream.ts";
import { FdStream } from "./fd_stream.ts";
import { Libc } from "./libc.ts";
import { currentPosixPlatform, type PosixPlatform, ptyOpenFlags } from "./posix_constants.ts";
import { DEFAULT_SERIAL_SETTINGS } from "./settings.ts";
import { applySettings, summarizeTermios, type TermiosSummary } from "./termios.ts";
import { getTermios, setTermios } from "./termios_io.ts";

/** Longest time a master write may make no progress (the host is not reading) before it fails. */
const MASTER_WRITE_STALL_MS = 3000;

/** The master end of a pseudo-terminal: what the simulated device reads and writes. */
export interface PtyMaster {
  /** Writes all of `data` to the host side. */
  write(data: Uint8Array): Promise<void>;
  /** Reads exactly `length` bytes within `timeoutMs` (ReadTimeoutError otherwise; received bytes are kept). */
  read(length: number, timeoutMs: number): Promise<Uint8Array>;
  /** Takes whatever the host has sent so far, without waiting (possibly nothing). */
  readAvailable(): Uint8Array;
  /**
   * Resolves `true` once at least one byte is waiting, `false` when `timeoutMs` passes first (no limit when
   * omitted) or the pseudo-terminal is closed.
   */
  waitReadable(timeoutMs?: number): Promise<boolean>;
  /** Chunks as they arrive, until the pseudo-terminal is closed. */
  chunks(): AsyncIterableIterator<Uint8Array>;
  /** Drops bytes received and not yet read. */
  discardInput(): Promise<void>;
  /** Bytes received and not yet read. */
  readonly pending: number;
  /** True while some program has the slave open. */
  hostAttached(): boolean;
  /** Closes the whole pseudo-terminal (same as {@linkcode PseudoTerminal.close}). */
  close(): Promise<void>;
}

/** A pseudo-terminal pair with its master end open. */
export interface PseudoTerminal {
  /** Path of the slave for host programs, e.g. `/dev/pts/3`. */
  readonly path: string;
  /** The master end. */
  readonly master: PtyMaster;
  /**
   * The slave's current settings as the host set them, read from the master side (on Linux, tcgetattr on a
   * master reports its slave). The simulator answers only while `raw` is true and `dataBits` is 8.
   */
  slaveSettings(): TermiosSummary;
  /** Closes the master; hosts that still have the slave open then see a hang-up. */
  close(): Promise<void>;
}

/** Options of {@linkcode openPseudoTerminal}. */
export interface PseudoTerminalOptions {
  /**
   * Also make a symlink at this path to the slave (a stable name such as `/tmp/ttySTM32` for host programs);
   * an existing symlink there is replaced, any other file is an error. Removed again by `close()`.
   */
  link?: string;
}

/**
 * Opens a new pseudo-terminal. The slave starts in raw mode, 8N1, without echo, so that nothing the simulator
 * writes is echoed back before a host program has configured the port.
 */
export function openPseudoTerminal(options: PseudoTerminalOptions = {}): PseudoTerminal {
  const platform = currentPosixPlatform();
  if (!platform) {
    throw new DeviceError(
      "E_UNSUPPORTED_OS",
      `pseudo-terminals are not supported on ${Deno.build.os}/${Deno.build.arch}`,
    );
  }
  const libc = new Libc(platform);
  let fd = -1;
  try {
    const opened = libc.posixOpenpt(ptyOpenFlags(platform));
    if (opened.value === -1) throw ptyError("posix_openpt", opened.errno);
    fd = opened.value;
    const granted = libc.grantpt(fd);
    if (granted.value === -1) throw ptyError("grantpt", granted.errno);
    const unlocked = libc.unlockpt(fd);
    if (unlocked.value === -1) throw ptyError("unlockpt", unlocked.errno);
    const name = libc.ptsname(fd);
    if ("errno" in name) throw ptyError("ptsname_r", name.errno);
    // FIONBIO rather than O_NONBLOCK in posix_openpt: macOS's posix_openpt accepts only O_RDWR|O_NOCTTY.
    const on = new Uint8Array([1, 0, 0, 0]);
    const nonblocking = libc.ioctl(fd, platform.ioctl.FIONBIO, on);
    if (nonblocking.value === -1) throw ptyError("ioctl(FIONBIO)", nonblocking.errno);
    makeSlaveRaw(libc, fd);
    if (options.link !== undefined) makeLink(options.link, name.path);
    return new PosixPseudoTerminal(libc, fd, name.path, options.link);
  } catch (error) {
    if (fd !== -1) libc.close(fd);
    libc.dispose();
    throw error;
  }
}

function makeSlaveRaw(libc: Libc, fd: number): void {
  const current = getTermios(libc, fd);
  if ("errno" in current) throw ptyError("reading the slave settings", current.errno);
  const raw = current.termios.clone();
  applySettings(raw, libc.platform, { ...DEFAULT_SERIAL_SETTINGS, parity: "none" });
  const set = setTermios(libc, fd, raw);
  if (set.value === -1) throw ptyError("setting the slave to raw mode", set.errno);
}

function makeLink(link: string, target: string): void {
  try {
    if (!Deno.lstatSync(link).isSymlink) {
      throw new DeviceError("E_PTY", `cannot link the pseudo-terminal to ${link}: a file is in the way`, {
        hint: "choose another --link path or remove that file",
      });
    }
    Deno.removeSync(link);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  Deno.symlinkSync(target, link);
}

function ptyError(step: string, errno: number): DeviceError {
  return new DeviceError("E_PTY", `could not create a pseudo-terminal: ${step} failed (errno ${errno})`, {
    hint: "check that /dev/ptmx exists and /dev/pts is mounted",
  });
}

class PosixPseudoTerminal implements PseudoTerminal {
  readonly path: string;
  readonly master: PtyMaster;
  readonly #libc: Libc;
  readonly #platform: PosixPlatform;
  readonly #fd: number;
  readonly #stream: FdStream;
  readonly #link: string | undefined;
  #closed = false;

  constructor(libc: Libc, fd: number, path: string, link: string | undefined) {
    this.#link = link;
    this.#libc = libc;
    this.#platform = libc.platform;
    this.#fd = fd;
    this.path = path;
    this.#stream = new FdStream(libc, fd, { name: `pseudo-terminal master of ${path}`, hangup: "wait" });
    this.master = this.#makeMaster();
  }

  slaveSettings(): TermiosSummary {
    this.#assertOpen();
    const current = getTermios(this.#libc, this.#fd);
    if ("errno" in current) throw ptyError("reading the slave settings", current.errno);
    return summarizeTermios(current.termios, this.#platform);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#stream.close();
    const closed = this.#libc.close(this.#fd);
    this.#libc.dispose();
    if (this.#link !== undefined) await removeOurLink(this.#link, this.path);
    if (closed.value === -1) {
      throw new DeviceError("E_PTY", `closing the pseudo-terminal ${this.path} failed (errno ${closed.errno})`);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new StreamClosedError(`pseudo-terminal ${this.path}`);
  }

  #makeMaster(): PtyMaster {
    const stream = this.#stream;
    const libc = this.#libc;
    const fd = this.#fd;
    const { POLLIN, POLLHUP } = this.#platform.poll;
    return {
      write: (data) => stream.write(data, MASTER_WRITE_STALL_MS),
      read: (length, timeoutMs) => stream.read(length, timeoutMs),
      readAvailable: () => stream.readAvailable(),
      waitReadable: (timeoutMs) => stream.waitReadable(timeoutMs),
      async *chunks() {
        while (await stream.waitReadable()) yield stream.readAvailable();
      },
      discardInput: () => {
        stream.discardBuffered();
        return Promise.resolve();
      },
      get pending() {
        return stream.pending;
      },
      hostAttached: () => {
        this.#assertOpen();
        return (libc.pollNow(fd, POLLIN) & POLLHUP) === 0;
      },
      close: () => this.close(),
    };
  }
}

/** Removes the symlink made by `link`, unless something else has replaced it meanwhile. */
async function removeOurLink(link: string, target: string): Promise<void> {
  try {
    if (await Deno.readLink(link) === target) await Deno.remove(link);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
