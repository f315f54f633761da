/**
 * The few libc functions the POSIX serial port and the pseudo-terminal need, bound with `Deno.dlopen`.
 *
 * Each {@linkcode Libc} owns its own library handle and must be closed; that keeps Deno's resource sanitizer
 * happy and ties the handle's lifetime to the port using it.
 *
 * `errno` is read through `__errno_location()`/`__error()` right after a synchronous call, on the same thread
 * (synchronous FFI calls always run on the isolate's own thread, so the location is looked up once).
 * Calls declared `nonblocking` run on a worker thread whose errno is out of reach, so only `poll` and
 * `tcdrain` are made that way, and their callers rely on return values and `revents`, not errno.
 *
 * @module
 */

import type { PosixPlatform } from "./posix_constants.ts";

/**
 * `ioctl` is variadic. On x86_64 (SysV) and Linux aarch64 the third argument travels in the third integer
 * register; on Apple arm64 every variadic argument goes on the stack. Declaring eight register-sized fixed
 * arguments and passing the pointer both third and ninth puts it where either ABI's `va_arg` looks: the third
 * register, and the first stack slot (Apple "Writing ARM64 code for Apple platforms": variadic arguments on
 * the stack; AAPCS64: x0-x7 carry the first eight integer arguments, SysV x86_64: rdi, rsi, rdx, ...). The
 * padding arguments are never read.
 */
const IOCTL_PARAMETERS = ["i32", "u64", "buffer", "u64", "u64", "u64", "u64", "u64", "buffer"] as const;
/** `fcntl(int fd, int cmd, ...)` with a pointer argument, placed for both ABIs as for `ioctl` above. */
const FCNTL_PARAMETERS = ["i32", "i32", "buffer", "u64", "u64", "u64", "u64", "u64", "buffer"] as const;

/**
 * The libc functions as declared to `Deno.dlopen`. `lib/transport/ffi_signatures_test.ts` calls every one through a real `Deno.dlopen`
 * with the values {@linkcode Libc} passes for every platform table.
 */
export const LIBC_SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  ioctl: { parameters: IOCTL_PARAMETERS, result: "i32" },
  flock: { parameters: ["i32", "i32"], result: "i32" },
  fcntl: { parameters: FCNTL_PARAMETERS, result: "i32" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  // Blocking calls moved to a worker thread: the event loop keeps running while they wait.
  pollAsync: { name: "poll", parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  tcdrainAsync: { name: "tcdrain", parameters: ["i32"], result: "i32", nonblocking: true },
  tcflush: { parameters: ["i32", "i32"], result: "i32" },
  tcgetattr: { parameters: ["i32", "buffer"], result: "i32" },
  tcsetattr: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  posix_openpt: { parameters: ["i32"], result: "i32" },
  grantpt: { parameters: ["i32"], result: "i32" },
  unlockpt: { parameters: ["i32"], result: "i32" },
  ptsname_r: { parameters: ["i32", "buffer", "usize"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

type LibcSymbols = Deno.DynamicLibrary<typeof LIBC_SYMBOLS>["symbols"];

/** The declaration of the function returning `int *errno` (its name differs per OS). */
export function errnoSymbol(platform: PosixPlatform): {
  errnoLocation: { name: string; parameters: []; result: "pointer" };
} {
  return { errnoLocation: { name: platform.errnoFunction, parameters: [], result: "pointer" } };
}

/** Longest wait one `poll()` call can be given: its timeout is a C `int` of milliseconds. */
export const POLL_TIMEOUT_MAX_MS = 0x7fffffff;

/**
 * A wait in milliseconds as `poll()`'s `int` timeout: rounded up (Deno FFI refuses a fraction for `i32`), never
 * negative (which would mean "forever"), at most {@linkcode POLL_TIMEOUT_MAX_MS} (more overflows `i32`).
 */
export function pollTimeoutArgument(timeoutMs: number): number {
  if (!(timeoutMs > 0)) return 0; // also NaN
  return Math.min(POLL_TIMEOUT_MAX_MS, Math.ceil(timeoutMs));
}

/** Outcome of a libc call: its return value and, when it failed, errno. */
export interface CallResult {
  /** The function's return value (for `read`/`write`, a byte count or -1). */
  value: number;
  /** errno when `value` is -1, else 0. */
  errno: number;
}

/** Size of `struct pollfd`: int fd, short events, short revents (<poll.h>, same on Linux and macOS). */
export const POLLFD_SIZE = 8;

/** A libc opened with `Deno.dlopen`; close it when done. */
export class Libc {
  /** The platform table this instance was opened for. */
  readonly platform: PosixPlatform;
  readonly #library: Deno.DynamicLibrary<typeof LIBC_SYMBOLS>;
  readonly #errnoLibrary: Deno.DynamicLibrary<{ errnoLocation: { name: string; parameters: []; result: "pointer" } }>;
  /** This thread's errno, once located. */
  #errnoView: Deno.UnsafePointerView | null | undefined;
  /** The `struct pollfd` of synchronous polls, reused: they cannot overlap, being synchronous. */
  readonly #pollfd = new Uint8Array(POLLFD_SIZE);
  readonly #pollfdView = new DataView(this.#pollfd.buffer);
  #closed = false;

  constructor(platform: PosixPlatform) {
    this.platform = platform;
    this.#library = Deno.dlopen(platform.libc, LIBC_SYMBOLS);
    try {
      this.#errnoLibrary = Deno.dlopen(platform.libc, errnoSymbol(platform));
    } catch (error) {
      this.#library.close();
      throw error;
    }
  }

  get #symbols(): LibcSymbols {
    if (this.#closed) throw new Error("libc handle used after close");
    return this.#library.symbols;
  }

  /** The calling thread's errno. */
  errno(): number {
    if (this.#errnoView === undefined) {
      const location = this.#errnoLibrary.symbols.errnoLocation();
      this.#errnoView = location === null ? null : new Deno.UnsafePointerView(location);
    }
    return this.#errnoView?.getInt32() ?? 0;
  }

  #result(value: number | bigint): CallResult {
    const number = Number(value);
    return { value: number, errno: number === -1 ? this.errno() : 0 };
  }

  /** `open(path, flags)`; no mode, since O_CREAT is never used. */
  open(path: string, flags: number): CallResult {
    return this.#result(this.#symbols.open(cString(path), flags));
  }

  /** `close(fd)`. */
  close(fd: number): CallResult {
    return this.#result(this.#symbols.close(fd));
  }

  /** `read(fd, buffer, buffer.length)`. */
  read(fd: number, buffer: Uint8Array): CallResult {
    return this.#result(this.#symbols.read(fd, buffer, BigInt(buffer.length)));
  }

  /** `write(fd, data, data.length)`. */
  write(fd: number, data: Uint8Array): CallResult {
    return this.#result(this.#symbols.write(fd, data, BigInt(data.length)));
  }

  /** `ioctl(fd, request, argument)` where the argument is a pointer (or none). */
  ioctl(fd: number, request: number, argument: Uint8Array | null): CallResult {
    return this.#result(this.#symbols.ioctl(fd, BigInt(request), argument, 0n, 0n, 0n, 0n, 0n, argument));
  }

  /** `fcntl(fd, command, lock)` for the record-lock commands, whose argument is a `struct flock *`. */
  fcntlLock(fd: number, command: number, lock: Uint8Array): CallResult {
    return this.#result(this.#symbols.fcntl(fd, command, lock, 0n, 0n, 0n, 0n, 0n, lock));
  }

  /** `flock(fd, operation)`. */
  flock(fd: number, operation: number): CallResult {
    return this.#result(this.#symbols.flock(fd, operation));
  }

  /** `poll()` on one descriptor without waiting; returns `revents` (0 when nothing is ready). */
  pollNow(fd: number, events: number): number {
    return this.pollBlocking(fd, events, 0);
  }

  /**
   * `poll()` on one descriptor for up to `timeoutMs` on the calling thread, which blocks meanwhile: no event loop
   * turn, no timer, no other task runs until it returns. Returns `revents` (0 on timeout or an interrupted wait).
   */
  pollBlocking(fd: number, events: number, timeoutMs: number): number {
    const view = this.#pollfdView;
    view.setInt32(0, fd, true);
    view.setInt16(4, events, true);
    view.setInt16(6, 0, true);
    const ready = this.#symbols.poll(this.#pollfd, 1n, pollTimeoutArgument(timeoutMs));
    return ready > 0 ? view.getUint16(6, true) : 0;
  }

  /**
   * `poll()` on one descriptor for up to `timeoutMs`, on a worker thread so the event loop keeps running.
   * Resolves with `revents` (0 on timeout or an interrupted wait).
   */
  async pollAsync(fd: number, events: number, timeoutMs: number): Promise<number> {
    const pollfd = makePollfd(fd, events);
    const ready = await this.#symbols.pollAsync(pollfd, 1n, pollTimeoutArgument(timeoutMs));
    return ready > 0 ? readRevents(pollfd) : 0;
  }

  /** `tcdrain(fd)` on a worker thread; resolves with its return value (errno is not available). */
  tcdrainAsync(fd: number): Promise<number> {
    return this.#symbols.tcdrainAsync(fd);
  }

  /** `tcflush(fd, queue)`. */
  tcflush(fd: number, queue: number): CallResult {
    return this.#result(this.#symbols.tcflush(fd, queue));
  }

  /** `tcgetattr(fd, termios)` (libc's own `struct termios`). */
  tcgetattr(fd: number, termios: Uint8Array): CallResult {
    return this.#result(this.#symbols.tcgetattr(fd, termios));
  }

  /** `tcsetattr(fd, action, termios)`. */
  tcsetattr(fd: number, action: number, termios: Uint8Array): CallResult {
    return this.#result(this.#symbols.tcsetattr(fd, action, termios));
  }

  /** `posix_openpt(flags)`. */
  posixOpenpt(flags: number): CallResult {
    return this.#result(this.#symbols.posix_openpt(flags));
  }

  /** `grantpt(fd)`. */
  grantpt(fd: number): CallResult {
    return this.#result(this.#symbols.grantpt(fd));
  }

  /** `unlockpt(fd)`. */
  unlockpt(fd: number): CallResult {
    return this.#result(this.#symbols.unlockpt(fd));
  }

  /** `ptsname_r(fd, ...)`: the slave path of a pseudo-terminal master. */
  ptsname(fd: number): { path: string } | { errno: number } {
    const buffer = new Uint8Array(256);
    const status = this.#symbols.ptsname_r(fd, buffer, BigInt(buffer.length));
    // glibc returns the error number; macOS returns -1 and sets errno.
    if (status !== 0) return { errno: status === -1 ? this.errno() : status };
    const end = buffer.indexOf(0);
    return { path: new TextDecoder().decode(buffer.subarray(0, end < 0 ? buffer.length : end)) };
  }

  /** Releases the library handles. */
  dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#library.close();
    this.#errnoLibrary.close();
  }
}

/** A NUL-terminated UTF-8 copy of `text`. */
export function cString(text: string): Uint8Array {
  const encoded = new TextEncoder().encode(text);
  const out = new Uint8Array(encoded.length + 1);
  out.set(encoded);
  return out;
}

function makePollfd(fd: number, events: number): Uint8Array {
  const pollfd = new Uint8Array(POLLFD_SIZE);
  const view = new DataView(pollfd.buffer);
  view.setInt32(0, fd, true);
  view.setInt16(4, events, true);
  return pollfd;
}

function readRevents(pollfd: Uint8Array): number {
  return new DataView(pollfd.buffer).getInt16(6, true) & 0xffff;
}
