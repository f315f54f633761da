/**
 * Serial ports on Windows through kernel32 via `Deno.dlopen`: CreateFileW on `\\.\COMn`, DCB and
 * COMMTIMEOUTS, ReadFile/WriteFile on a worker thread (`nonblocking` FFI), EscapeCommFunction for the modem
 * lines, PurgeComm, CloseHandle.
 *
 * The handle is opened for synchronous I/O, so Windows runs one call on it at a time: a write (or a line
 * change) issued while a read slice waits starts when that slice ends, at most {@linkcode READ_SLICE_MS}
 * later. The bootloader protocol alternates writes and reads, so this costs nothing in practice.
 *
 * Runs in CI in the Windows build of Deno under Wine (`scripts/windows/test.sh`: `windows_port_test.ts` and the
 * commands against the simulated bootloader on a COM port); not on real Windows. The structure encoding is
 * unit-tested in `windows_dcb_test.ts`.
 *
 * @module
 */

import { ByteQueue } from "../byte_queue.ts";
import { type LineStates, ReadTimeoutError, StreamClosedError } from "../byte_stream.ts";
import {
  noModemLinesError,
  portIoError,
  portNotTtyError,
  portSettingsError,
  writeTimeoutError,
} from "./port_errors.ts";
import type { ModemLineStatus, SerialPort } from "./serial_port.ts";
import { formatSerialSettings, resolveSerialSettings, type SerialSettings } from "./settings.ts";
import {
  commTimeouts,
  COMMTIMEOUTS_SIZE,
  createFileArguments,
  DCB_SIZE,
  decodeDcb,
  encodeCommTimeouts,
  encodeDcb,
  escapeSteps,
  INVALID_HANDLE_VALUE,
  MODEM_STATUS,
  PURGE,
  PURGE_ON_OPEN,
  WIN32_ERRORS,
} from "./windows_dcb.ts";
import { win32Name, windowsOpenError } from "./windows_open_error.ts";

/** Longest single ReadFile wait (ReadTotalTimeoutConstant). */
export const READ_SLICE_MS = 50;
/** Slack added to every write's timeout (WriteTotalTimeoutConstant). */
const WRITE_SLACK_MS = 3000;
/** Bytes asked of one ReadFile (its `nNumberOfBytesToRead`, a u32). */
export const READ_CHUNK_BYTES = 4096;

/**
 * The kernel32 functions the port calls, as declared to `Deno.dlopen` (winbase.h, fileapi.h, handleapi.h,
 * errhandlingapi.h). `lib/transport/ffi_signatures_test.ts` calls every one through a real `Deno.dlopen` with the values this file passes.
 */
export const KERNEL32 = {
  CreateFileW: { parameters: ["buffer", "u32", "u32", "pointer", "u32", "u32", "pointer"], result: "pointer" },
  GetCommState: { parameters: ["pointer", "buffer"], result: "i32" },
  SetCommState: { parameters: ["pointer", "buffer"], result: "i32" },
  GetCommTimeouts: { parameters: ["pointer", "buffer"], result: "i32" },
  SetCommTimeouts: { parameters: ["pointer", "buffer"], result: "i32" },
  ReadFile: { parameters: ["pointer", "buffer", "u32", "buffer", "pointer"], result: "i32", nonblocking: true },
  WriteFile: { parameters: ["pointer", "buffer", "u32", "buffer", "pointer"], result: "i32", nonblocking: true },
  FlushFileBuffers: { parameters: ["pointer"], result: "i32", nonblocking: true },
  EscapeCommFunction: { parameters: ["pointer", "u32"], result: "i32" },
  PurgeComm: { parameters: ["pointer", "u32"], result: "i32" },
  GetCommModemStatus: { parameters: ["pointer", "buffer"], result: "i32" },
  CloseHandle: { parameters: ["pointer"], result: "i32" },
  GetLastError: { parameters: [], result: "u32" },
  ClearCommError: { parameters: ["pointer", "buffer", "pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

type Kernel32 = Deno.DynamicLibrary<typeof KERNEL32>;

/** ClearCommError flags of a damaged received byte (winbase.h): parity error, framing error. */
export const CE_RXPARITY = 0x0004;
/** See {@linkcode CE_RXPARITY}. */
export const CE_FRAME = 0x0008;

/** Offsets of the `count` bytes just read to mark as damaged, given ClearCommError's `errors`: all or none. */
export function windowsLineErrorOffsets(errors: number, count: number): number[] {
  if ((errors & (CE_RXPARITY | CE_FRAME)) === 0) return [];
  return Array.from({ length: count }, (_, i) => i);
}

/** EscapeCommFunction errors meaning "this port has no such line". */
const NO_LINES_ERRORS: ReadonlySet<number> = new Set([
  WIN32_ERRORS.ERROR_INVALID_FUNCTION,
  WIN32_ERRORS.ERROR_NOT_SUPPORTED,
  WIN32_ERRORS.ERROR_INVALID_PARAMETER,
]);

/** Errors meaning the device is gone (USB adapter unplugged). */
const GONE_ERRORS: ReadonlySet<number> = new Set([
  WIN32_ERRORS.ERROR_BAD_COMMAND,
  WIN32_ERRORS.ERROR_GEN_FAILURE,
  WIN32_ERRORS.ERROR_DEVICE_NOT_CONNECTED,
  WIN32_ERRORS.ERROR_OPERATION_ABORTED,
]);

/** Options of {@linkcode openWindowsSerialPort}. */
export interface WindowsSerialPortOptions {
  /**
   * The library to bind {@linkcode KERNEL32} from; default `kernel32.dll`. Tests pass a stand-in built from the
   * same declarations, so the real call sites run through a real `Deno.dlopen` on any OS.
   */
  kernel32?: string;
}

/**
 * Opens a COM port (`COM3` or `\\.\COM3`) for exclusive use with `settings` (missing fields default to
 * 115200 8E1). Windows opens serial devices exclusively by itself: a port in use fails with access denied,
 * reported as `E_PORT_BUSY`.
 */
export function openWindowsSerialPort(
  path: string,
  settings: Partial<SerialSettings> = {},
  options: WindowsSerialPortOptions = {},
): Promise<SerialPort> {
  let library: Kernel32 | undefined;
  let handle: Deno.PointerValue = null;
  try {
    const requested = resolveSerialSettings(settings);
    library = Deno.dlopen(options.kernel32 ?? "kernel32.dll", KERNEL32);
    const k = library.symbols;
    handle = k.CreateFileW(...createFileArguments(path));
    if (handle === null || Deno.UnsafePointer.value(handle) === INVALID_HANDLE_VALUE) {
      handle = null;
      throw windowsOpenError(path, k.GetLastError());
    }
    const original = new Uint8Array(DCB_SIZE);
    new DataView(original.buffer).setUint32(0, DCB_SIZE, true);
    if (!k.GetCommState(handle, original)) throw portNotTtyError(path, lastError(k));
    const originalTimeouts = new Uint8Array(COMMTIMEOUTS_SIZE);
    if (!k.GetCommTimeouts(handle, originalTimeouts)) throw portNotTtyError(path, lastError(k));

    const wanted = encodeDcb(requested, original);
    if (!k.SetCommState(handle, wanted)) {
      throw portSettingsError(path, `${formatSerialSettings(requested)} (${win32Name(k.GetLastError())})`);
    }
    const readBack = new Uint8Array(DCB_SIZE);
    new DataView(readBack.buffer).setUint32(0, DCB_SIZE, true);
    if (!k.GetCommState(handle, readBack)) throw portIoError(path, "GetCommState", win32Name(k.GetLastError()));
    const got = decodeDcb(readBack);
    if (
      got.baudRate !== requested.baudRate || got.dataBits !== requested.dataBits || got.parity !== requested.parity ||
      got.stopBits !== requested.stopBits
    ) {
      k.SetCommState(handle, original);
      throw portSettingsError(path, `asked for ${formatSerialSettings(requested)}, the driver kept other settings`);
    }
    const timeouts = encodeCommTimeouts(commTimeouts(requested, READ_SLICE_MS, WRITE_SLACK_MS));
    if (!k.SetCommTimeouts(handle, timeouts)) {
      k.SetCommState(handle, original);
      throw portIoError(path, "SetCommTimeouts", win32Name(k.GetLastError()));
    }
    // Stale bytes from before we owned the port are not ours to read.
    k.PurgeComm(handle, PURGE_ON_OPEN);
    return Promise.resolve(
      new WindowsSerialPort(library, handle, path, { ...requested }, original, originalTimeouts),
    );
  } catch (error) {
    if (library) {
      if (handle !== null) library.symbols.CloseHandle(handle);
      library.close();
    }
    return Promise.reject(error);
  }
}

function lastError(k: Kernel32["symbols"]): Error {
  return new Error(win32Name(k.GetLastError()));
}

/** A COM port opened by {@linkcode openWindowsSerialPort}. */
class WindowsSerialPort implements SerialPort {
  readonly path: string;
  readonly settings: Readonly<SerialSettings>;
  readonly notices: readonly string[] = [];
  readonly isPseudoTerminal = false;
  readonly #library: Kernel32;
  readonly #handle: Deno.PointerObject;
  readonly #original: Uint8Array;
  readonly #originalTimeouts: Uint8Array;
  readonly #scratch = new Uint8Array(READ_CHUNK_BYTES);
  readonly #received = new ByteQueue();
  #closed = false;
  #lines = { dtr: true, rts: true };
  readonly #busy = new Set<Promise<unknown>>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    library: Kernel32,
    handle: Deno.PointerObject,
    path: string,
    settings: SerialSettings,
    original: Uint8Array,
    originalTimeouts: Uint8Array,
  ) {
    this.#library = library;
    this.#handle = handle;
    this.path = path;
    this.settings = Object.freeze(settings);
    this.#original = original;
    this.#originalTimeouts = originalTimeouts;
  }

  get closed(): boolean {
    return this.#closed;
  }

  #serial<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new StreamClosedError(this.path));
    const job = this.#queue.then(operation);
    this.#queue = job.catch(() => undefined);
    this.#busy.add(job);
    const forget = () => this.#busy.delete(job);
    job.then(forget, forget);
    return job;
  }

  write(data: Uint8Array): Promise<void> {
    const copy = data.slice();
    return this.#serial(async () => {
      const written = new Uint8Array(4);
      const ok = await this.#library.symbols.WriteFile(this.#handle, copy, copy.length, written, null);
      const count = new DataView(written.buffer).getUint32(0, true);
      if (!ok) throw portIoError(this.path, "WriteFile", "failed");
      if (count < copy.length) throw writeTimeoutError(this.path, count, copy.length, WRITE_SLACK_MS);
    });
  }

  read(length: number, timeoutMs: number): Promise<Uint8Array> {
    return this.#serial(async () => {
      const deadline = Date.now() + timeoutMs;
      while (this.#received.size < length) {
        if (this.#closed) throw new StreamClosedError(this.path);
        if (Date.now() >= deadline) throw new ReadTimeoutError(length, this.#received.size, timeoutMs);
        const got = new Uint8Array(4);
        // Returns what is buffered, or the first byte to arrive, or nothing after READ_SLICE_MS.
        const ok = await this.#library.symbols.ReadFile(this.#handle, this.#scratch, this.#scratch.length, got, null);
        if (!ok) throw portIoError(this.path, "ReadFile", "failed");
        const count = new DataView(got.buffer).getUint32(0, true);
        this.#received.push(this.#scratch.subarray(0, count), count > 0 ? this.#lineErrors(count) : []);
      }
      return this.#received.take(length);
    });
  }

  /**
   * The line errors since the last look (ClearCommError, which also clears them so reading goes on): with parity
   * on (DCB fParity), CE_RXPARITY or CE_FRAME mean a byte of what was just read came in damaged. Windows does not
   * say which, so every byte of the chunk is marked (lib/transport/parity.ts): the read taking them fails with
   * E_PARITY and the protocol asks again.
   */
  #lineErrors(count: number): number[] {
    const errors = new Uint8Array(4);
    if (!this.#library.symbols.ClearCommError(this.#handle, errors, null)) return [];
    return windowsLineErrorOffsets(new DataView(errors.buffer).getUint32(0, true), count);
  }

  discardInput(): Promise<void> {
    return this.#serial(() => {
      if (!this.#library.symbols.PurgeComm(this.#handle, PURGE.RXCLEAR)) {
        throw portIoError(this.path, "PurgeComm", win32Name(this.#library.symbols.GetLastError()));
      }
      this.#received.clear();
      return Promise.resolve();
    });
  }

  drain(): Promise<void> {
    return this.#serial(async () => {
      if (!await this.#library.symbols.FlushFileBuffers(this.#handle)) {
        throw portIoError(this.path, "FlushFileBuffers", "failed");
      }
    });
  }

  setLines(lines: LineStates): Promise<void> {
    return this.#serial(() => {
      for (const { line: name, code: escape } of escapeSteps(lines)) {
        if (!this.#library.symbols.EscapeCommFunction(this.#handle, escape)) {
          const code = this.#library.symbols.GetLastError();
          if (NO_LINES_ERRORS.has(code)) {
            throw noModemLinesError(this.path, `${name}: ${win32Name(code)}`);
          }
          throw portIoError(this.path, `EscapeCommFunction ${name}`, win32Name(code));
        }
      }
      if (lines.dtr !== undefined) this.#lines.dtr = lines.dtr;
      if (lines.rts !== undefined) this.#lines.rts = lines.rts;
      return Promise.resolve();
    });
  }

  getLines(): Promise<ModemLineStatus> {
    return this.#serial(() => {
      const status = new Uint8Array(4);
      if (!this.#library.symbols.GetCommModemStatus(this.#handle, status)) {
        throw noModemLinesError(this.path, win32Name(this.#library.symbols.GetLastError()));
      }
      const bits = new DataView(status.buffer).getUint32(0, true);
      return Promise.resolve({
        // Windows cannot read back the outputs; these are the states last set (asserted at open).
        dtr: this.#lines.dtr,
        rts: this.#lines.rts,
        cts: (bits & MODEM_STATUS.CTS_ON) !== 0,
        dsr: (bits & MODEM_STATUS.DSR_ON) !== 0,
        dcd: (bits & MODEM_STATUS.RLSD_ON) !== 0,
        ri: (bits & MODEM_STATUS.RING_ON) !== 0,
      });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#busy.size > 0) await Promise.allSettled([...this.#busy]);
    const k = this.#library.symbols;
    const failures: string[] = [];
    const step = (what: string, ok: number) => {
      if (ok) return;
      const code = k.GetLastError();
      // A device that went away cannot be restored; that is no reason to complain on close.
      if (!GONE_ERRORS.has(code)) failures.push(`${what}: ${win32Name(code)}`);
    };
    try {
      step("SetCommState", k.SetCommState(this.#handle, this.#original));
      step("SetCommTimeouts", k.SetCommTimeouts(this.#handle, this.#originalTimeouts));
      step("CloseHandle", k.CloseHandle(this.#handle));
    } finally {
      this.#library.close();
    }
    if (failures.length > 0) throw portIoError(this.path, "close", failures.join("; "));
  }
}
