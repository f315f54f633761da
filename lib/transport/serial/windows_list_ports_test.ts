import assert from "node:assert/strict";
import { listSerialPorts } from "./list_ports.ts";
import { DeviceError } from "../../errors.ts";
import {
  type Advapi32,
  type CfgMgr32,
  DIGCF,
  GUID_DEVCLASS_PORTS,
  GUID_DEVINTERFACE_COMPORT,
  HKEY_LOCAL_MACHINE,
  KEY_READ,
  LIST_ERRORS,
  portDevices,
  readSerialComm,
  REG_SZ,
  type SetupApi,
  SP_DEVINFO_DATA_SIZE,
  SPDRP,
} from "./windows_list_ports.ts";
import { encodeGuid, mergeWindowsPorts } from "./windows_port_ids.ts";

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

/** A device as the SetupAPI stand-ins below report it. */
interface FakeDevice {
  instanceId: string;
  parentId?: string;
  portName?: string;
  properties: Record<number, Uint8Array>;
}

/** UTF-16LE with a terminating NUL, as SetupAPI and the registry return strings. */
function utf16z(text: string): Uint8Array {
  return new Uint8Array(new Uint16Array([...text, "\0"].map((c) => c.charCodeAt(0))).buffer);
}

/**
 * setupapi, advapi32 (PortName) and cfgmgr32 stand-ins over `devices`. DevInst n is devices[n - 1]; a parent is
 * DevInst 100 + n. Counts what is opened and closed, so that the test can see every handle is given back.
 */
function fakeSetupApi(devices: FakeDevice[], validSet = true) {
  const seen = { guids: [] as Uint8Array[], flags: [] as number[], destroyed: 0, keysOpened: 0, keysClosed: 0 };
  const view = (buffer: BufferSource | null) => new DataView((buffer as Uint8Array).buffer);
  const deviceOf = (info: BufferSource | null) => {
    assert.equal(view(info).getUint32(0, true), SP_DEVINFO_DATA_SIZE, "cbSize");
    return devices[view(info).getUint32(20, true) - 1];
  };
  const write = (target: BufferSource | null, bytes: Uint8Array) => (target as Uint8Array).set(bytes);
  const invalid = Deno.UnsafePointer.create(0xffff_ffff_ffff_ffffn);
  const setup = {
    SetupDiGetClassDevsW: (guid: BufferSource | null, _e: Deno.PointerValue, _w: Deno.PointerValue, flags: number) => {
      seen.guids.push((guid as Uint8Array).slice());
      seen.flags.push(flags);
      return validSet ? Deno.UnsafePointer.create(0x5000n) : invalid;
    },
    SetupDiEnumDeviceInfo: (_set: Deno.PointerValue, index: number, info: BufferSource | null) => {
      if (index >= devices.length) return 0;
      view(info).setUint32(20, index + 1, true);
      return 1;
    },
    SetupDiGetDeviceInstanceIdW: (
      _set: Deno.PointerValue,
      info: BufferSource | null,
      buffer: BufferSource | null,
      chars: number,
    ) => {
      const id = utf16z(deviceOf(info).instanceId);
      if (id.length > chars * 2) return 0;
      write(buffer, id);
      return 1;
    },
    SetupDiGetDeviceRegistryPropertyW: (
      _set: Deno.PointerValue,
      info: BufferSource | null,
      which: number,
      _type: BufferSource | null,
      data: BufferSource | null,
      size: number,
      needed: BufferSource | null,
    ) => {
      const value = deviceOf(info).properties[which];
      view(needed).setUint32(0, value?.length ?? 0, true);
      if (!value || value.length > size) return 0; // ERROR_INVALID_DATA / ERROR_INSUFFICIENT_BUFFER
      write(data, value);
      return 1;
    },
    SetupDiOpenDevRegKey: (_set: Deno.PointerValue, info: BufferSource | null) => {
      const device = deviceOf(info);
      if (device.portName === undefined) return invalid;
      seen.keysOpened++;
      return Deno.UnsafePointer.create(BigInt(0x7000 + devices.indexOf(device)));
    },
    SetupDiDestroyDeviceInfoList: () => {
      seen.destroyed++;
      return 1;
    },
  };
  const reg = {
    RegQueryValueExW: (
      key: Deno.PointerValue,
      _name: BufferSource | null,
      _reserved: Deno.PointerValue,
      type: BufferSource | null,
      data: BufferSource | null,
      length: BufferSource | null,
    ) => {
      const device = devices[Number(Deno.UnsafePointer.value(key)) - 0x7000];
      const bytes = utf16z(device.portName!);
      view(type).setUint32(0, REG_SZ, true);
      write(data, bytes);
      view(length).setUint32(0, bytes.length, true);
      return 0;
    },
    RegCloseKey: () => {
      seen.keysClosed++;
      return 0;
    },
  };
  const cm = {
    CM_Get_Parent: (out: BufferSource | null, devInst: number) => {
      if (devices[devInst - 1]?.parentId === undefined) return 0x0d; // CR_NO_SUCH_DEVNODE
      view(out).setUint32(0, 100 + devInst, true);
      return 0;
    },
    CM_Get_Device_IDW: (devInst: number, buffer: BufferSource | null) => {
      write(buffer, utf16z(devices[devInst - 101].parentId!));
      return 0;
    },
  };
  return { setup: setup as unknown as SetupApi, reg: reg as unknown as Advapi32, cm: cm as unknown as CfgMgr32, seen };
}

Deno.test("portDevices: each device's port name, IDs and properties; LPT ports skipped; every handle given back", () => {
  const longName = `${"Very Long Vendor Name ".repeat(20)}(COM4)`; // 894 bytes with its NUL: more than the first 512-byte try
  const { setup, reg, cm, seen } = fakeSetupApi([
    {
      instanceId: "FTDIBUS\\VID_0403+PID_6001+A10K3XYZA\\0000",
      portName: "COM10",
      properties: {
        [SPDRP.FRIENDLYNAME]: utf16z("USB Serial Port (COM10)"),
        [SPDRP.SERVICE]: utf16z("FTDIBUS"),
        [SPDRP.HARDWAREID]: utf16z("FTDIBUS\\COMPORT&VID_0403&PID_6001\0"),
      },
    },
    { instanceId: "ACPI\\PNP0401\\0", properties: { [SPDRP.FRIENDLYNAME]: utf16z("Printer Port (LPT1)") } },
    {
      instanceId: "USB\\VID_0483&PID_5740&MI_00\\6&2A1B3C4D&0&0000",
      parentId: "USB\\VID_0483&PID_5740\\205E3072484E",
      portName: "COM4",
      properties: { [SPDRP.FRIENDLYNAME]: utf16z(longName), [SPDRP.DEVICEDESC]: utf16z("USB Serial Device") },
    },
  ]);
  const devices = portDevices(setup, reg, cm, GUID_DEVCLASS_PORTS, DIGCF.PRESENT);
  assert.deepEqual(devices, [
    {
      portName: "COM10",
      instanceId: "FTDIBUS\\VID_0403+PID_6001+A10K3XYZA\\0000",
      hardwareIds: ["FTDIBUS\\COMPORT&VID_0403&PID_6001"],
      friendlyName: "USB Serial Port (COM10)",
      service: "FTDIBUS",
    },
    {
      portName: "COM4",
      instanceId: "USB\\VID_0483&PID_5740&MI_00\\6&2A1B3C4D&0&0000",
      parentInstanceId: "USB\\VID_0483&PID_5740\\205E3072484E",
      friendlyName: longName,
      deviceDescription: "USB Serial Device",
    },
  ]);
  assert.deepEqual(seen.guids, [encodeGuid(GUID_DEVCLASS_PORTS)]);
  assert.deepEqual(seen.flags, [DIGCF.PRESENT]);
  assert.equal(seen.destroyed, 1);
  assert.equal(seen.keysClosed, seen.keysOpened);
  // Through the merge, the composite interface gets its parent's serial number.
  assert.deepEqual(
    mergeWindowsPorts(["COM4", "COM10"], devices).map((port) => [port.path, port.serialNumber, port.product]),
    [["COM4", "205E3072484E", longName.replace(" (COM4)", "").trim()], ["COM10", "A10K3XYZ", "USB Serial Port"]],
  );
});

Deno.test("portDevices: no device set (INVALID_HANDLE_VALUE) is an empty list, nothing to destroy", () => {
  const { setup, reg, cm, seen } = fakeSetupApi([], false);
  assert.deepEqual(portDevices(setup, reg, cm, GUID_DEVINTERFACE_COMPORT, DIGCF.PRESENT | DIGCF.DEVICEINTERFACE), []);
  assert.equal(seen.destroyed, 0);
});
