/**
 * Pure encoding of the Windows serial structures — `DCB` (device control block) and `COMMTIMEOUTS` — plus
 * the kernel32 constants the Windows port uses. Kept free of FFI so it can be tested byte for byte on any OS.
 *
 * Layouts from the Windows SDK (winbase.h), as documented at learn.microsoft.com "DCB structure (winbase.h)"
 * and "COMMTIMEOUTS structure (winbase.h)".
 *
 * @module
 */

import type { SerialSettings } from "./settings.ts";

/** `sizeof(DCB)`: DWORD DCBlength, DWORD BaudRate, DWORD bitfields, WORD wReserved, WORD XonLim, WORD XoffLim,
 * BYTE ByteSize, BYTE Parity, BYTE StopBits, char XonChar, XoffChar, ErrorChar, EofChar, EvtChar,
 * WORD wReserved1 = 28 bytes. */
export const DCB_SIZE = 28;

/** Byte offsets of the DCB fields (winbase.h). */
export const DCB_OFFSETS = {
  DCBlength: 0,
  BaudRate: 4,
  flags: 8,
  wReserved: 12,
  XonLim: 14,
  XoffLim: 16,
  ByteSize: 18,
  Parity: 19,
  StopBits: 20,
  XonChar: 21,
  XoffChar: 22,
  ErrorChar: 23,
  EofChar: 24,
  EvtChar: 25,
  wReserved1: 26,
} as const;

/** Bit positions in the DCB's bitfield DWORD, in declaration order (winbase.h: fBinary:1 first). */
export const DCB_BITS = {
  fBinary: 1 << 0,
  fParity: 1 << 1,
  fOutxCtsFlow: 1 << 2,
  fOutxDsrFlow: 1 << 3,
  /** fDtrControl:2 at bits 4-5 */
  fDtrControlShift: 4,
  fDsrSensitivity: 1 << 6,
  fTXContinueOnXoff: 1 << 7,
  fOutX: 1 << 8,
  fInX: 1 << 9,
  fErrorChar: 1 << 10,
  fNull: 1 << 11,
  /** fRtsControl:2 at bits 12-13 */
  fRtsControlShift: 12,
  fAbortOnError: 1 << 14,
  /** fDummy2:17 at bits 15-31, reserved: kept as GetCommState returned them. */
  reservedMask: 0xffff8000,
} as const;

/** DCB Parity values (winbase.h NOPARITY, ODDPARITY, EVENPARITY). */
export const DCB_PARITY = { none: 0, odd: 1, even: 2 } as const;
/** DCB StopBits values (winbase.h ONESTOPBIT, TWOSTOPBITS; ONE5STOPBITS = 1 is not used). */
export const DCB_STOP_BITS = { 1: 0, 2: 2 } as const;
/** fDtrControl / fRtsControl values (winbase.h DTR_CONTROL_ENABLE, RTS_CONTROL_ENABLE). */
export const LINE_CONTROL_ENABLE = 1;

/** Default XON/XOFF characters (DC1/DC3); SetCommState rejects a DCB whose XonChar equals XoffChar. */
const XON = 0x11;
const XOFF = 0x13;

/** Decoded DCB fields this project cares about. */
export interface DcbSummary {
  baudRate: number;
  dataBits: number;
  parity: "none" | "odd" | "even" | "mark" | "space";
  stopBits: 1 | 1.5 | 2;
  /** The bitfield DWORD as is. */
  flags: number;
}

/**
 * Builds the DCB to pass to SetCommState: `base` (from GetCommState, or zeros) with binary mode, raw
 * transfer and the given framing. Everything that could alter the byte stream is off: no flow control
 * (CTS/DSR/XON/XOFF), no NUL stripping (fNull), no error-character replacement, no abort on error. DTR and RTS
 * are asserted (DTR_CONTROL_ENABLE, RTS_CONTROL_ENABLE) as POSIX opens do; EscapeCommFunction moves them later.
 */
export function encodeDcb(settings: SerialSettings, base?: Uint8Array): Uint8Array {
  if (base && base.length !== DCB_SIZE) throw new RangeError(`a DCB is ${DCB_SIZE} bytes, got ${base.length}`);
  const dcb = base ? base.slice() : new Uint8Array(DCB_SIZE);
  const view = new DataView(dcb.buffer);
  const o = DCB_OFFSETS;
  view.setUint32(o.DCBlength, DCB_SIZE, true);
  view.setUint32(o.BaudRate, settings.baudRate, true);
  const reserved = view.getUint32(o.flags, true) & DCB_BITS.reservedMask;
  let flags = DCB_BITS.fBinary; // "Windows does not support nonbinary mode transfers, so this member must be TRUE."
  if (settings.parity !== "none") flags |= DCB_BITS.fParity;
  flags |= LINE_CONTROL_ENABLE << DCB_BITS.fDtrControlShift;
  flags |= LINE_CONTROL_ENABLE << DCB_BITS.fRtsControlShift;
  view.setUint32(o.flags, (reserved | flags) >>> 0, true);
  view.setUint16(o.wReserved, 0, true); // "Reserved; must be zero."
  dcb[o.ByteSize] = settings.dataBits;
  dcb[o.Parity] = DCB_PARITY[settings.parity];
  dcb[o.StopBits] = DCB_STOP_BITS[settings.stopBits];
  if (dcb[o.XonChar] === dcb[o.XoffChar]) {
    dcb[o.XonChar] = XON;
    dcb[o.XoffChar] = XOFF;
  }
  return dcb;
}

/** Reads back the framing and rate of a DCB. */
export function decodeDcb(dcb: Uint8Array): DcbSummary {
  if (dcb.length !== DCB_SIZE) throw new RangeError(`a DCB is ${DCB_SIZE} bytes, got ${dcb.length}`);
  const view = new DataView(dcb.buffer, dcb.byteOffset, dcb.byteLength);
  const o = DCB_OFFSETS;
  const parities = ["none", "odd", "even", "mark", "space"] as const;
  const stops = [1, 1.5, 2] as const;
  return {
    baudRate: view.getUint32(o.BaudRate, true),
    dataBits: dcb[o.ByteSize],
    parity: parities[dcb[o.Parity]] ?? "none",
    stopBits: stops[dcb[o.StopBits]] ?? 1,
    flags: view.getUint32(o.flags, true),
  };
}

/** `sizeof(COMMTIMEOUTS)`: five DWORDs. */
export const COMMTIMEOUTS_SIZE = 20;

/** MAXDWORD (winnt.h). */
export const MAXDWORD = 0xffffffff;

/** COMMTIMEOUTS fields in declaration order (winbase.h). */
export interface CommTimeouts {
  ReadIntervalTimeout: number;
  ReadTotalTimeoutMultiplier: number;
  ReadTotalTimeoutConstant: number;
  WriteTotalTimeoutMultiplier: number;
  WriteTotalTimeoutConstant: number;
}

/**
 * Timeouts for poll-like reads and bounded writes. With ReadIntervalTimeout and ReadTotalTimeoutMultiplier
 * both MAXDWORD and a constant between 0 and MAXDWORD, ReadFile returns at once with whatever is buffered,
 * else as soon as one byte arrives, else after `readSliceMs` with nothing (COMMTIMEOUTS remarks). A write
 * may take twice the wire time of its bytes (rounded up to whole ms per byte) plus `writeSlackMs`.
 */
export function commTimeouts(settings: SerialSettings, readSliceMs: number, writeSlackMs: number): CommTimeouts {
  const bitsPerCharacter = 1 + settings.dataBits + (settings.parity === "none" ? 0 : 1) + settings.stopBits;
  return {
    ReadIntervalTimeout: MAXDWORD,
    ReadTotalTimeoutMultiplier: MAXDWORD,
    ReadTotalTimeoutConstant: readSliceMs,
    WriteTotalTimeoutMultiplier: Math.max(1, Math.ceil((2 * bitsPerCharacter * 1000) / settings.baudRate)),
    WriteTotalTimeoutConstant: writeSlackMs,
  };
}

/** The 20 bytes of a COMMTIMEOUTS structure. */
export function encodeCommTimeouts(timeouts: CommTimeouts): Uint8Array {
  const bytes = new Uint8Array(COMMTIMEOUTS_SIZE);
  const view = new DataView(bytes.buffer);
  const values = [
    timeouts.ReadIntervalTimeout,
    timeouts.ReadTotalTimeoutMultiplier,
    timeouts.ReadTotalTimeoutConstant,
    timeouts.WriteTotalTimeoutMultiplier,
    timeouts.WriteTotalTimeoutConstant,
  ];
  values.forEach((value, index) => view.setUint32(index * 4, value >>> 0, true));
  return bytes;
}

/** EscapeCommFunction codes (winbase.h). */
export const ESCAPE = {
  SETRTS: 3,
  CLRRTS: 4,
  SETDTR: 5,
  CLRDTR: 6,
  SETBREAK: 8,
  CLRBREAK: 9,
} as const;

/** PurgeComm flags (winbase.h). */
export const PURGE = { TXABORT: 0x1, RXABORT: 0x2, TXCLEAR: 0x4, RXCLEAR: 0x8 } as const;

/** PurgeComm flags at open: stale bytes from before we owned the port are not ours to read. */
export const PURGE_ON_OPEN: number = PURGE.RXCLEAR | PURGE.RXABORT;

/** Lines {@linkcode escapeSteps} can move, with the name used in messages. */
export interface EscapeStep {
  /** `DTR`, `RTS` or `BREAK`. */
  line: "DTR" | "RTS" | "BREAK";
  /** The EscapeCommFunction code (a u32 argument). */
  code: number;
}

/**
 * The EscapeCommFunction calls that set DTR, RTS and BREAK as asked, in that order; lines left `undefined` are
 * not touched.
 */
export function escapeSteps(lines: { dtr?: boolean; rts?: boolean; brk?: boolean }): EscapeStep[] {
  const steps: EscapeStep[] = [];
  if (lines.dtr !== undefined) steps.push({ line: "DTR", code: lines.dtr ? ESCAPE.SETDTR : ESCAPE.CLRDTR });
  if (lines.rts !== undefined) steps.push({ line: "RTS", code: lines.rts ? ESCAPE.SETRTS : ESCAPE.CLRRTS });
  if (lines.brk !== undefined) steps.push({ line: "BREAK", code: lines.brk ? ESCAPE.SETBREAK : ESCAPE.CLRBREAK });
  return steps;
}

/** GetCommModemStatus bits (winbase.h). */
export const MODEM_STATUS = { CTS_ON: 0x10, DSR_ON: 0x20, RING_ON: 0x40, RLSD_ON: 0x80 } as const;

/** CreateFileW arguments (winnt.h / fileapi.h). */
export const CREATE_FILE = {
  GENERIC_READ: 0x80000000,
  GENERIC_WRITE: 0x40000000,
  /**
   * GENERIC_READ | GENERIC_WRITE as an unsigned 32-bit value. In JavaScript `0x80000000 | 0x40000000` is
   * -1073741824 (bitwise operators yield signed 32-bit results), which Deno FFI refuses for a `u32`
   * parameter with a TypeError before kernel32 is ever called.
   */
  GENERIC_READ_WRITE: 0xC0000000,
  OPEN_EXISTING: 3,
} as const;

/** INVALID_HANDLE_VALUE, `(HANDLE)-1` (handleapi.h), as the 64-bit pointer value Deno reports. */
export const INVALID_HANDLE_VALUE = 0xffffffffffffffffn;

/**
 * The exact CreateFileW arguments that open a COM port: read and write access as one unsigned mask, no sharing
 * (serial devices are exclusive anyway), no security attributes, OPEN_EXISTING, synchronous I/O (no
 * FILE_FLAG_OVERLAPPED), no template. Every integer is a valid `u32` for Deno FFI.
 */
export function createFileArguments(
  path: string,
): [
  fileName: Uint8Array,
  desiredAccess: number,
  shareMode: 0,
  security: null,
  disposition: number,
  flags: 0,
  template: null,
] {
  return [utf16z(windowsDevicePath(path)), CREATE_FILE.GENERIC_READ_WRITE, 0, null, CREATE_FILE.OPEN_EXISTING, 0, null];
}

/** GetLastError codes (winerror.h) the port distinguishes. */
export const WIN32_ERRORS = {
  ERROR_INVALID_FUNCTION: 1,
  ERROR_FILE_NOT_FOUND: 2,
  ERROR_PATH_NOT_FOUND: 3,
  ERROR_ACCESS_DENIED: 5,
  ERROR_INVALID_HANDLE: 6,
  ERROR_BAD_COMMAND: 22,
  ERROR_GEN_FAILURE: 31,
  ERROR_SHARING_VIOLATION: 32,
  ERROR_NOT_SUPPORTED: 50,
  ERROR_INVALID_PARAMETER: 87,
  ERROR_INVALID_NAME: 123,
  ERROR_OPERATION_ABORTED: 995,
  ERROR_DEVICE_NOT_CONNECTED: 1167,
} as const;

/** `COM3` -> `\\.\COM3` (required from COM10 on, harmless below); other paths are kept. */
export function windowsDevicePath(path: string): string {
  return /^COM\d+$/i.test(path) ? `\\\\.\\${path.toUpperCase()}` : path;
}

/** NUL-terminated UTF-16LE for the W functions. */
export function utf16z(text: string): Uint8Array {
  const bytes = new Uint8Array((text.length + 1) * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < text.length; i++) view.setUint16(i * 2, text.charCodeAt(i), true);
  return bytes;
}
