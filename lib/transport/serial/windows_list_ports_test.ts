import assert from "node:assert/strict";
import { listSerialPorts } from "./list_ports.ts";
import { DeviceError } from "../../errors.ts";
import {
  type Advapi32,
  HKEY_LOCAL_MACHINE,
  KEY_READ,
  LIST_ERRORS,
  readSerialComm,
  REG_SZ,
  SP_DEVINFO_DATA_SIZE,
} from "./windows_list_ports.ts";

// The FFI itself runs only on Windows (scripts/windows/test.sh runs this file under Wine, where the test leg's
// `ports` check also asserts the COM port it mapped); the constants and the registry walk (over advapi32
// stand-ins) are checked everywhere.

Deno.test({
  name: "Windows: listSerialPorts reads COM names from the registry, sorted by number, each once",
  ignore: Deno.build.os !== "windows",
  fn: async () => {
    const ports = await listSerialPorts();
    const names = ports.map((port) => port.path);
    for (const name of names) assert.match(name, /^COM\d+$/);
    assert.deepEqual(names, [...new Set(names)].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3))));
  },
});

Deno.test("Windows listing constants: HKLM sign-extended as winreg.h defines it, KEY_READ, SP_DEVINFO_DATA", () => {
  assert.equal(HKEY_LOCAL_MACHINE, BigInt.asUintN(64, BigInt(0x80000002 | 0)));
  assert.equal(KEY_READ, 0x00020000 | 0x0001 | 0x0008 | 0x0010); // STANDARD_RIGHTS_READ | QUERY | ENUMERATE | NOTIFY
  assert.ok(KEY_READ >= 0 && KEY_READ <= 0xffffffff, "a u32 FFI argument must be non-negative");
  // cbSize, ClassGuid, DevInst end at 24, where the 8-byte Reserved pointer is already aligned.
  assert.equal(SP_DEVINFO_DATA_SIZE, 4 + 16 + 4 + 8);
});

/** A registry value as RegEnumValueW reports it. */
interface Value {
  name: string;
  type: number;
  data: string;
}

/**
 * advapi32 stand-ins over an in-memory SERIALCOMM key, behaving as the documentation says: RegEnumValueW fills the
 * name (count in characters, NUL included in the buffer's size) and the data (count in bytes), answers
 * ERROR_MORE_DATA with the data size needed when a buffer is short, ERROR_NO_MORE_ITEMS past the last value.
 */
function fakeAdvapi32(values: Value[] | undefined, openStatus = 0) {
  const calls = { open: [] as bigint[], enumerated: [] as number[], closed: 0 };
  const u32 = (buffer: BufferSource | null) => new DataView((buffer as Uint8Array).buffer);
  const utf16 = (text: string) => new Uint8Array(new Uint16Array([...text].map((c) => c.charCodeAt(0))).buffer);
  const reg = {
    RegOpenKeyExW: (
      root: Deno.PointerValue,
      _name: BufferSource | null,
      _options: number,
      access: number,
      out: BufferSource | null,
    ) => {
      calls.open.push(Deno.UnsafePointer.value(root) as bigint);
      assert.equal(access, KEY_READ);
      if (values === undefined) return LIST_ERRORS.ERROR_FILE_NOT_FOUND;
      if (openStatus === 0) u32(out).setBigUint64(0, 0x1234n, true);
      return openStatus;
    },
    RegEnumValueW: (
      _key: Deno.PointerValue,
      index: number,
      name: BufferSource | null,
      nameChars: BufferSource | null,
      _reserved: Deno.PointerValue,
      type: BufferSource | null,
      data: BufferSource | null,
      dataBytes: BufferSource | null,
    ) => {
      calls.enumerated.push(index);
      const value = values![index];
      if (!value) return LIST_ERRORS.ERROR_NO_MORE_ITEMS;
      const encoded = utf16(value.data + "\0");
      if (u32(nameChars).getUint32(0, true) < value.name.length + 1) return LIST_ERRORS.ERROR_MORE_DATA;
      if (u32(dataBytes).getUint32(0, true) < encoded.length) {
        u32(dataBytes).setUint32(0, encoded.length, true);
        return LIST_ERRORS.ERROR_MORE_DATA;
      }
      (name as Uint8Array).set(utf16(value.name + "\0"));
      u32(nameChars).setUint32(0, value.name.length, true);
      u32(type).setUint32(0, value.type, true);
      (data as Uint8Array).set(encoded);
      u32(dataBytes).setUint32(0, encoded.length, true);
      return 0;
    },
    RegQueryValueExW: () => LIST_ERRORS.ERROR_FILE_NOT_FOUND,
    RegCloseKey: () => {
      calls.closed++;
      return 0;
    },
  };
  return { reg: reg as unknown as Advapi32, calls };
}

Deno.test("readSerialComm: the COM names from HKLM\\...\\SERIALCOMM, opened under the sign-extended HKLM", () => {
  const { reg, calls } = fakeAdvapi32([
    { name: "\\Device\\Serial0", type: REG_SZ, data: "COM1" },
    { name: "\\Device\\Silabser0", type: REG_SZ, data: "COM3" },
    { name: "\\Device\\Odd", type: 4, /* REG_DWORD: not a port name */ data: "x" },
    { name: "\\Device\\VCP0", type: REG_SZ, data: "COM10" },
  ]);
  assert.deepEqual(readSerialComm(reg), ["COM1", "COM3", "COM10"]);
  assert.deepEqual(calls.open, [0xffff_ffff_8000_0002n]);
  assert.equal(calls.closed, 1, "the key is closed");
});

Deno.test("readSerialComm: long names and data grow the buffers and the same value is asked again", () => {
  const longName = `\\Device\\${"V".repeat(600)}`;
  const longData = `COM${"9".repeat(300)}`; // 608 bytes with its NUL: more than the first 256
  const { reg, calls } = fakeAdvapi32([
    { name: longName, type: REG_SZ, data: "COM4" },
    { name: "\\Device\\X", type: REG_SZ, data: longData },
  ]);
  assert.deepEqual(readSerialComm(reg), ["COM4", longData]);
  // Index 0 at 256, 512, then 1024 name characters; index 1 with 256 data bytes, then the 608 it asked for.
  assert.deepEqual(calls.enumerated, [0, 0, 0, 1, 1, 2]);
});

Deno.test("readSerialComm: no SERIALCOMM key (no port ever seen) is an empty list; a refused open is E_PORT_LIST", () => {
  assert.deepEqual(readSerialComm(fakeAdvapi32(undefined).reg), []);
  assert.throws(() => readSerialComm(fakeAdvapi32([], 5 /* ERROR_ACCESS_DENIED */).reg), (error: unknown) => {
    assert.ok(error instanceof DeviceError);
    assert.equal(error.code, "E_PORT_LIST");
    assert.match(error.message, /RegOpenKeyExW\(SERIALCOMM\) returned Win32 error 5/);
    assert.match(error.hint ?? "", /--port COM3/);
    return true;
  });
});
