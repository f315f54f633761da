import assert from "node:assert/strict";
import {
  commTimeouts,
  CREATE_FILE,
  DCB_SIZE,
  decodeDcb,
  encodeCommTimeouts,
  encodeDcb,
  utf16z,
  windowsDevicePath,
} from "./windows_dcb.ts";

// Expected bytes are laid out by hand from the SDK's DCB declaration (winbase.h): DCBlength, BaudRate, then the
// bitfield DWORD fBinary(b0) fParity(b1) fOutxCtsFlow(b2) fOutxDsrFlow(b3) fDtrControl(b4-5)
// fDsrSensitivity(b6) fTXContinueOnXoff(b7) fOutX(b8) fInX(b9) fErrorChar(b10) fNull(b11) fRtsControl(b12-13)
// fAbortOnError(b14) fDummy2(b15-31), WORD wReserved, XonLim, XoffLim, BYTE ByteSize, Parity, StopBits,
// char XonChar, XoffChar, ErrorChar, EofChar, EvtChar, WORD wReserved1.
const DCB_LAYOUT = [
  ["DCBlength", 4],
  ["BaudRate", 4],
  ["flags", 4],
  ["wReserved", 2],
  ["XonLim", 2],
  ["XoffLim", 2],
  ["ByteSize", 1],
  ["Parity", 1],
  ["StopBits", 1],
  ["XonChar", 1],
  ["XoffChar", 1],
  ["ErrorChar", 1],
  ["EofChar", 1],
  ["EvtChar", 1],
  ["wReserved1", 2],
] as const;

// COMMTIMEOUTS (winbase.h): five DWORDs.
const COMMTIMEOUTS_LAYOUT = [
  ["ReadIntervalTimeout", 4],
  ["ReadTotalTimeoutMultiplier", 4],
  ["ReadTotalTimeoutConstant", 4],
  ["WriteTotalTimeoutMultiplier", 4],
  ["WriteTotalTimeoutConstant", 4],
] as const;

/** Little-endian bytes of a packed struct: each field of `layout` in order, 0 where `values` has none. */
function struct<Name extends string>(
  layout: readonly (readonly [Name, number])[],
  values: Partial<Record<Name, number>>,
): number[] {
  const bytes: number[] = [];
  for (const [name, size] of layout) {
    const value = values[name] ?? 0;
    for (let i = 0; i < size; i++) bytes.push(Math.floor(value / 256 ** i) % 256);
  }
  return bytes;
}

Deno.test("DCB: 115200 8E1 from a zeroed base", () => {
  const dcb = encodeDcb({ baudRate: 115200, dataBits: 8, parity: "even", stopBits: 1 });
  assert.equal(dcb.length, DCB_SIZE);
  assert.deepEqual(
    [...dcb],
    struct(DCB_LAYOUT, {
      DCBlength: 28,
      BaudRate: 115200,
      flags: 0x1013, // fBinary | fParity | DTR_CONTROL_ENABLE<<4 | RTS_CONTROL_ENABLE<<12
      ByteSize: 8,
      Parity: 2, // EVENPARITY
      StopBits: 0, // ONESTOPBIT
      XonChar: 0x11, // DC1 (SetCommState rejects XonChar == XoffChar)
      XoffChar: 0x13, // DC3
    }),
  );
});

Deno.test("DCB: 57600 7O2 over a typical GetCommState result keeps what it does not own", () => {
  // A DCB as a USB-serial driver reports it after boot: 9600 8N1, fBinary, DTR/RTS enabled, fOutX/fInX on,
  // fNull and fAbortOnError on, one reserved bit (b20) set, XonLim 2048, XoffLim 512, EofChar 0x1A.
  const driver = {
    DCBlength: 28,
    XonLim: 2048,
    XoffLim: 512,
    XonChar: 0x11,
    XoffChar: 0x13,
    EofChar: 0x1a,
  };
  const base = new Uint8Array(struct(DCB_LAYOUT, {
    ...driver,
    BaudRate: 9600,
    // fBinary, DTR enable, fOutX, fInX, fNull, RTS enable, fAbortOnError, b20
    flags: 0x0010_5b11,
    ByteSize: 8,
  }));
  const dcb = encodeDcb({ baudRate: 57600, dataBits: 7, parity: "odd", stopBits: 2 }, base);
  assert.deepEqual(
    [...dcb],
    struct(DCB_LAYOUT, {
      ...driver,
      BaudRate: 57600,
      flags: 0x0010_1013, // 0x1013 plus reserved b20 kept; fOutX, fInX, fNull, fAbortOnError cleared
      ByteSize: 7,
      Parity: 1, // ODDPARITY
      StopBits: 2, // TWOSTOPBITS
    }),
  );
  assert.deepEqual([...base.subarray(4, 8)], [0x80, 0x25, 0x00, 0x00], "the base is not modified");
});

Deno.test("DCB: decode reads back what encode wrote; no parity clears fParity", () => {
  const dcb = encodeDcb({ baudRate: 250000, dataBits: 8, parity: "none", stopBits: 1 });
  assert.deepEqual(decodeDcb(dcb), { baudRate: 250000, dataBits: 8, parity: "none", stopBits: 1, flags: 0x1011 });
  assert.throws(() => encodeDcb({ baudRate: 9600, dataBits: 8, parity: "none", stopBits: 1 }, new Uint8Array(27)));
});

Deno.test("COMMTIMEOUTS: poll-like reads, bounded writes, 20 bytes", () => {
  const timeouts = commTimeouts({ baudRate: 115200, dataBits: 8, parity: "even", stopBits: 1 }, 50, 3000);
  assert.deepEqual(
    [...encodeCommTimeouts(timeouts)],
    struct(COMMTIMEOUTS_LAYOUT, {
      ReadIntervalTimeout: 0xffff_ffff, // MAXDWORD
      ReadTotalTimeoutMultiplier: 0xffff_ffff, // MAXDWORD
      ReadTotalTimeoutConstant: 50,
      WriteTotalTimeoutMultiplier: 1, // ceil(2 * 11 bits * 1000 / 115200) = 1 ms/byte
      WriteTotalTimeoutConstant: 3000,
    }),
  );
  // 9600 8N1: 10 bits per character -> 2 * 10 * 1000 / 9600 = 2.08 -> 3 ms per byte
  assert.equal(
    commTimeouts({ baudRate: 9600, dataBits: 8, parity: "none", stopBits: 1 }, 50, 0)
      .WriteTotalTimeoutMultiplier,
    3,
  );
});

Deno.test("Windows paths: COMn gets the \\\\.\\ prefix, NUL-terminated UTF-16LE", () => {
  assert.equal(windowsDevicePath("COM3"), "\\\\.\\COM3");
  assert.equal(windowsDevicePath("com12"), "\\\\.\\COM12");
  assert.equal(windowsDevicePath("\\\\.\\COM12"), "\\\\.\\COM12");
  assert.deepEqual([...utf16z("C1")], [0x43, 0x00, 0x31, 0x00, 0x00, 0x00]);
});

Deno.test("CREATE_FILE.GENERIC_READ_WRITE is both access rights as an unsigned 32-bit value", () => {
  assert.equal(CREATE_FILE.GENERIC_READ_WRITE, (CREATE_FILE.GENERIC_READ | CREATE_FILE.GENERIC_WRITE) >>> 0);
  assert.ok(CREATE_FILE.GENERIC_READ_WRITE > 0 && CREATE_FILE.GENERIC_READ_WRITE <= 0xffffffff);
});
