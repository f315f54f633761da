// The structure sizes, field offsets and constants the FFI transports hard-code, checked against the system's own
// C headers by the C compiler (`_Static_assert`, compile only): Linux's with gcc (<asm/termios.h>,
// <linux/serial.h>, <poll.h>, ...), Windows' with mingw-w64's <windows.h> (DCB, COMMTIMEOUTS, CreateFileW,
// EscapeCommFunction, PurgeComm and GetLastError values; for the port listing SP_DEVINFO_DATA, GUID, the
// sign-extended HKEY_LOCAL_MACHINE, KEY_READ, REG_SZ, DIGCF_*, SPDRP_*, CR_SUCCESS and the GUIDs themselves). A table typed in by hand from the SDK docs can then not
// drift from the SDK. macOS's table has no SDK on this machine: it is checked by ffi_signatures_test.ts for what
// Deno's FFI would refuse (every ioctl request an unsigned 32-bit number) but not against Apple's headers.

import assert from "node:assert/strict";
import { POLLFD_SIZE } from "./serial/libc.ts";
import { LIBUSB_LAYOUT } from "./usb/libusb.ts";
import { POSIX_PLATFORMS } from "./serial/posix_constants.ts";
import {
  COMMTIMEOUTS_SIZE,
  CREATE_FILE,
  DCB_OFFSETS,
  DCB_SIZE,
  ESCAPE,
  MODEM_STATUS,
  PURGE,
  WIN32_ERRORS,
} from "./serial/windows_dcb.ts";
import {
  CR_SUCCESS,
  DEVICE_ID_CHARS,
  DEVINST_OFFSET,
  DICS_FLAG_GLOBAL,
  DIGCF,
  DIREG_DEV,
  GUID_DEVCLASS_MODEM,
  GUID_DEVCLASS_PORTS,
  GUID_DEVINTERFACE_COMPORT,
  HKEY_LOCAL_MACHINE,
  KEY_READ,
  LIST_ERRORS,
  REG_SZ,
  SP_DEVINFO_DATA_SIZE,
  SPDRP,
} from "./serial/windows_list_ports.ts";
import { encodeGuid } from "./serial/windows_port_ids.ts";

async function compiles(
  compiler: string,
  source: string,
  mode: "-fsyntax-only" | "-E" = "-fsyntax-only",
): Promise<{ ok: boolean; errors: string; output: string } | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "flashrecipe-layout-" });
  try {
    await Deno.writeTextFile(`${dir}/check.c`, source);
    const args = mode === "-E" ? ["-E", "-P", `${dir}/check.c`] : ["-fsyntax-only", `${dir}/check.c`];
    const output = await new Deno.Command(compiler, { args }).output();
    const decoder = new TextDecoder();
    return { ok: output.success, errors: decoder.decode(output.stderr), output: decoder.decode(output.stdout) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const check = (expression: string, what: string) => `_Static_assert(${expression}, ${JSON.stringify(what)});`;

const linux = POSIX_PLATFORMS["linux-x86_64"];

Deno.test({
  name: "FFI layouts: the Linux table matches the kernel and glibc headers (termios2, serial_struct, ioctls)",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const t = linux.termios;
    const lock = linux.recordLock;
    const lines = [
      "#define _GNU_SOURCE",
      "#include <stddef.h>",
      "#include <asm/termios.h>",
      "#include <linux/serial.h>",
      "#include <linux/tty_flags.h>",
      "#include <fcntl.h>",
      "#include <sys/file.h>",
      "#include <poll.h>",
      "#include <errno.h>",
      check(`sizeof(struct termios2) == ${t.size}`, "termios2 size"),
      check(`offsetof(struct termios2, c_iflag) == ${t.iflag}`, "c_iflag"),
      check(`offsetof(struct termios2, c_oflag) == ${t.oflag}`, "c_oflag"),
      check(`offsetof(struct termios2, c_cflag) == ${t.cflag}`, "c_cflag"),
      check(`offsetof(struct termios2, c_lflag) == ${t.lflag}`, "c_lflag"),
      check(`offsetof(struct termios2, c_cc) == ${t.cc}`, "c_cc"),
      check(`sizeof(((struct termios2 *)0)->c_cc) == ${t.nccs}`, "NCCS"),
      check(`offsetof(struct termios2, c_ispeed) == ${t.ispeed}`, "c_ispeed"),
      check(`offsetof(struct termios2, c_ospeed) == ${t.ospeed}`, "c_ospeed"),
      check(`sizeof(tcflag_t) == ${t.flagSize}`, "tcflag_t"),
      check(`sizeof(speed_t) == ${t.speedSize}`, "speed_t"),
      check(`sizeof(struct serial_struct) == ${linux.serialStruct!.size}`, "serial_struct size"),
      check(`offsetof(struct serial_struct, flags) == ${linux.serialStruct!.flagsOffset}`, "serial_struct flags"),
      check(`ASYNC_LOW_LATENCY == ${linux.serialStruct!.ASYNC_LOW_LATENCY}`, "ASYNC_LOW_LATENCY"),
      check(`sizeof(struct pollfd) == ${POLLFD_SIZE}`, "pollfd size"),
      check(`offsetof(struct pollfd, revents) == 6`, "pollfd revents"),
      check(`TCSANOW == ${linux.TCSANOW}`, "TCSANOW"),
      check(`F_OFD_GETLK == ${lock.getLock}`, "F_OFD_GETLK"),
      check(`F_OFD_SETLK == ${lock.setLock}`, "F_OFD_SETLK"),
      check(`F_WRLCK == ${lock.F_WRLCK}`, "F_WRLCK"),
      check(`F_UNLCK == ${lock.F_UNLCK}`, "F_UNLCK"),
      check(`SEEK_SET == ${lock.SEEK_SET}`, "SEEK_SET"),
      check(`sizeof(struct flock) == ${lock.size}`, "struct flock size"),
      check(`offsetof(struct flock, l_type) == ${lock.typeOffset}`, "l_type"),
      check(`offsetof(struct flock, l_whence) == ${lock.whenceOffset}`, "l_whence"),
      check(`offsetof(struct flock, l_start) == ${lock.startOffset}`, "l_start"),
      check(`offsetof(struct flock, l_len) == ${lock.lengthOffset}`, "l_len"),
      check(`offsetof(struct flock, l_pid) == ${lock.pidOffset}`, "l_pid"),
    ];
    const groups: Record<string, object> = {
      ioctl: linux.ioctl,
      open: linux.open,
      flock: linux.flock,
      poll: linux.poll,
      tcflush: linux.tcflush,
      errno: linux.errno,
    };
    for (const [group, table] of Object.entries(groups)) {
      for (const [name, value] of Object.entries(table as Record<string, number>)) {
        if (value === 0 && group === "ioctl") continue; // not on Linux
        lines.push(check(`(unsigned long)(${name}) == ${value}ul`, `${group} ${name}`));
      }
    }
    for (const [name, value] of Object.entries(linux.modem)) {
      lines.push(check(`TIOCM_${name} == ${value}`, `TIOCM_${name}`));
    }
    for (const [name, value] of Object.entries(linux.flags)) {
      lines.push(check(`(unsigned long)(${name}) == ${value}ul`, `termios ${name}`));
    }
    for (const [rate, code] of linux.baudCodes) lines.push(check(`B${rate} == ${code}`, `B${rate}`));
    const result = await compiles("gcc", lines.join("\n") + "\n");
    if (result === undefined) {
      console.warn("ffi_layouts_test: SKIPPED the Linux header check: gcc is not installed");
      return;
    }
    assert.ok(result.ok, `the Linux table differs from the headers:\n${result.errors}`);
  },
});

Deno.test("FFI layouts: the Windows table matches mingw-w64's <windows.h> (DCB, COMMTIMEOUTS, kernel32 values)", async () => {
  const lines = [
    "#include <windows.h>",
    "#include <stddef.h>",
    check(`sizeof(DCB) == ${DCB_SIZE}`, "DCB size"),
    check(`sizeof(COMMTIMEOUTS) == ${COMMTIMEOUTS_SIZE}`, "COMMTIMEOUTS size"),
    check(`(GENERIC_READ | GENERIC_WRITE) == ${CREATE_FILE.GENERIC_READ_WRITE}u`, "GENERIC_READ | GENERIC_WRITE"),
    check(`GENERIC_READ == ${CREATE_FILE.GENERIC_READ}u`, "GENERIC_READ"),
    check(`GENERIC_WRITE == ${CREATE_FILE.GENERIC_WRITE}u`, "GENERIC_WRITE"),
    check(`OPEN_EXISTING == ${CREATE_FILE.OPEN_EXISTING}`, "OPEN_EXISTING"),
  ];
  for (const [field, offset] of Object.entries(DCB_OFFSETS)) {
    if (field === "flags") continue; // the bitfield DWORD has no name; it sits between BaudRate and wReserved
    lines.push(check(`offsetof(DCB, ${field}) == ${offset}`, `DCB.${field}`));
  }
  for (const [name, value] of Object.entries(ESCAPE)) lines.push(check(`${name} == ${value}`, name));
  for (const [name, value] of Object.entries(PURGE)) lines.push(check(`PURGE_${name} == ${value}`, `PURGE_${name}`));
  for (const [name, value] of Object.entries(MODEM_STATUS)) lines.push(check(`MS_${name} == ${value}`, `MS_${name}`));
  for (const [name, value] of Object.entries(WIN32_ERRORS)) lines.push(check(`${name} == ${value}`, name));
  const result = await compiles("x86_64-w64-mingw32-gcc", lines.join("\n") + "\n");
  if (result === undefined) {
    console.warn("ffi_layouts_test: SKIPPED the Windows header check: x86_64-w64-mingw32-gcc is not installed");
    return;
  }
  assert.ok(result.ok, `the Windows table differs from <windows.h>:\n${result.errors}`);
});

Deno.test("FFI layouts: the Windows port listing matches mingw-w64's headers (SP_DEVINFO_DATA, GUID, HKLM, flags)", async () => {
  const lines = [
    "#include <windows.h>",
    "#include <setupapi.h>",
    "#include <cfgmgr32.h>",
    "#include <stddef.h>",
    // winreg.h: ((HKEY)(ULONG_PTR)((LONG)0x80000002)), a LONG sign-extended to the 64-bit pointer.
    check(`(ULONG_PTR)HKEY_LOCAL_MACHINE == 0x${HKEY_LOCAL_MACHINE.toString(16)}ull`, "HKEY_LOCAL_MACHINE"),
    check(`sizeof(void *) == 8`, "x64"),
    check(`sizeof(SP_DEVINFO_DATA) == ${SP_DEVINFO_DATA_SIZE}`, "SP_DEVINFO_DATA size"),
    check(`offsetof(SP_DEVINFO_DATA, cbSize) == 0`, "SP_DEVINFO_DATA.cbSize"),
    check(`offsetof(SP_DEVINFO_DATA, ClassGuid) == 4`, "SP_DEVINFO_DATA.ClassGuid"),
    check(`offsetof(SP_DEVINFO_DATA, DevInst) == ${DEVINST_OFFSET}`, "SP_DEVINFO_DATA.DevInst"),
    check(`sizeof(((SP_DEVINFO_DATA *)0)->DevInst) == 4`, "DevInst is a DWORD (u32)"),
    // encodeGuid's layout: Data1 u32, Data2 u16, Data3 u16 (little-endian), then the eight Data4 bytes.
    check(`sizeof(GUID) == 16`, "GUID size"),
    check(`offsetof(GUID, Data2) == 4`, "GUID.Data2"),
    check(`offsetof(GUID, Data3) == 6`, "GUID.Data3"),
    check(`offsetof(GUID, Data4) == 8`, "GUID.Data4"),
    check(`KEY_READ == ${KEY_READ}`, "KEY_READ"),
    check(`REG_SZ == ${REG_SZ}`, "REG_SZ"),
    check(`DICS_FLAG_GLOBAL == ${DICS_FLAG_GLOBAL}`, "DICS_FLAG_GLOBAL"),
    check(`DIREG_DEV == ${DIREG_DEV}`, "DIREG_DEV"),
    check(`MAX_DEVICE_ID_LEN + 1 == ${DEVICE_ID_CHARS}`, "MAX_DEVICE_ID_LEN and its NUL"),
    check(`CR_SUCCESS == ${CR_SUCCESS}`, "CR_SUCCESS"),
  ];
  for (const [name, value] of Object.entries(DIGCF)) lines.push(check(`DIGCF_${name} == ${value}`, `DIGCF_${name}`));
  for (const [name, value] of Object.entries(SPDRP)) lines.push(check(`SPDRP_${name} == ${value}`, `SPDRP_${name}`));
  for (const [name, value] of Object.entries(LIST_ERRORS)) lines.push(check(`${name} == ${value}`, name));
  const result = await compiles("x86_64-w64-mingw32-gcc", lines.join("\n") + "\n");
  if (result === undefined) {
    console.warn("ffi_layouts_test: SKIPPED the Windows listing check: x86_64-w64-mingw32-gcc is not installed");
    return;
  }
  assert.ok(result.ok, `the Windows listing constants differ from mingw-w64's headers:\n${result.errors}`);

  // The GUIDs as devguid.h and ntddser.h define them: DEFINE_GUID made visible by the preprocessor, the fields laid
  // out as GUID is (checked above) and compared with what encodeGuid makes of the strings the listing uses.
  const guids = await compiles(
    "x86_64-w64-mingw32-gcc",
    [
      "#include <windows.h>",
      "#undef DEFINE_GUID",
      "#define DEFINE_GUID(name, ...) FR_GUID name (__VA_ARGS__)",
      "#include <devguid.h>",
      "#include <ntddser.h>",
    ].join("\n") + "\n",
    "-E",
  );
  assert.ok(guids?.ok, `preprocessing devguid.h failed:\n${guids?.errors}`);
  const defined = new Map<string, Uint8Array>();
  for (const match of guids.output.matchAll(/FR_GUID (\w+) \(([^)]*)\)/g)) {
    const [data1, data2, data3, ...data4] = match[2].split(",").map((field) => parseInt(field.trim(), 16));
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, data1, true);
    view.setUint16(4, data2, true);
    view.setUint16(6, data3, true);
    bytes.set(data4, 8);
    defined.set(match[1], bytes);
  }
  const used = { GUID_DEVCLASS_PORTS, GUID_DEVCLASS_MODEM, GUID_DEVINTERFACE_COMPORT };
  for (const [name, text] of Object.entries(used)) {
    assert.ok(defined.has(name), `${name} is defined by the headers`);
    assert.deepEqual(encodeGuid(text), defined.get(name), name);
  }
});

Deno.test({
  name: "FFI layouts: the libusb struct offsets match <libusb-1.0/libusb.h> (libusb-1.0-0-dev)",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const L = LIBUSB_LAYOUT;
    const lines = [
      "#include <stddef.h>",
      "#include <libusb-1.0/libusb.h>",
      check(`sizeof(struct libusb_device_descriptor) == ${L.deviceDescriptor.size}`, "device descriptor size"),
      check(
        `offsetof(struct libusb_config_descriptor, bNumInterfaces) == ${L.config.bNumInterfaces}`,
        "config bNumInterfaces",
      ),
      check(`offsetof(struct libusb_config_descriptor, MaxPower) == ${L.config.wireBytes - 1}`, "config wire bytes"),
      check(`offsetof(struct libusb_config_descriptor, interface) == ${L.config.interface}`, "config interface"),
      check(`offsetof(struct libusb_config_descriptor, extra) == ${L.config.extra}`, "config extra"),
      check(
        `offsetof(struct libusb_config_descriptor, extra_length) == ${L.config.extra_length}`,
        "config extra_length",
      ),
      check(`offsetof(struct libusb_interface, altsetting) == ${L.interface.altsetting}`, "interface altsetting"),
      check(`offsetof(struct libusb_interface, num_altsetting) == ${L.interface.num_altsetting}`, "num_altsetting"),
      check(`sizeof(struct libusb_interface) == ${L.interface.size}`, "interface size"),
      check(
        `offsetof(struct libusb_interface_descriptor, bNumEndpoints) == ${L.interfaceDescriptor.bNumEndpoints}`,
        "bNumEndpoints",
      ),
      check(
        `offsetof(struct libusb_interface_descriptor, iInterface) == ${L.interfaceDescriptor.wireBytes - 1}`,
        "interface wire bytes",
      ),
      check(`offsetof(struct libusb_interface_descriptor, endpoint) == ${L.interfaceDescriptor.endpoint}`, "endpoint"),
      check(`offsetof(struct libusb_interface_descriptor, extra) == ${L.interfaceDescriptor.extra}`, "interface extra"),
      check(
        `offsetof(struct libusb_interface_descriptor, extra_length) == ${L.interfaceDescriptor.extra_length}`,
        "interface extra_length",
      ),
      check(`sizeof(struct libusb_interface_descriptor) == ${L.interfaceDescriptor.size}`, "interface descriptor size"),
      check(
        `offsetof(struct libusb_endpoint_descriptor, bSynchAddress) == ${L.endpoint.wireBytes - 1}`,
        "endpoint wire bytes",
      ),
      check(`offsetof(struct libusb_endpoint_descriptor, extra) == ${L.endpoint.extra}`, "endpoint extra"),
      check(
        `offsetof(struct libusb_endpoint_descriptor, extra_length) == ${L.endpoint.extra_length}`,
        "endpoint extra_length",
      ),
      check(`sizeof(struct libusb_endpoint_descriptor) == ${L.endpoint.size}`, "endpoint size"),
    ];
    let header = true;
    try {
      Deno.statSync("/usr/include/libusb-1.0/libusb.h");
    } catch {
      header = false;
    }
    const result = header ? await compiles("gcc", lines.join("\n") + "\n") : undefined;
    if (result === undefined) {
      console.warn(
        "ffi_layouts_test: SKIPPED the libusb check: needs gcc and libusb-1.0-0-dev (scripts/install_test_deps.sh)",
      );
      return;
    }
    assert.ok(result.ok, `the libusb layout differs from libusb.h:\n${result.errors}`);
  },
});
