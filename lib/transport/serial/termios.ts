/**
 * Pure encoding of terminal settings into the platform's termios structure, and decoding them back.
 * No system calls here: `posix_port.ts` and `pty.ts` move the bytes in and out of the kernel.
 *
 * @module
 */

import type { PosixPlatform, TermiosLayout } from "./posix_constants.ts";
import type { SerialSettings } from "./settings.ts";

/** A termios structure held as the exact bytes the kernel (or libc) reads and writes. */
export class Termios {
  /** The raw structure; little-endian (every supported target is). */
  readonly bytes: Uint8Array;
  readonly #layout: TermiosLayout;
  readonly #view: DataView;

  constructor(layout: TermiosLayout, bytes?: Uint8Array) {
    this.#layout = layout;
    this.bytes = bytes ? bytes.slice() : new Uint8Array(layout.size);
    if (this.bytes.length !== layout.size) {
      throw new RangeError(`termios is ${layout.size} bytes, got ${this.bytes.length}`);
    }
    this.#view = new DataView(this.bytes.buffer);
  }

  /** An independent copy. */
  clone(): Termios {
    return new Termios(this.#layout, this.bytes);
  }

  // Flag words: only the low 32 bits carry flags on every platform; the high half of a 64-bit macOS
  // tcflag_t is left as it was.
  #get(offset: number): number {
    return this.#view.getUint32(offset, true);
  }
  #set(offset: number, value: number): void {
    this.#view.setUint32(offset, value >>> 0, true);
  }

  /** `c_iflag` */
  get iflag(): number {
    return this.#get(this.#layout.iflag);
  }
  set iflag(value: number) {
    this.#set(this.#layout.iflag, value);
  }
  /** `c_oflag` */
  get oflag(): number {
    return this.#get(this.#layout.oflag);
  }
  set oflag(value: number) {
    this.#set(this.#layout.oflag, value);
  }
  /** `c_cflag` */
  get cflag(): number {
    return this.#get(this.#layout.cflag);
  }
  set cflag(value: number) {
    this.#set(this.#layout.cflag, value);
  }
  /** `c_lflag` */
  get lflag(): number {
    return this.#get(this.#layout.lflag);
  }
  set lflag(value: number) {
    this.#set(this.#layout.lflag, value);
  }

  /** `c_cc[index]` */
  cc(index: number): number {
    if (index < 0 || index >= this.#layout.nccs) throw new RangeError(`c_cc index ${index} out of range`);
    return this.bytes[this.#layout.cc + index];
  }
  /** Sets `c_cc[index]`. */
  setCc(index: number, value: number): void {
    if (index < 0 || index >= this.#layout.nccs) throw new RangeError(`c_cc index ${index} out of range`);
    this.bytes[this.#layout.cc + index] = value;
  }

  #getSpeed(offset: number): number {
    return this.#layout.speedSize === 8
      ? Number(this.#view.getBigUint64(offset, true))
      : this.#view.getUint32(offset, true);
  }
  #setSpeed(offset: number, value: number): void {
    if (this.#layout.speedSize === 8) this.#view.setBigUint64(offset, BigInt(value), true);
    else this.#view.setUint32(offset, value, true);
  }

  /** `c_ispeed` */
  get ispeed(): number {
    return this.#getSpeed(this.#layout.ispeed);
  }
  set ispeed(value: number) {
    this.#setSpeed(this.#layout.ispeed, value);
  }
  /** `c_ospeed` */
  get ospeed(): number {
    return this.#getSpeed(this.#layout.ospeed);
  }
  set ospeed(value: number) {
    this.#setSpeed(this.#layout.ospeed, value);
  }
}

/** The settings a termios structure describes, as the simulator and the readback check see them. */
export interface TermiosSummary {
  /** True when bytes pass untouched: no line editing, echo, signals, output processing, CR/LF mapping or XON/XOFF. */
  raw: boolean;
  /** Character size from CSIZE. */
  dataBits: 5 | 6 | 7 | 8;
  /** Parity from PARENB/PARODD (mark/space parity reads as even/odd). */
  parity: "none" | "even" | "odd";
  /** 2 when CSTOPB is set. */
  stopBits: 1 | 2;
  /** Output baud rate; 0 means hang up (B0). */
  baudRate: number;
}

/** How a requested rate is encoded: a standard code, or a custom rate the platform must set another way. */
export type BaudEncoding =
  | { kind: "standard"; code: number }
  | { kind: "custom" };

/** Classifies `baudRate` for the platform: standard code when one exists. */
export function baudEncoding(platform: PosixPlatform, baudRate: number): BaudEncoding {
  const code = platform.baudCodes.get(baudRate);
  return code === undefined ? { kind: "custom" } : { kind: "standard", code };
}

/**
 * Puts `termios` in raw mode with the given framing — the flags cfmakeraw(3) clears, set by hand so that no
 * libc helper is needed — plus CLOCAL|CREAD, no flow control, VMIN=0/VTIME=0 for poll-driven non-blocking reads,
 * and the baud rate. With parity on, input parity checking too: INPCK with PARMRK (IGNPAR, ISTRIP clear), so a
 * byte received with a parity or framing error arrives marked `0xFF 0x00 X` and a true 0xFF as `0xFF 0xFF`
 * (termios(3)); the port decodes that (lib/transport/parity.ts). AN3155 gives device-to-host bytes no checksum:
 * parity is their only check.
 *
 * On Linux a rate without a B-code gets BOTHER and the number in c_ispeed/c_ospeed (termios2). On macOS such
 * a rate cannot go into termios: the structure keeps its current speed and the caller must follow up with
 * IOSSIOSPEED (see {@linkcode baudEncoding}).
 */
export function applySettings(termios: Termios, platform: PosixPlatform, settings: SerialSettings): void {
  const f = platform.flags;
  termios.iflag &= ~(f.IGNBRK | f.BRKINT | f.PARMRK | f.ISTRIP | f.INLCR | f.IGNCR | f.ICRNL | f.IXON | f.IXOFF |
    f.IXANY | f.INPCK | f.IMAXBEL);
  termios.oflag &= ~f.OPOST;
  termios.lflag &= ~(f.ECHO | f.ECHOE | f.ECHOK | f.ECHONL | f.ICANON | f.ISIG | f.IEXTEN);

  let cflag = termios.cflag & ~(f.CSIZE | f.PARENB | f.PARODD | f.CMSPAR | f.CSTOPB | f.CRTSCTS);
  cflag |= dataBitsFlag(platform, settings.dataBits) | f.CLOCAL | f.CREAD;
  if (settings.parity !== "none") cflag |= f.PARENB;
  if (settings.parity === "odd") cflag |= f.PARODD;
  if (settings.parity !== "none") termios.iflag |= f.INPCK | f.PARMRK;
  if (settings.stopBits === 2) cflag |= f.CSTOPB;

  const encoding = baudEncoding(platform, settings.baudRate);
  if (platform.termiosAccess === "termios2-ioctl") {
    // Input rate bits CIBAUD = B0 mean "same as output" (linux/drivers/tty/tty_baudrate.c).
    cflag &= ~(f.CBAUD | f.CIBAUD);
    cflag |= encoding.kind === "standard" ? encoding.code : f.BOTHER;
    termios.ispeed = settings.baudRate;
    termios.ospeed = settings.baudRate;
  } else if (encoding.kind === "standard") {
    termios.ispeed = encoding.code;
    termios.ospeed = encoding.code;
  }
  termios.cflag = cflag;

  termios.setCc(f.VMIN, 0);
  termios.setCc(f.VTIME, 0);
}

function dataBitsFlag(platform: PosixPlatform, dataBits: 5 | 6 | 7 | 8): number {
  const f = platform.flags;
  return { 5: f.CS5, 6: f.CS6, 7: f.CS7, 8: f.CS8 }[dataBits];
}

/** Reads framing, rate and rawness out of a termios structure. */
export function summarizeTermios(termios: Termios, platform: PosixPlatform): TermiosSummary {
  const f = platform.flags;
  const cooked = (termios.lflag & (f.ICANON | f.ECHO | f.ECHONL | f.ISIG | f.IEXTEN)) !== 0 ||
    (termios.oflag & f.OPOST) !== 0 ||
    (termios.iflag & (f.ICRNL | f.INLCR | f.IGNCR | f.ISTRIP | f.IXON | f.IXOFF)) !== 0;
  const size = termios.cflag & f.CSIZE;
  const dataBits = size === f.CS5 ? 5 : size === f.CS6 ? 6 : size === f.CS7 ? 7 : 8;
  const parity = (termios.cflag & f.PARENB) === 0 ? "none" : (termios.cflag & f.PARODD) !== 0 ? "odd" : "even";
  return {
    raw: !cooked,
    dataBits,
    parity,
    stopBits: (termios.cflag & f.CSTOPB) !== 0 ? 2 : 1,
    baudRate: termiosBaudRate(termios, platform),
  };
}

/** The output rate a termios structure selects. */
export function termiosBaudRate(termios: Termios, platform: PosixPlatform): number {
  if (platform.termiosAccess !== "termios2-ioctl") return termios.ospeed;
  const code = termios.cflag & platform.flags.CBAUD;
  if (code === platform.flags.BOTHER) return termios.ospeed;
  if (code === 0) return 0;
  for (const [rate, value] of platform.baudCodes) if (value === code) return rate;
  return termios.ospeed;
}
