import assert from "node:assert/strict";
import { POSIX_PLATFORMS } from "./posix_constants.ts";
import { applySettings, baudEncoding, summarizeTermios, Termios } from "./termios.ts";

const linux = POSIX_PLATFORMS["linux-x86_64"];
const mac = POSIX_PLATFORMS["darwin-aarch64"];

/** A cooked terminal as a login shell leaves it: ICRNL|IXON, OPOST, ISIG|ICANON|ECHO|IEXTEN, 38400 8N1. */
function cookedLinux(): Termios {
  const t = new Termios(linux.termios);
  t.iflag = 0x100 | 0x400; // ICRNL | IXON
  t.oflag = 0x1 | 0x4; // OPOST | ONLCR
  t.cflag = 0o17 | 0x30 | 0x80; // B38400 | CS8 | CREAD
  t.lflag = 0x1 | 0x2 | 0x8 | 0x8000; // ISIG | ICANON | ECHO | IEXTEN
  t.setCc(linux.flags.VMIN, 1);
  t.bytes[16] = 0; // c_line N_TTY
  return t;
}

Deno.test("termios: Linux termios2 is 44 bytes with speeds at 36/40 (TCGETS2 size field 0x2c)", () => {
  assert.equal(linux.termios.size, 44);
  assert.equal((linux.ioctl.TCGETS2 >>> 16) & 0x3fff, linux.termios.size);
  assert.equal((linux.ioctl.TCSETS2 >>> 16) & 0x3fff, linux.termios.size);
  assert.equal(linux.termios.cc + linux.termios.nccs, linux.termios.ispeed);
  assert.deepEqual(POSIX_PLATFORMS["linux-aarch64"].termios, linux.termios);
});

Deno.test("termios: 115200 8E1 on Linux: raw flags, CS8|PARENB|CREAD|CLOCAL|B115200, VMIN=VTIME=0", () => {
  const t = cookedLinux();
  applySettings(t, linux, { baudRate: 115200, dataBits: 8, parity: "even", stopBits: 1 });
  // Parity checked and marked (INPCK|PARMRK), nothing else of the input processing.
  assert.equal(t.iflag, linux.flags.INPCK | linux.flags.PARMRK);
  assert.equal(t.oflag & 0x1, 0);
  assert.equal(t.lflag, 0);
  assert.equal(t.cflag, 0x1002 | 0x30 | 0x100 | 0x80 | 0x800);
  assert.equal(t.cc(linux.flags.VMIN), 0);
  assert.equal(t.cc(linux.flags.VTIME), 0);
  assert.equal(t.ospeed, 115200);
  // the raw bytes at the kernel's offsets: c_cflag little-endian at 8
  assert.deepEqual([...t.bytes.subarray(8, 12)], [0xb2, 0x19, 0x00, 0x00]);
  assert.deepEqual(summarizeTermios(t, linux), {
    raw: true,
    dataBits: 8,
    parity: "even",
    stopBits: 1,
    baudRate: 115200,
  });
});

Deno.test("termios: a non-standard rate on Linux uses BOTHER and the number in c_ispeed/c_ospeed", () => {
  const t = cookedLinux();
  assert.deepEqual(baudEncoding(linux, 250000), { kind: "custom" });
  applySettings(t, linux, { baudRate: 250000, dataBits: 7, parity: "odd", stopBits: 2 });
  assert.equal(t.cflag & linux.flags.CBAUD, linux.flags.BOTHER);
  assert.equal(t.cflag & linux.flags.CIBAUD, 0);
  assert.deepEqual([...t.bytes.subarray(36, 44)], [0x90, 0xd0, 0x03, 0x00, 0x90, 0xd0, 0x03, 0x00]);
  const summary = summarizeTermios(t, linux);
  assert.deepEqual(summary, { raw: true, dataBits: 7, parity: "odd", stopBits: 2, baudRate: 250000 });
});

Deno.test("termios: a cooked terminal is not raw", () => {
  const summary = summarizeTermios(cookedLinux(), linux);
  assert.equal(summary.raw, false);
  assert.equal(summary.baudRate, 38400);
  assert.equal(summary.parity, "none");
});

Deno.test("termios: macOS layout has 8-byte flags and speeds (speeds at 56 and 64)", () => {
  const t = new Termios(mac.termios);
  t.lflag = mac.flags.ICANON | mac.flags.ECHO;
  applySettings(t, mac, { baudRate: 230400, dataBits: 8, parity: "none", stopBits: 1 });
  assert.equal(t.lflag, 0);
  assert.equal(t.cflag, 0x300 | 0x800 | 0x8000);
  assert.deepEqual([...t.bytes.subarray(56, 72)], [0x00, 0x84, 0x03, 0, 0, 0, 0, 0, 0x00, 0x84, 0x03, 0, 0, 0, 0, 0]);
  assert.equal(t.bytes[32 + 16], 0); // VMIN
  assert.equal(summarizeTermios(t, mac).baudRate, 230400);
});

Deno.test("termios: a rate macOS has no B-code for leaves the speed fields for IOSSIOSPEED", () => {
  const t = new Termios(mac.termios);
  t.ospeed = 9600;
  t.ispeed = 9600;
  applySettings(t, mac, { baudRate: 250000, dataBits: 8, parity: "even", stopBits: 1 });
  assert.equal(t.ospeed, 9600);
  assert.equal(t.cflag & mac.flags.PARENB, mac.flags.PARENB);
});

Deno.test("termios: the structure size is enforced and c_cc indexes are bounded", () => {
  assert.throws(() => new Termios(linux.termios, new Uint8Array(60)), RangeError);
  assert.throws(() => new Termios(linux.termios).cc(19), RangeError);
});

Deno.test("termios: without parity no input parity checking (INPCK, PARMRK clear)", () => {
  const t = cookedLinux();
  applySettings(t, linux, { baudRate: 115200, dataBits: 8, parity: "none", stopBits: 1 });
  assert.equal(t.iflag, 0);
});
