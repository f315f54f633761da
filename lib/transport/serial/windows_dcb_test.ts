import assert from "node:assert/strict";
import {
  commTimeouts,
  DCB_SIZE,
  decodeDcb,
  encodeCommTimeouts,
  encodeDcb,
  utf16z,
  windowsDevicePath,
} from "./windows_dcb.ts";

// Expected bytes worked out by hand from the SDK's DCB declaration (winbase.h): DCBlength, BaudRate, then the
// bitfield DWORD fBinary(b0) fParity(b1) fOutxCtsFlow(b2) fOutxDsrFlow(b3) fDtrControl(b4-5)
// fDsrSensitivity(b6) fTXContinueOnXoff(b7) fOutX(b8) fInX(b9) fErrorChar(b10) fNull(b11) fRtsControl(b12-13)
// fAbortOnError(b14) fDummy2(b15-31), WORD wReserved, XonLim, XoffLim, BYTE ByteSize, Parity, StopBits,
// char XonChar, XoffChar, ErrorChar, EofChar, EvtChar, WORD wReserved1.

Deno.test("DCB: 115200 8E1 from a zeroed base", () => {
  const dcb = encodeDcb({ baudRate: 115200, dataBits: 8, parity: "even", stopBits: 1 });
  assert.equal(dcb.length, DCB_SIZE);
  assert.deepEqual([...dcb], [
    0x1c,
    0x00,
    0x00,
    0x00, // DCBlength = 28
    0x00,
    0xc2,
    0x01,
    0x00, // BaudRate = 115200 = 0x0001C200
    0x13,
    0x10,
    0x00,
    0x00, // fBinary | fParity | DTR_CONTROL_ENABLE<<4 | RTS_CONTROL_ENABLE<<12 = 0x1013
    0x00,
    0x00, // wReserved
    0x00,
    0x00, // XonLim
    0x00,
    0x00, // XoffLim
    0x08, // ByteSize
    0x02, // Parity = EVENPARITY
    0x00, // StopBits = ONESTOPBIT
    0x11, // XonChar = DC1 (SetCommState rejects XonChar == XoffChar)
    0x13, // XoffChar = DC3
    0x00, // ErrorChar
    0x00, // EofChar
    0x00, // EvtChar
    0x00,
    0x00, // wReserved1
  ]);
});

Deno.test("DCB: 57600 7O2 over a typical GetCommState result keeps what it does not own", () => {
  // A DCB as a USB-serial driver reports it after boot: 9600 8N1, fBinary, DTR/RTS enabled, fOutX/fInX on,
  // fNull and fAbortOnError on, one reserved bit (b20) set, XonLim 2048, XoffLim 512, EofChar 0x1A.
  const base = new Uint8Array([
    0x1c,
    0x00,
    0x00,
    0x00,
    0x80,
    0x25,
    0x00,
    0x00, // 9600
    0x11,
    0x5b,
    0x10,
    0x00, // 0x00105B11: fBinary, DTR enable, fOutX, fInX, fNull, RTS enable, fAbortOnError, b20
    0x00,
    0x00,
    0x00,
    0x08, // XonLim 2048
    0x00,
    0x02, // XoffLim 512
    0x08,
    0x00,
    0x00,
    0x11,
    0x13,
    0x00,
    0x1a,
    0x00,
    0x00,
    0x00,
  ]);
  const dcb = encodeDcb({ baudRate: 57600, dataBits: 7, parity: "odd", stopBits: 2 }, base);
  assert.deepEqual([...dcb], [
    0x1c,
    0x00,
    0x00,
    0x00,
    0x00,
    0xe1,
    0x00,
    0x00, // 57600 = 0xE100
    0x13,
    0x10,
    0x10,
    0x00, // 0x1013 plus reserved b20 kept; fOutX, fInX, fNull, fAbortOnError cleared
    0x00,
    0x00,
    0x00,
    0x08,
    0x00,
    0x02,
    0x07, // ByteSize 7
    0x01, // ODDPARITY
    0x02, // TWOSTOPBITS
    0x11,
    0x13,
    0x00,
    0x1a,
    0x00,
    0x00,
    0x00,
  ]);
  assert.deepEqual([...base.subarray(4, 8)], [0x80, 0x25, 0x00, 0x00], "the base is not modified");
});

Deno.test("DCB: decode reads back what encode wrote; no parity clears fParity", () => {
  const dcb = encodeDcb({ baudRate: 250000, dataBits: 8, parity: "none", stopBits: 1 });
  assert.deepEqual(decodeDcb(dcb), { baudRate: 250000, dataBits: 8, parity: "none", stopBits: 1, flags: 0x1011 });
  assert.throws(() => encodeDcb({ baudRate: 9600, dataBits: 8, parity: "none", stopBits: 1 }, new Uint8Array(27)));
});

Deno.test("COMMTIMEOUTS: poll-like reads, bounded writes, 20 bytes", () => {
  const timeouts = commTimeouts({ baudRate: 115200, dataBits: 8, parity: "even", stopBits: 1 }, 50, 3000);
  assert.deepEqual([...encodeCommTimeouts(timeouts)], [
    0xff,
    0xff,
    0xff,
    0xff, // ReadIntervalTimeout = MAXDWORD
    0xff,
    0xff,
    0xff,
    0xff, // ReadTotalTimeoutMultiplier = MAXDWORD
    0x32,
    0x00,
    0x00,
    0x00, // ReadTotalTimeoutConstant = 50
    0x01,
    0x00,
    0x00,
    0x00, // WriteTotalTimeoutMultiplier = ceil(2 * 11 bits * 1000 / 115200) = 1 ms/byte
    0xb8,
    0x0b,
    0x00,
    0x00, // WriteTotalTimeoutConstant = 3000
  ]);
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
