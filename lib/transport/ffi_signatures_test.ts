// Every `Deno.dlopen` declaration of the transports (kernel32, advapi32, setupapi, cfgmgr32, libc, libusb) called
// through a real `Deno.dlopen` with the extreme values the production code passes, on Linux: a stand-in C library
// generated from the very declaration objects (tests/helpers/ffi_stand_in.ts) has the same C parameter types, logs
// what it received and returns what the test asks. Deno converts and checks arguments exactly as for the real
// library, so a negative number for a `u32` (issue 13: `GENERIC_READ | GENERIC_WRITE` is -1073741824 in
// JavaScript), a fraction, an `i32` overflow or a `number` where a `bigint` belongs throws here as it would on
// Windows, macOS or Linux.
//
// Coverage is derived, not listed: each test ends by checking that every symbol of its declaration object was
// called, so a symbol added later without a case fails the test.
//
// Every `Deno.dlopen` in lib/ and scripts/, and where it is covered:
// - lib/transport/serial/windows_port.ts, KERNEL32: openWindowsSerialPort's own call sites (`kernel32` option).
// - lib/transport/serial/windows_list_ports.ts, ADVAPI32, SETUPAPI, CFGMGR32: listWindowsSerialPorts's own call
//   sites (its `libraries` option), the registry walk and the SetupAPI walk whole.
// - lib/transport/serial/libc.ts, LIBC_SYMBOLS for every platform table (Linux and macOS), and errnoSymbol's
//   `__errno_location` / `__error` (no parameters, a pointer result): read by every failing call below.
// - lib/transport/usb/libusb_ffi.ts, LIBUSB_SYMBOLS through loadLibusb (the same loader on every OS).
// - scripts/libusb_windows/load_check.ts opens no library of its own: it calls loadLibusb with LIBUSB_SYMBOLS and
//   makes four of the calls the libusb case makes here with the same kinds of values (libusb_init with an 8-byte
//   out buffer, libusb_get_device_list, libusb_free_device_list with 1, libusb_exit).
// - tests/helpers/ffi_stand_in.ts's CONTROL declarations are this test's own instrument, used by every case.
// macOS has no declaration object of its own: it differs only in the libc platform table and errno's name.
import assert from "node:assert/strict";
import { buildStandIn, cFunctions, haveGcc, type LoggedCall, type StandIn } from "../../tests/helpers/ffi_stand_in.ts";
import { Libc, LIBC_SYMBOLS, POLL_TIMEOUT_MAX_MS } from "./serial/libc.ts";
import { encodeRecordLock, POSIX_PLATFORMS, ptyOpenFlags, serialOpenFlags } from "./serial/posix_constants.ts";
import { COMMTIMEOUTS_SIZE, DCB_SIZE, PURGE, PURGE_ON_OPEN } from "./serial/windows_dcb.ts";
import { KERNEL32, openWindowsSerialPort, READ_CHUNK_BYTES } from "./serial/windows_port.ts";
import { controlTransferArguments, LIBUSB_SYMBOLS, LIBUSB_TIMEOUT_MAX_MS, loadLibusb } from "./usb/libusb_ffi.ts";
import { DeviceError } from "../errors.ts";
import {
  ADVAPI32,
  CFGMGR32,
  DEVICE_ID_CHARS,
  DEVINST_OFFSET,
  GUID_DEVCLASS_MODEM,
  GUID_DEVCLASS_PORTS,
  GUID_DEVINTERFACE_COMPORT,
  listWindowsSerialPorts,
  REG_SZ,
  SETUPAPI,
  SP_DEVINFO_DATA_SIZE,
  SPDRP,
} from "./serial/windows_list_ports.ts";
import { encodeGuid, mergeWindowsPorts, type WindowsPortDevice } from "./serial/windows_port_ids.ts";

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

// ------------------------------------------------------------------------------- advapi32, setupapi, cfgmgr32

/** A C array initializer holding `bytes`. */
function cBytes(bytes: Uint8Array): string {
  return `{ ${[...bytes].map((byte) => `0x${byte.toString(16)}`).join(", ") || "0"} }`;
}

/** `text` as UTF-16LE with its NUL, as the registry and SetupAPI store strings. */
function utf16(text: string): Uint8Array {
  return new Uint8Array(new Uint16Array([...text, "\0"].map((c) => c.charCodeAt(0))).buffer);
}

/** REG_MULTI_SZ data: each string with its NUL, then an empty string. */
function utf16Multi(strings: string[]): Uint8Array {
  return utf16(strings.join("\0") + "\0");
}

/**
 * A C function body returning the blob of the first entry whose C condition holds (its size in `*size`), or NULL.
 * The stand-ins answer from these tables as the real DLLs answer from the registry and the device tree.
 */
function cLookup(name: string, parameters: string, entries: [condition: string, bytes: Uint8Array][]): string {
  const lines = [`static const unsigned char *${name}(${parameters}, uint32_t *size) {`];
  entries.forEach(([condition, bytes], i) => {
    lines.push(`  static const unsigned char b${i}[] = ${cBytes(bytes)};`);
    lines.push(`  if (${condition}) { *size = ${bytes.length}; return b${i}; }`);
  });
  lines.push("  *size = 0; return NULL;", "}");
  return lines.join("\n");
}

const u32At = (value: number) => new Uint8Array(new Uint32Array([value]).buffer);

/** The SERIALCOMM values the stand-in registry holds: the longest value name there is, data longer than 256 bytes. */
const SERIALCOMM: { name: string; type: number; data: Uint8Array }[] = [
  { name: "\\Device\\Serial0", type: REG_SZ, data: utf16("COM1") },
  // 16,383 characters, the registry's limit: the name buffer doubles from 256 to 16,384 characters.
  { name: "\\Device\\VCP0" + "x".repeat(16383 - 12), type: REG_SZ, data: utf16("COM256") },
  // REG_SZ data padded with NULs to 600 bytes: the data buffer grows to what RegEnumValueW asks for.
  {
    name: "\\Device\\USBSER000",
    type: REG_SZ,
    data: (() => {
      const data = new Uint8Array(600);
      data.set(utf16("COM7"));
      return data;
    })(),
  },
  { name: "\\Device\\NotAPort", type: 4, /* REG_DWORD */ data: u32At(0xffffffff) },
];

/** Device keys SetupDiOpenDevRegKey hands out: this base plus the device's DevInst (the advapi32 stand-in reads them). */
const DEVICE_KEY_BASE = 0x7ffe_0000_0000n;
/** Device sets SetupDiGetClassDevsW hands out, one per GUID; the Modem class has none (INVALID_HANDLE_VALUE). */
const DEVICE_SETS = { ports: 0x7ffd_0000_1000n, comInterface: 0x7ffd_0000_3000n } as const;

/** The devices of the stand-in device tree. DevInst values have the top bit set: a `u32` read as `i32` would throw. */
interface StandInDevice {
  set: bigint;
  devInst: number;
  device: WindowsPortDevice;
  parent?: { devInst: number; instanceId: string };
}

const STAND_IN_DEVICES: StandInDevice[] = [
  {
    set: DEVICE_SETS.ports,
    devInst: 0xffff_fff0,
    device: {
      portName: "COM256",
      instanceId: "USB\\VID_0483&PID_5740&MI_00\\6&2A1B3C4D&0&0000",
      parentInstanceId: "USB\\VID_0483&PID_5740\\3276345C3432",
      hardwareIds: ["USB\\VID_0483&PID_5740&REV_0200&MI_00", "USB\\VID_0483&PID_5740&MI_00"],
      // Longer than the first 512-byte buffer: SetupDiGetDeviceRegistryPropertyW reports the size it needs.
      friendlyName: "STMicroelectronics Virtual COM Port " + "y".repeat(400) + " (COM256)",
      deviceDescription: "STMicroelectronics Virtual COM Port",
      service: "usbser",
    },
    parent: { devInst: 0x8000_0001, instanceId: "USB\\VID_0483&PID_5740\\3276345C3432" },
  },
  { set: DEVICE_SETS.ports, devInst: 0x8000_0002, device: { portName: "LPT1", instanceId: "ACPI\\PNP0400\\0" } },
  {
    set: DEVICE_SETS.comInterface,
    devInst: 0x8000_0003,
    device: { portName: "COM7", instanceId: "FTDIBUS\\VID_0403+PID_6001+A10K3XYZA\\0000", service: "FTDIBUS" },
  },
];

function advapi32Source(): string {
  const values = SERIALCOMM.map(({ name, type, data }) =>
    `{ ${name.length}, ${type}, ${data.length}, NULL, ${cBytes(data)} }`
  );
  const longest = Math.max(...SERIALCOMM.map((value) => value.name.length));
  return `
static int fr_is(const void *wide, const char *text) {
  const unsigned char *p = wide;
  for (size_t i = 0;; i++) {
    if (p[2 * i] != (unsigned char)text[i] || p[2 * i + 1] != 0) return 0;
    if (text[i] == 0) return 1;
  }
}
struct fr_value { uint32_t chars, type, bytes; const char *name; unsigned char data[600]; };
static struct fr_value fr_serialcomm[] = { ${values.join(",\n  ")} };
static const char *fr_names[] = { ${SERIALCOMM.map((value) => JSON.stringify(value.name)).join(", ")} };
static unsigned char fr_wide[${(longest + 1) * 2}];
int32_t RegOpenKeyExW(void *root, void *name, uint32_t options, uint32_t access, void *out) {
  int32_t status = fr_rec_RegOpenKeyExW(root, name, options, access, out);
  if (status != 0) return status;
  if (!fr_is(name, "HARDWARE\\\\DEVICEMAP\\\\SERIALCOMM")) return 2;
  uint64_t key = 0x7ffc00000010ull; memcpy(out, &key, 8); return 0;
}
int32_t RegEnumValueW(void *key, uint32_t index, void *name, void *nameChars, void *reserved, void *type, void *data,
                      void *dataBytes) {
  int32_t status = fr_rec_RegEnumValueW(key, index, name, nameChars, reserved, type, data, dataBytes);
  if (status != 0) return status;
  if (index >= ${SERIALCOMM.length}) return 259; /* ERROR_NO_MORE_ITEMS */
  struct fr_value *v = &fr_serialcomm[index];
  uint32_t nameRoom, dataRoom;
  memcpy(&nameRoom, nameChars, 4); memcpy(&dataRoom, dataBytes, 4);
  if (v->chars + 1 > nameRoom || v->bytes > dataRoom) { memcpy(dataBytes, &v->bytes, 4); return 234; }
  for (uint32_t i = 0; i <= v->chars; i++) { fr_wide[2 * i] = (unsigned char)fr_names[index][i]; fr_wide[2 * i + 1] = 0; }
  memcpy(name, fr_wide, (v->chars + 1) * 2);
  memcpy(nameChars, &v->chars, 4); memcpy(type, &v->type, 4); memcpy(data, v->data, v->bytes);
  memcpy(dataBytes, &v->bytes, 4);
  return 0;
}
${
    cLookup(
      "fr_port_name",
      "uint64_t key",
      STAND_IN_DEVICES.map((d) => [`key == ${DEVICE_KEY_BASE + BigInt(d.devInst)}ull`, utf16(d.device.portName)]),
    )
  }
int32_t RegQueryValueExW(void *key, void *name, void *reserved, void *type, void *data, void *dataBytes) {
  int32_t status = fr_rec_RegQueryValueExW(key, name, reserved, type, data, dataBytes);
  uint32_t size, room, sz = ${REG_SZ};
  const unsigned char *value = fr_port_name((uint64_t)(uintptr_t)key, &size);
  if (status != 0) return status;
  if (!fr_is(name, "PortName") || value == NULL) return 2;
  memcpy(&room, dataBytes, 4);
  memcpy(dataBytes, &size, 4);
  if (size > room) return 234;
  memcpy(type, &sz, 4); memcpy(data, value, size);
  return 0;
}
`;
}

function setupapiSource(): string {
  const guids = [
    [GUID_DEVCLASS_PORTS, `(void *)${DEVICE_SETS.ports}ull`],
    [GUID_DEVCLASS_MODEM, "(void *)(intptr_t)-1"],
    [GUID_DEVINTERFACE_COMPORT, `(void *)${DEVICE_SETS.comInterface}ull`],
  ].map(([guid, set]) => `if (memcmp(guid, (unsigned char[16])${cBytes(encodeGuid(guid))}, 16) == 0) return ${set};`);
  const bySet = (set: bigint) => STAND_IN_DEVICES.filter((d) => d.set === set).map((d) => d.devInst);
  const properties: [string, Uint8Array][] = [];
  for (const { devInst, device } of STAND_IN_DEVICES) {
    const at = `devInst == ${devInst}u && which == `;
    if (device.hardwareIds) properties.push([at + SPDRP.HARDWAREID, utf16Multi([...device.hardwareIds])]);
    if (device.friendlyName) properties.push([at + SPDRP.FRIENDLYNAME, utf16(device.friendlyName)]);
    if (device.deviceDescription) properties.push([at + SPDRP.DEVICEDESC, utf16(device.deviceDescription)]);
    if (device.service) properties.push([at + SPDRP.SERVICE, utf16(device.service)]);
  }
  return `
static uint32_t fr_dev_inst(void *info) { uint32_t d; memcpy(&d, (unsigned char *)info + ${DEVINST_OFFSET}, 4); return d; }
void *SetupDiGetClassDevsW(void *guid, void *enumerator, void *parent, uint32_t flags) {
  fr_rec_SetupDiGetClassDevsW(guid, enumerator, parent, flags);
  ${guids.join("\n  ")}
  return (void *)(intptr_t)-1;
}
static const uint32_t fr_ports[] = { ${bySet(DEVICE_SETS.ports).map((d) => `${d}u`).join(", ")} };
static const uint32_t fr_interfaces[] = { ${bySet(DEVICE_SETS.comInterface).map((d) => `${d}u`).join(", ")} };
int32_t SetupDiEnumDeviceInfo(void *set, uint32_t index, void *info) {
  fr_rec_SetupDiEnumDeviceInfo(set, index, info);
  uint32_t cbSize; memcpy(&cbSize, info, 4);
  if (cbSize != ${SP_DEVINFO_DATA_SIZE}) return 0; /* ERROR_INVALID_USER_BUFFER */
  const uint32_t *list = (uint64_t)(uintptr_t)set == ${DEVICE_SETS.ports}ull ? fr_ports : fr_interfaces;
  uint32_t count = list == fr_ports ? sizeof fr_ports / 4 : sizeof fr_interfaces / 4;
  if (index >= count) return 0; /* ERROR_NO_MORE_ITEMS */
  memcpy((unsigned char *)info + ${DEVINST_OFFSET}, &list[index], 4);
  return 1;
}
void *SetupDiOpenDevRegKey(void *set, void *info, uint32_t scope, uint32_t profile, uint32_t keyType, uint32_t access) {
  fr_rec_SetupDiOpenDevRegKey(set, info, scope, profile, keyType, access);
  return (void *)(uintptr_t)(${DEVICE_KEY_BASE}ull + fr_dev_inst(info));
}
${
    cLookup(
      "fr_instance_id",
      "uint32_t devInst",
      STAND_IN_DEVICES.map((d) => [`devInst == ${d.devInst}u`, utf16(d.device.instanceId)]),
    )
  }
int32_t SetupDiGetDeviceInstanceIdW(void *set, void *info, void *buffer, uint32_t chars, void *needed) {
  fr_rec_SetupDiGetDeviceInstanceIdW(set, info, buffer, chars, needed);
  uint32_t size; const unsigned char *id = fr_instance_id(fr_dev_inst(info), &size);
  uint32_t neededChars = size / 2; memcpy(needed, &neededChars, 4);
  if (id == NULL || neededChars > chars) return 0;
  memcpy(buffer, id, size); return 1;
}
${cLookup("fr_property", "uint32_t devInst, uint32_t which", properties)}
int32_t SetupDiGetDeviceRegistryPropertyW(void *set, void *info, uint32_t which, void *type, void *data, uint32_t size,
                                          void *needed) {
  fr_rec_SetupDiGetDeviceRegistryPropertyW(set, info, which, type, data, size, needed);
  uint32_t bytes; const unsigned char *value = fr_property(fr_dev_inst(info), which, &bytes);
  memcpy(needed, &bytes, 4);
  if (value == NULL || bytes > size) return 0; /* ERROR_INVALID_DATA, ERROR_INSUFFICIENT_BUFFER */
  memcpy(data, value, bytes); return 1;
}
`;
}

function cfgmgr32Source(): string {
  const withParent = STAND_IN_DEVICES.filter((d) => d.parent);
  return `
uint32_t CM_Get_Parent(void *parent, uint32_t devInst, uint32_t flags) {
  fr_rec_CM_Get_Parent(parent, devInst, flags);
  ${
    withParent.map((d) =>
      `if (devInst == ${d.devInst}u) { uint32_t p = ${d.parent!.devInst}u; memcpy(parent, &p, 4); return 0; }`
    ).join("\n  ")
  }
  return 0x0d; /* CR_NO_SUCH_DEVNODE */
}
${
    cLookup(
      "fr_device_id",
      "uint32_t devInst",
      withParent.map((d) => [`devInst == ${d.parent!.devInst}u`, utf16(d.parent!.instanceId)]),
    )
  }
uint32_t CM_Get_Device_IDW(uint32_t devInst, void *buffer, uint32_t chars, uint32_t flags) {
  fr_rec_CM_Get_Device_IDW(devInst, buffer, chars, flags);
  uint32_t size; const unsigned char *id = fr_device_id(devInst, &size);
  if (id == NULL) return 0x0d;
  if (size / 2 > chars) return 0x1a; /* CR_BUFFER_SMALL */
  memcpy(buffer, id, size); return 0;
}
`;
}

Deno.test({
  name:
    "FFI advapi32, setupapi, cfgmgr32: the registry walk and the SetupAPI walk of `ports` run their real call sites",
  ignore,
  async fn() {
    const advapi32 = await buildStandIn(ADVAPI32, {
      extraSource: advapi32Source(),
      overrides: ["RegOpenKeyExW", "RegEnumValueW", "RegQueryValueExW"],
    });
    const setupapi = await buildStandIn(SETUPAPI, {
      extraSource: setupapiSource(),
      overrides: [
        "SetupDiGetClassDevsW",
        "SetupDiEnumDeviceInfo",
        "SetupDiOpenDevRegKey",
        "SetupDiGetDeviceInstanceIdW",
        "SetupDiGetDeviceRegistryPropertyW",
      ],
    });
    const cfgmgr32 = await buildStandIn(CFGMGR32, {
      extraSource: cfgmgr32Source(),
      overrides: ["CM_Get_Parent", "CM_Get_Device_IDW"],
    });
    const libraries = { advapi32: advapi32.path, setupapi: setupapi.path, cfgmgr32: cfgmgr32.path };
    try {
      const ports = await listWindowsSerialPorts(libraries);
      const registryNames = ["COM1", "COM256", "COM7"];
      const devices = STAND_IN_DEVICES.map((d) => d.device);
      assert.deepEqual(
        ports,
        mergeWindowsPorts(registryNames, devices),
        "every name and every device property arrived",
      );
      assert.deepEqual(ports.map((port) => port.path), ["COM1", "COM7", "COM256"], "sorted by number");

      const reg = advapi32.calls();
      const setup = setupapi.calls();
      const cm = cfgmgr32.calls();
      // winreg.h: HKEY_LOCAL_MACHINE is ((HKEY)(ULONG_PTR)((LONG)0x80000002)), sign-extended to 64 bits.
      const [open] = callsTo(reg, "RegOpenKeyExW");
      assert.deepEqual([open[0], ...open.slice(2, 4)], [0xFFFF_FFFF_8000_0002n, 0n, 0x20019n], "HKLM, 0, KEY_READ");
      // Index 1 asked again while its 16,383-character name does not fit (256, 512, ... 16,384 characters); index 2
      // once more for its 600 bytes of data; then the DWORD value skipped and ERROR_NO_MORE_ITEMS.
      assert.deepEqual(callsTo(reg, "RegEnumValueW").map((args) => args[1]), [
        0n,
        ...Array(7).fill(1n), // 256 .. 8,192 characters refused, 16,384 taken
        2n,
        2n,
        3n,
        4n,
      ]);
      const setKey = 0x7ffc_0000_0010n;
      assert.ok(callsTo(reg, "RegEnumValueW").every((args) => args[0] === setKey && args[4] === 0n));
      // One device key per enumerated device, each given back; the SERIALCOMM key too.
      const deviceKeys = STAND_IN_DEVICES.map((d) => DEVICE_KEY_BASE + BigInt(d.devInst));
      assert.deepEqual(
        callsTo(reg, "RegQueryValueExW").map((args) => [args[0], args[2]]),
        deviceKeys.map((k) => [k, 0n]),
      );
      assert.deepEqual(callsTo(reg, "RegCloseKey").map((args) => args[0]).sort(), [setKey, ...deviceKeys].sort());

      // setupapi.h: DIGCF_PRESENT 0x2, DIGCF_DEVICEINTERFACE 0x10; no enumerator, no window.
      assert.deepEqual(callsTo(setup, "SetupDiGetClassDevsW").map((args) => args.slice(1)), [
        [0n, 0n, 0x2n],
        [0n, 0n, 0x2n],
        [0n, 0n, 0x12n],
      ]);
      // The Modem class had no set (INVALID_HANDLE_VALUE): only the other two are destroyed.
      assert.deepEqual(callsTo(setup, "SetupDiDestroyDeviceInfoList").map((args) => args[0]), [
        DEVICE_SETS.ports,
        DEVICE_SETS.comInterface,
      ]);
      // Two devices and the end of the Ports set, one device and the end of the interface set.
      assert.deepEqual(callsTo(setup, "SetupDiEnumDeviceInfo").map((args) => [args[0], args[1]]), [
        [DEVICE_SETS.ports, 0n],
        [DEVICE_SETS.ports, 1n],
        [DEVICE_SETS.ports, 2n],
        [DEVICE_SETS.comInterface, 0n],
        [DEVICE_SETS.comInterface, 1n],
      ]);
      // DICS_FLAG_GLOBAL 1, profile 0, DIREG_DEV 1, KEY_READ.
      assert.ok(callsTo(setup, "SetupDiOpenDevRegKey").every((args) => args.slice(2).join() === "1,0,1,131097"));
      assert.ok(callsTo(setup, "SetupDiGetDeviceInstanceIdW").every((args) => args[3] === BigInt(DEVICE_ID_CHARS)));
      // SPDRP_HARDWAREID 1, FRIENDLYNAME 0xC (asked twice: 512 bytes, then the size it needs), DEVICEDESC 0, SERVICE 4.
      const friendlyBytes = BigInt(utf16(STAND_IN_DEVICES[0].device.friendlyName!).length);
      assert.ok(friendlyBytes > 512n);
      assert.deepEqual(
        callsTo(setup, "SetupDiGetDeviceRegistryPropertyW").map((args) => [args[2], args[5]]),
        [
          ...[[1n, 512n], [0xcn, 512n], [0xcn, friendlyBytes], [0n, 512n], [4n, 512n]], // COM256
          ...[[1n, 512n], [0xcn, 512n], [0n, 512n], [4n, 512n]], // LPT1 (dropped later: not in SERIALCOMM)
          ...[[1n, 512n], [0xcn, 512n], [0n, 512n], [4n, 512n]], // COM7
        ],
      );
      // DevInst values with the top bit set travel as u32; the parent's ID is asked with its DevInst.
      assert.deepEqual(callsTo(cm, "CM_Get_Parent").map((args) => [args[1], args[2]]), [
        [0xffff_fff0n, 0n],
        [0x8000_0002n, 0n],
        [0x8000_0003n, 0n],
      ]);
      assert.deepEqual(callsTo(cm, "CM_Get_Device_IDW").map((args) => args.slice(0, 1).concat(args.slice(2))), [[
        0x8000_0001n,
        BigInt(DEVICE_ID_CHARS),
        0n,
      ]]);

      // No SERIALCOMM key: no port, and SetupAPI is not asked. Any other status is E_PORT_LIST with its code.
      const openings: [number, RegExp | undefined][] = [[2, undefined], [5, /Win32 error 5\b/], [
        -1,
        /Win32 error -1\b/,
      ]];
      for (const [status, expected] of openings) {
        advapi32.clear();
        setupapi.clear();
        advapi32.setResult("RegOpenKeyExW", status);
        if (expected === undefined) {
          assert.deepEqual(await listWindowsSerialPorts(libraries), []);
        } else {
          await assert.rejects(listWindowsSerialPorts(libraries), (error: unknown) => {
            assert.ok(error instanceof DeviceError, String(error));
            assert.equal(error.code, "E_PORT_LIST");
            assert.match(error.message, expected);
            return true;
          });
        }
        assert.deepEqual(advapi32.calls().map((call) => call.name), ["RegOpenKeyExW"]);
        assert.deepEqual(setupapi.calls(), []);
      }
      advapi32.setResult("RegOpenKeyExW", 0);

      for (const [declarations, log] of [[ADVAPI32, reg], [SETUPAPI, setup], [CFGMGR32, cm]] as const) {
        const names = new Set(log.map((call) => call.name));
        for (const key of Object.keys(declarations)) if (names.has(key)) covered.add(key);
        assertAllCalled(declarations, names);
      }
    } finally {
      advapi32.close();
      setupapi.close();
      cfgmgr32.close();
    }
  },
});
