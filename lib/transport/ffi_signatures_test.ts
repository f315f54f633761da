// Every `Deno.dlopen` declaration of the transports (kernel32, libc, libusb) called through a real `Deno.dlopen`
// with the extreme values the production code passes, on Linux: a stand-in C library generated from the very
// declaration objects (tests/helpers/ffi_stand_in.ts) has the same C parameter types, logs what it received and
// returns what the test asks. Deno converts and checks arguments exactly as for the real library, so a negative
// number for a `u32` (issue 13: `GENERIC_READ | GENERIC_WRITE` is -1073741824 in JavaScript), a fraction, an
// `i32` overflow or a `number` where a `bigint` belongs throws here as it would on Windows, macOS or Linux.
//
// Coverage is derived, not listed: each test ends by checking that every symbol of its declaration object was
// called, so a symbol added later without a case fails the test.

import assert from "node:assert/strict";
import { buildStandIn, cFunctions, haveGcc, type LoggedCall, type StandIn } from "../../tests/helpers/ffi_stand_in.ts";
import { Libc, LIBC_SYMBOLS, POLL_TIMEOUT_MAX_MS } from "./serial/libc.ts";
import { encodeRecordLock, POSIX_PLATFORMS, ptyOpenFlags, serialOpenFlags } from "./serial/posix_constants.ts";
import { COMMTIMEOUTS_SIZE, DCB_SIZE, PURGE, PURGE_ON_OPEN } from "./serial/windows_dcb.ts";
import { KERNEL32, openWindowsSerialPort, READ_CHUNK_BYTES } from "./serial/windows_port.ts";
import { controlTransferArguments, LIBUSB_SYMBOLS, LIBUSB_TIMEOUT_MAX_MS, loadLibusb } from "./usb/libusb_ffi.ts";
import { DeviceError } from "../errors.ts";

const gcc = Deno.build.os === "linux" && await haveGcc();
const ignore = !gcc;
if (ignore) {
  console.warn(
    "ffi_signatures_test: SKIPPED: needs Linux with gcc (the stand-in libraries are compiled at test time); " +
      "install gcc to run it",
  );
}

/** Every C function of `declarations` that the log shows called. */
function assertAllCalled(declarations: Deno.ForeignLibraryInterface, called: Set<string>): void {
  const missing = [...cFunctions(declarations).keys()].filter((name) => !called.has(name));
  assert.deepEqual(missing, [], `declared symbols without a case in this test: ${missing.join(", ")}`);
  // Symbols bound under another key (pollAsync -> poll) must be called through that key too.
  for (const [key, declaration] of Object.entries(declarations)) {
    if (!("parameters" in declaration)) continue;
    assert.ok(covered.has(key), `symbol ${key} has no case in this test`);
  }
}

/** Keys of declaration objects whose symbol a case has called. */
const covered = new Set<string>();

function pointerValue(buffer: Uint8Array | BigUint64Array): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer)));
}

const u64 = (value: number | bigint) => BigInt.asUintN(64, BigInt(value));

function callsTo(log: LoggedCall[], name: string): bigint[][] {
  return log.filter((call) => call.name === name).map((call) => call.args);
}

// ---------------------------------------------------------------------------------------------------- kernel32

/** A COM port's state kept by the stand-in: GetCommState returns what SetCommState stored, and so on. */
const KERNEL32_PORT = `
static unsigned char fr_dcb[${DCB_SIZE}] = { ${DCB_SIZE} };
static unsigned char fr_timeouts[${COMMTIMEOUTS_SIZE}];
int32_t GetCommState(void *h, void *dcb) {
  int32_t ok = fr_rec_GetCommState(h, dcb); if (ok) memcpy(dcb, fr_dcb, sizeof fr_dcb); return ok; }
int32_t SetCommState(void *h, void *dcb) {
  int32_t ok = fr_rec_SetCommState(h, dcb); if (ok) memcpy(fr_dcb, dcb, sizeof fr_dcb); return ok; }
int32_t GetCommTimeouts(void *h, void *t) {
  int32_t ok = fr_rec_GetCommTimeouts(h, t); if (ok) memcpy(t, fr_timeouts, sizeof fr_timeouts); return ok; }
int32_t SetCommTimeouts(void *h, void *t) {
  int32_t ok = fr_rec_SetCommTimeouts(h, t); if (ok) memcpy(fr_timeouts, t, sizeof fr_timeouts); return ok; }
/* One byte (0x79, an ACK) per read; every write taken whole. */
int32_t ReadFile(void *h, void *buffer, uint32_t n, void *got, void *overlapped) {
  int32_t ok = fr_rec_ReadFile(h, buffer, n, got, overlapped);
  uint32_t count = n > 0 ? 1 : 0;
  if (count) ((unsigned char *)buffer)[0] = 0x79;
  memcpy(got, &count, 4);
  return ok; }
int32_t WriteFile(void *h, void *buffer, uint32_t n, void *written, void *overlapped) {
  int32_t ok = fr_rec_WriteFile(h, buffer, n, written, overlapped); memcpy(written, &n, 4); return ok; }
`;

function kernel32PortResults(standIn: StandIn): void {
  for (const name of cFunctions(KERNEL32).keys()) standIn.setResult(name, 1);
  standIn.setResult("CreateFileW", 0x1234);
  standIn.setResult("GetLastError", 0);
}

Deno.test({
  name: "FFI kernel32: open, write, read, lines, drain, purge and close of a COM port run their real call sites",
  ignore,
  async fn() {
    const kernel32 = await buildStandIn(KERNEL32, {
      extraSource: KERNEL32_PORT,
      overrides: ["GetCommState", "SetCommState", "GetCommTimeouts", "SetCommTimeouts", "ReadFile", "WriteFile"],
    });
    try {
      const seen = new Set<string>();
      const calls = () => {
        const log = kernel32.calls();
        for (const call of log) seen.add(call.name);
        return log;
      };
      kernel32PortResults(kernel32);
      const port = await openWindowsSerialPort("COM3", { baudRate: 115200 }, { kernel32: kernel32.path });
      let log = calls();
      const [createFile] = callsTo(log, "CreateFileW");
      assert.ok(createFile, "CreateFileW was called");
      // winnt.h: GENERIC_READ 0x80000000 | GENERIC_WRITE 0x40000000; fileapi.h: OPEN_EXISTING 3.
      assert.deepEqual(createFile.slice(1), [0xC0000000n, 0n, 0n, 3n, 0n, 0n], "CreateFileW(name, access, ...)");
      assert.notEqual(createFile[0], 0n, "the file name is passed");
      assert.deepEqual(callsTo(log, "PurgeComm").map((args) => args[1]), [u64(PURGE_ON_OPEN)]);
      assert.equal(PURGE_ON_OPEN, 0xA, "PURGE_RXCLEAR | PURGE_RXABORT (winbase.h)");
      covered.add("CreateFileW").add("GetCommState").add("SetCommState").add("GetCommTimeouts");
      covered.add("SetCommTimeouts").add("PurgeComm");

      kernel32.clear();
      const big = new Uint8Array(1 << 20); // 1 MiB in one WriteFile: nNumberOfBytesToWrite is a u32
      await port.write(big);
      assert.deepEqual(await port.read(1, 5000), new Uint8Array([0x79]));
      await port.setLines({ dtr: false, rts: true, brk: true });
      await port.setLines({ dtr: true, rts: false, brk: false });
      await port.getLines();
      await port.drain();
      await port.discardInput();
      log = calls();
      assert.deepEqual(callsTo(log, "WriteFile").map((args) => args[2]), [BigInt(big.length)]);
      assert.deepEqual(callsTo(log, "ReadFile").map((args) => args[2]), [BigInt(READ_CHUNK_BYTES)]);
      // winbase.h: CLRDTR 6, SETRTS 3, SETBREAK 8, SETDTR 5, CLRRTS 4, CLRBREAK 9.
      assert.deepEqual(callsTo(log, "EscapeCommFunction").map((args) => args[1]), [6n, 3n, 8n, 5n, 4n, 9n]);
      assert.deepEqual(callsTo(log, "PurgeComm").map((args) => args[1]), [u64(PURGE.RXCLEAR)]);
      assert.equal(callsTo(log, "GetCommModemStatus").length, 1);
      // After each ReadFile that returned bytes, the line errors are fetched (and cleared) on the same handle.
      assert.deepEqual(callsTo(log, "ClearCommError").map((args) => [args[0], args[2]]), [[0x1234n, 0n]]);
      assert.equal(callsTo(log, "FlushFileBuffers").length, 1);
      covered.add("WriteFile").add("ReadFile").add("EscapeCommFunction").add("GetCommModemStatus");
      covered.add("FlushFileBuffers").add("ClearCommError");

      kernel32.clear();
      await port.close();
      log = calls();
      assert.deepEqual(log.map((call) => call.name), ["SetCommState", "SetCommTimeouts", "CloseHandle"]);
      assert.deepEqual(callsTo(log, "CloseHandle"), [[0x1234n]], "the handle CreateFileW returned is closed");
      covered.add("CloseHandle");

      // CreateFileW failing: INVALID_HANDLE_VALUE ((HANDLE)-1, all 64 bits set) and GetLastError's u32 result.
      const failures: [bigint | number, string, RegExp][] = [
        [32, "E_PORT_BUSY", /ERROR_SHARING_VIOLATION/],
        [5, "E_PORT_BUSY", /ERROR_ACCESS_DENIED/],
        [2, "E_PORT_MISSING", /COM3/],
        [0xffffffff, "E_PORT_IO", /Win32 error 4294967295/],
      ];
      for (const [code, expected, message] of failures) {
        kernel32.clear();
        kernel32.setResult("CreateFileW", -1);
        kernel32.setResult("GetLastError", code);
        await assert.rejects(openWindowsSerialPort("COM3", {}, { kernel32: kernel32.path }), (error: unknown) => {
          assert.ok(error instanceof DeviceError, String(error));
          assert.equal(error.code, expected);
          assert.match(error.message, message);
          return true;
        });
        assert.deepEqual(calls().map((call) => call.name), ["CreateFileW", "GetLastError"]);
      }
      covered.add("GetLastError");

      assertAllCalled(KERNEL32, seen);
    } finally {
      kernel32.close();
    }
  },
});

// -------------------------------------------------------------------------------------------------------- libc

/** errno of the stand-in libc, under both OSes' names for the function returning its address. */
const LIBC_ERRNO = `
static int fr_errno = 77;
int *__errno_location(void) { return &fr_errno; }
int *__error(void) { return &fr_errno; }
`;

Deno.test({
  name: "FFI libc: every symbol with the values Libc passes, for every platform table (Linux and macOS)",
  ignore,
  async fn() {
    const standIn = await buildStandIn(LIBC_SYMBOLS, { extraSource: LIBC_ERRNO });
    const called = new Set<string>();
    try {
      for (const platform of Object.values(POSIX_PLATFORMS)) {
        const libc = new Libc({ ...platform, libc: standIn.path });
        try {
          standIn.clear();
          const fd = 0x7fffffff; // the largest descriptor an int holds
          const expect = async (key: keyof typeof LIBC_SYMBOLS, call: () => unknown, args: (bigint | null)[]) => {
            standIn.clear();
            await call();
            const log = standIn.calls();
            const name = (LIBC_SYMBOLS[key] as { name?: string }).name ?? key;
            assert.equal(log.length, 1, `${platform.name} ${key}: one call`);
            assert.equal(log[0].name, name, `${platform.name} ${key}`);
            args.forEach((arg, i) => {
              if (arg !== null) assert.equal(log[0].args[i], arg, `${platform.name} ${key} argument ${i}`);
            });
            covered.add(key);
            called.add(name);
          };
          await expect("open", () => libc.open("/dev/ttyUSB0", serialOpenFlags(platform)), [
            null,
            u64(serialOpenFlags(platform)),
          ]);
          await expect("posix_openpt", () => libc.posixOpenpt(ptyOpenFlags(platform)), [u64(ptyOpenFlags(platform))]);
          for (const [name, request] of Object.entries(platform.ioctl)) {
            if (request === 0) continue; // absent on this platform, never issued
            // macOS's _IOW requests (0x8004746c...) exceed i32: they must travel as an unsigned long.
            assert.ok(request > 0 && request <= 0xffffffff, `${platform.name} ${name} is an unsigned 32-bit number`);
            const argument = new Uint8Array(Math.max(platform.termios.size, platform.serialStruct?.size ?? 0));
            const at = pointerValue(argument);
            await expect("ioctl", () => libc.ioctl(fd, request, argument), [
              u64(fd),
              BigInt(request),
              at,
              0n,
              0n,
              0n,
              0n,
              0n,
              at,
            ]);
            await expect("ioctl", () => libc.ioctl(fd, request, null), [u64(fd), BigInt(request), 0n]);
          }
          const { LOCK_EX, LOCK_NB, LOCK_UN } = platform.flock;
          await expect("flock", () => libc.flock(fd, LOCK_EX | LOCK_NB), [u64(fd), u64(LOCK_EX | LOCK_NB)]);
          await expect("flock", () => libc.flock(fd, LOCK_UN), [u64(fd), u64(LOCK_UN)]);
          const { recordLock } = platform;
          for (const command of [recordLock.setLock, recordLock.getLock]) {
            for (const type of [recordLock.F_WRLCK, recordLock.F_UNLCK]) {
              const lock = encodeRecordLock(recordLock, type);
              const lockAt = pointerValue(lock);
              await expect("fcntl", () => libc.fcntlLock(fd, command, lock), [
                u64(fd),
                u64(command),
                lockAt,
                0n,
                0n,
                0n,
                0n,
                0n,
                lockAt,
              ]);
            }
          }
          const chunk = new Uint8Array(1 << 20);
          await expect("read", () => libc.read(fd, chunk), [u64(fd), pointerValue(chunk), BigInt(chunk.length)]);
          await expect("write", () => libc.write(fd, chunk), [u64(fd), pointerValue(chunk), BigInt(chunk.length)]);
          const { POLLIN, POLLOUT } = platform.poll;
          await expect("poll", () => libc.pollNow(fd, POLLIN), [null, 1n, 0n]);
          // A wait longer than an int of milliseconds is clamped; a fraction is rounded up, never refused.
          await expect("poll", () => libc.pollBlocking(fd, POLLIN, 2 ** 40), [null, 1n, u64(POLL_TIMEOUT_MAX_MS)]);
          await expect("poll", () => libc.pollBlocking(fd, POLLIN, 0.25), [null, 1n, 1n]);
          await expect("poll", () => libc.pollBlocking(fd, POLLIN, Number.NaN), [null, 1n, 0n]);
          await expect("pollAsync", () => libc.pollAsync(fd, POLLOUT, Infinity), [null, 1n, u64(POLL_TIMEOUT_MAX_MS)]);
          await expect("pollAsync", () => libc.pollAsync(fd, POLLIN | POLLOUT, 49.5), [null, 1n, 50n]);
          await expect("tcdrainAsync", () => libc.tcdrainAsync(fd), [u64(fd)]);
          for (const queue of Object.values(platform.tcflush)) {
            await expect("tcflush", () => libc.tcflush(fd, queue), [u64(fd), u64(queue)]);
          }
          const termios = new Uint8Array(platform.termios.size);
          await expect("tcgetattr", () => libc.tcgetattr(fd, termios), [u64(fd), pointerValue(termios)]);
          await expect("tcsetattr", () => libc.tcsetattr(fd, platform.TCSANOW, termios), [
            u64(fd),
            u64(platform.TCSANOW),
            pointerValue(termios),
          ]);
          await expect("grantpt", () => libc.grantpt(fd), [u64(fd)]);
          await expect("unlockpt", () => libc.unlockpt(fd), [u64(fd)]);
          await expect("ptsname_r", () => libc.ptsname(fd), [u64(fd), null, 256n]);
          await expect("close", () => libc.close(fd), [u64(fd)]);

          // A failing call reads errno through the platform's errno function.
          standIn.setResult("close", -1);
          assert.deepEqual(libc.close(fd), { value: -1, errno: 77 });
          standIn.setResult("close", 0);
          // isize results arrive as bigint and come back as numbers.
          standIn.setResult("read", -1);
          assert.deepEqual(libc.read(fd, chunk), { value: -1, errno: 77 });
          standIn.setResult("read", 0);
        } finally {
          libc.dispose();
        }
      }
      assertAllCalled(LIBC_SYMBOLS, called);
    } finally {
      standIn.close();
    }
  },
});

// ------------------------------------------------------------------------------------------------------ libusb

Deno.test({
  name: "FFI libusb: every symbol with the values the transport passes, control transfers at their limits",
  ignore,
  async fn() {
    const standIn = await buildStandIn(LIBUSB_SYMBOLS);
    const called = new Set<string>();
    try {
      const lib = loadLibusb({ candidates: [standIn.path] });
      const pointer = Deno.UnsafePointer.create(0x7fff_ffff_f000n)!;
      const at = u64(0x7fff_ffff_f000n);
      const expect = async (key: keyof typeof LIBUSB_SYMBOLS, call: () => unknown, args: (bigint | null)[]) => {
        standIn.clear();
        const returned = await call();
        const log = standIn.calls();
        assert.equal(log.length, 1, `${key}: one call`);
        assert.equal(log[0].name, key);
        args.forEach((arg, i) => {
          if (arg !== null) assert.equal(log[0].args[i], arg, `${key} argument ${i}`);
        });
        covered.add(key);
        called.add(key);
        return returned;
      };
      const out = new BigUint64Array(1);
      await expect("libusb_init", () => lib.libusb_init(out), [pointerValue(out)]);
      await expect("libusb_exit", () => lib.libusb_exit(pointer), [at]);
      standIn.setResult("libusb_get_device_list", 127);
      const count = await expect("libusb_get_device_list", () => lib.libusb_get_device_list(pointer, out), [at]);
      assert.equal(Number(count), 127, "the isize count");
      await expect("libusb_free_device_list", () => lib.libusb_free_device_list(pointer, 1), [at, 1n]);
      const descriptor = new Uint8Array(18);
      await expect("libusb_get_device_descriptor", () => lib.libusb_get_device_descriptor(pointer, descriptor), [
        at,
        pointerValue(descriptor),
      ]);
      standIn.setResult("libusb_get_bus_number", 255);
      assert.equal(await expect("libusb_get_bus_number", () => lib.libusb_get_bus_number(pointer), [at]), 255);
      standIn.setResult("libusb_get_device_address", 127);
      assert.equal(await expect("libusb_get_device_address", () => lib.libusb_get_device_address(pointer), [at]), 127);
      const ports = new Uint8Array(7);
      await expect("libusb_get_port_numbers", () => lib.libusb_get_port_numbers(pointer, ports, ports.length), [
        at,
        pointerValue(ports),
        7n,
      ]);
      await expect("libusb_get_config_descriptor", () => lib.libusb_get_config_descriptor(pointer, 255, out), [
        at,
        255n,
      ]);
      await expect("libusb_free_config_descriptor", () => lib.libusb_free_config_descriptor(pointer), [at]);
      await expect("libusb_open", () => lib.libusb_open(pointer, out), [at, pointerValue(out)]);
      await expect("libusb_close", () => lib.libusb_close(pointer), [at]);
      await expect("libusb_set_auto_detach_kernel_driver", () => lib.libusb_set_auto_detach_kernel_driver(pointer, 1), [
        at,
        1n,
      ]);
      // bInterfaceNumber and bAlternateSetting are u8 on the wire: 255 is their extreme.
      await expect("libusb_claim_interface", () => lib.libusb_claim_interface(pointer, 255), [at, 255n]);
      await expect("libusb_release_interface", () => lib.libusb_release_interface(pointer, 255), [at, 255n]);
      await expect("libusb_set_interface_alt_setting", () => lib.libusb_set_interface_alt_setting(pointer, 255, 255), [
        at,
        255n,
        255n,
      ]);
      await expect("libusb_reset_device", () => lib.libusb_reset_device(pointer), [at]);

      // Control transfers as the DFU/DfuSe layer and the string reader issue them; the direction bit is set by
      // `| 0x80` (IN) or cleared by `& 0x7f` (OUT) as LibusbDevice does.
      const transfers: [
        string,
        { bmRequestType: number; bRequest: number; wValue: number; wIndex: number; wLength: number },
        number,
        number[],
      ][] = [
        ["DFU_GETSTATUS", { bmRequestType: 0x21 | 0x80, bRequest: 3, wValue: 0, wIndex: 0, wLength: 6 }, 5000, [
          0xA1,
          3,
          0,
          0,
          6,
          5000,
        ]],
        ["DFU_DNLOAD", { bmRequestType: 0x21 & 0x7f, bRequest: 1, wValue: 0xffff, wIndex: 255, wLength: 0xffff }, 0.5, [
          0x21,
          1,
          0xffff,
          255,
          0xffff,
          1,
        ]],
        [
          "GET_DESCRIPTOR string",
          { bmRequestType: 0x80, bRequest: 6, wValue: 0x0300 | 255, wIndex: 0x0409, wLength: 255 },
          2 ** 40,
          [0x80, 6, 0x03ff, 0x0409, 255, LIBUSB_TIMEOUT_MAX_MS],
        ],
        [
          "timeout 0 is not 'forever'",
          { bmRequestType: 0xff, bRequest: 0xff, wValue: 0, wIndex: 0xffff, wLength: 0 },
          0,
          [0xff, 0xff, 0, 0xffff, 0, 1],
        ],
      ];
      for (const [what, setup, timeoutMs, wanted] of transfers) {
        const buffer = new Uint8Array(setup.wLength);
        const [, ...expected] = wanted.map(BigInt);
        await expect(
          "libusb_control_transfer",
          () => lib.libusb_control_transfer(...controlTransferArguments(pointer, setup, buffer, timeoutMs)),
          [at, BigInt(wanted[0]), ...expected.slice(0, 3), pointerValue(buffer), ...expected.slice(3)],
        );
        assert.ok(what);
      }
      assert.throws(
        () =>
          controlTransferArguments(
            pointer,
            { bmRequestType: ~0x5e, bRequest: 3, wValue: 0, wIndex: 0, wLength: 0 },
            new Uint8Array(0),
            1,
          ),
        /bmRequestType -95 is outside 0\.\.255/,
      );
      assert.throws(
        () =>
          controlTransferArguments(
            pointer,
            { bmRequestType: 0x21, bRequest: 1, wValue: 0x10000, wIndex: 0, wLength: 0 },
            new Uint8Array(0),
            1,
          ),
        /wValue 65536/,
      );
      assert.throws(
        () =>
          controlTransferArguments(
            pointer,
            { bmRequestType: 0xa1, bRequest: 3, wValue: 0, wIndex: 0, wLength: 6 },
            new Uint8Array(2),
            1,
          ),
        /shorter than wLength 6/,
      );
      assertAllCalled(LIBUSB_SYMBOLS, called);
    } finally {
      standIn.close();
    }
  },
});
