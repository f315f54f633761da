/**
 * Lists the COM ports of a Windows machine through `Deno.dlopen`: the names from the registry
 * (`HKLM\HARDWARE\DEVICEMAP\SERIALCOMM`, advapi32), and for each the USB identity, driver and description of
 * the device behind it from SetupAPI (setupapi, cfgmgr32). The decoding is in `windows_port_ids.ts`.
 *
 * SetupAPI is asked for the present devices of the Ports and Modem classes and of the COM-port device interface; each
 * device's `PortName` (in its hardware key, opened with SetupDiOpenDevRegKey) ties it to a registry name. Ports
 * that SetupAPI does not know (Wine's mapped ports, some virtual port drivers) are listed with their name only.
 *
 * Windows-only: loaded by `list_ports.ts` when `Deno.build.os` is `windows`; exercised under Wine by
 * `scripts/windows/test.sh`, and on Linux through stand-in libraries with the same declarations by
 * `lib/transport/ffi_signatures_test.ts` (the argument values Deno's FFI accepts). Not run on real Windows.
 *
 * @module
 */

import { DeviceError } from "../../errors.ts";
import type { SerialPortInfo } from "./list_ports.ts";
import {
  decodeRegistryMultiString,
  decodeRegistryString,
  encodeGuid,
  mergeWindowsPorts,
  type WindowsPortDevice,
} from "./windows_port_ids.ts";
import { utf16z } from "./windows_dcb.ts";

/** The advapi32 functions the listing declares (exported for the FFI signature tests). */
export const ADVAPI32 = {
  RegOpenKeyExW: { parameters: ["pointer", "buffer", "u32", "u32", "buffer"], result: "i32" },
  RegEnumValueW: {
    parameters: ["pointer", "u32", "buffer", "buffer", "pointer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  RegQueryValueExW: { parameters: ["pointer", "buffer", "pointer", "buffer", "buffer", "buffer"], result: "i32" },
  RegCloseKey: { parameters: ["pointer"], result: "i32" },
} as const;

/** The setupapi functions the listing declares. */
export const SETUPAPI = {
  SetupDiGetClassDevsW: { parameters: ["buffer", "pointer", "pointer", "u32"], result: "pointer" },
  SetupDiEnumDeviceInfo: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  SetupDiGetDeviceInstanceIdW: { parameters: ["pointer", "buffer", "buffer", "u32", "buffer"], result: "i32" },
  SetupDiGetDeviceRegistryPropertyW: {
    parameters: ["pointer", "buffer", "u32", "buffer", "buffer", "u32", "buffer"],
    result: "i32",
  },
  SetupDiOpenDevRegKey: { parameters: ["pointer", "buffer", "u32", "u32", "u32", "u32"], result: "pointer" },
  SetupDiDestroyDeviceInfoList: { parameters: ["pointer"], result: "i32" },
} as const;

/** The cfgmgr32 functions the listing declares (the parent of a composite device's interface). */
export const CFGMGR32 = {
  CM_Get_Parent: { parameters: ["buffer", "u32", "u32"], result: "u32" },
  CM_Get_Device_IDW: { parameters: ["u32", "buffer", "u32", "u32"], result: "u32" },
} as const;

/** The advapi32 symbols as `Deno.dlopen` gives them (tests pass stand-ins). */
export type Advapi32 = Deno.DynamicLibrary<typeof ADVAPI32>["symbols"];
/** The setupapi symbols as `Deno.dlopen` gives them (tests pass stand-ins). */
export type SetupApi = Deno.DynamicLibrary<typeof SETUPAPI>["symbols"];
/** The cfgmgr32 symbols as `Deno.dlopen` gives them (tests pass stand-ins). */
export type CfgMgr32 = Deno.DynamicLibrary<typeof CFGMGR32>["symbols"];

/**
 * HKEY_LOCAL_MACHINE is `(HKEY)(ULONG_PTR)((LONG)0x80000002)` (winreg.h): a LONG sign-extended to pointer width,
 * 0xFFFFFFFF80000002 on 64-bit Windows. A zero-extended 0x80000002 is not a predefined key.
 */
export const HKEY_LOCAL_MACHINE = 0xFFFF_FFFF_8000_0002n;
/** KEY_READ (winnt.h): STANDARD_RIGHTS_READ | KEY_QUERY_VALUE | KEY_ENUMERATE_SUB_KEYS | KEY_NOTIFY. */
export const KEY_READ = 0x20019;
/** Registry value types (winnt.h). */
export const REG_SZ = 1;
/** Win32 status codes the listing handles (winerror.h). */
export const LIST_ERRORS = {
  ERROR_SUCCESS: 0,
  ERROR_FILE_NOT_FOUND: 2,
  ERROR_INVALID_DATA: 13,
  ERROR_MORE_DATA: 234,
  ERROR_NO_MORE_ITEMS: 259,
} as const;
/** SetupDiGetClassDevsW flags (setupapi.h). */
export const DIGCF = { PRESENT: 0x2, DEVICEINTERFACE: 0x10 } as const;
/** SetupDiGetDeviceRegistryPropertyW properties (setupapi.h). */
export const SPDRP = { DEVICEDESC: 0x00, HARDWAREID: 0x01, SERVICE: 0x04, FRIENDLYNAME: 0x0c } as const;
/** SetupDiOpenDevRegKey: DICS_FLAG_GLOBAL, DIREG_DEV (the device's hardware key, which holds PortName). */
export const DICS_FLAG_GLOBAL = 1;
/** SetupDiOpenDevRegKey's KeyType for the device's hardware key (setupapi.h). */
export const DIREG_DEV = 1;
/** The Ports (COM & LPT) device setup class, devguid.h GUID_DEVCLASS_PORTS. */
export const GUID_DEVCLASS_PORTS = "{4D36E978-E325-11CE-BFC1-08002BE10318}";
/**
 * The Modem device setup class, devguid.h GUID_DEVCLASS_MODEM: CDC ACM devices bound to Windows' USB modem driver
 * are in this class, with their COM name in PortName like the Ports class.
 */
export const GUID_DEVCLASS_MODEM = "{4D36E96D-E325-11CE-BFC1-08002BE10318}";
/** The COM-port device interface, ntddser.h GUID_DEVINTERFACE_COMPORT. */
export const GUID_DEVINTERFACE_COMPORT = "{86E0D1E0-8089-11D0-9CE4-08003E301F73}";
/**
 * SP_DEVINFO_DATA on 64-bit Windows: cbSize DWORD, ClassGuid (16), DevInst DWORD, Reserved ULONG_PTR, aligned to
 * 8 bytes: 32. DevInst is at offset 20.
 */
export const SP_DEVINFO_DATA_SIZE = 32;
/** Offset of DevInst in SP_DEVINFO_DATA (after cbSize and the 16-byte ClassGuid). */
export const DEVINST_OFFSET = 20;
/** Device instance IDs are at most MAX_DEVICE_ID_LEN (200) characters (cfgmgr32.h); the buffers hold its NUL too. */
export const DEVICE_ID_CHARS = 201;
/** CONFIGRET success (cfgmgr32.h CR_SUCCESS). */
export const CR_SUCCESS = 0;
/** INVALID_HANDLE_VALUE, (HANDLE)-1. */
const INVALID_HANDLE_VALUE = 0xFFFF_FFFF_FFFF_FFFFn;
/** More values or devices than this in one listing means something is wrong; every loop stops there. */
export const MAX_ENTRIES = 4096;
/** Longest registry value name (16,383 characters, "Registry Element Size Limits") plus its NUL. */
const MAX_VALUE_NAME_CHARS = 16384;

/** The libraries {@linkcode listWindowsSerialPorts} opens; tests give stand-ins with the same declarations. */
export interface WindowsListLibraries {
  /** Path of advapi32 (default `advapi32.dll`). */
  advapi32?: string;
  /** Path of setupapi (default `setupapi.dll`). */
  setupapi?: string;
  /** Path of cfgmgr32 (default `cfgmgr32.dll`). */
  cfgmgr32?: string;
}

/**
 * Lists the COM ports present, sorted by number, with USB identity where SetupAPI has it. `libraries` names other
 * files with the same declarations: `lib/transport/ffi_signatures_test.ts` runs this whole function through a real
 * `Deno.dlopen` of stand-ins on any OS.
 */
export function listWindowsSerialPorts(libraries: WindowsListLibraries = {}): Promise<SerialPortInfo[]> {
  // A failure is a rejected promise, never a synchronous throw.
  try {
    return Promise.resolve(listNow(libraries));
  } catch (error) {
    return Promise.reject(error);
  }
}

function listNow(libraries: WindowsListLibraries): SerialPortInfo[] {
  const advapi32 = Deno.dlopen(libraries.advapi32 ?? "advapi32.dll", ADVAPI32);
  try {
    const names = readSerialComm(advapi32.symbols);
    if (names.length === 0) return [];
    const setupapi = Deno.dlopen(libraries.setupapi ?? "setupapi.dll", SETUPAPI);
    try {
      const cfgmgr32 = Deno.dlopen(libraries.cfgmgr32 ?? "cfgmgr32.dll", CFGMGR32);
      try {
        const [setup, reg, cm] = [setupapi.symbols, advapi32.symbols, cfgmgr32.symbols];
        const devices = [
          ...portDevices(setup, reg, cm, GUID_DEVCLASS_PORTS, DIGCF.PRESENT),
          ...portDevices(setup, reg, cm, GUID_DEVCLASS_MODEM, DIGCF.PRESENT),
          ...portDevices(setup, reg, cm, GUID_DEVINTERFACE_COMPORT, DIGCF.PRESENT | DIGCF.DEVICEINTERFACE),
        ];
        return mergeWindowsPorts(names, devices);
      } finally {
        cfgmgr32.close();
      }
    } finally {
      setupapi.close();
    }
  } finally {
    advapi32.close();
  }
}

function listError(what: string, status: number): DeviceError {
  return new DeviceError("E_PORT_LIST", `listing the serial ports failed: ${what} returned Win32 error ${status}`, {
    hint: "name the port directly (--port COM3); Device Manager shows the COM ports under 'Ports (COM & LPT)'",
  });
}

/**
 * The COM names in `HKLM\HARDWARE\DEVICEMAP\SERIALCOMM`, in the registry's order; empty when the key is absent (no
 * port ever seen). Values that are not REG_SZ are skipped; buffers grow when RegEnumValueW says ERROR_MORE_DATA.
 * Any other failure is a `DeviceError` `E_PORT_LIST`.
 */
export function readSerialComm(reg: Advapi32): string[] {
  const keyOut = new BigUint64Array(1);
  const status = reg.RegOpenKeyExW(
    Deno.UnsafePointer.create(HKEY_LOCAL_MACHINE),
    utf16z("HARDWARE\\DEVICEMAP\\SERIALCOMM"),
    0,
    KEY_READ,
    new Uint8Array(keyOut.buffer),
  );
  if (status === LIST_ERRORS.ERROR_FILE_NOT_FOUND) return [];
  if (status !== LIST_ERRORS.ERROR_SUCCESS) throw listError("RegOpenKeyExW(SERIALCOMM)", status);
  const key = Deno.UnsafePointer.create(keyOut[0]);
  try {
    const names: string[] = [];
    let nameChars = 256;
    let dataBytes = 256;
    for (let index = 0; index < MAX_ENTRIES;) {
      const name = new Uint8Array(nameChars * 2);
      const nameLength = new Uint32Array([nameChars]);
      const type = new Uint32Array(1);
      const data = new Uint8Array(dataBytes);
      const dataLength = new Uint32Array([dataBytes]);
      const result = reg.RegEnumValueW(
        key,
        index,
        name,
        new Uint8Array(nameLength.buffer),
        null,
        new Uint8Array(type.buffer),
        data,
        new Uint8Array(dataLength.buffer),
      );
      if (result === LIST_ERRORS.ERROR_NO_MORE_ITEMS) return names;
      if (result === LIST_ERRORS.ERROR_MORE_DATA) {
        // dataLength holds the size the data needs; the name length is not reported, so double it.
        if (dataLength[0] > dataBytes) dataBytes = dataLength[0];
        else if (nameChars < MAX_VALUE_NAME_CHARS) nameChars = Math.min(nameChars * 2, MAX_VALUE_NAME_CHARS);
        else throw listError("RegEnumValueW(SERIALCOMM)", result);
        continue; // the same index again, with larger buffers
      }
      if (result !== LIST_ERRORS.ERROR_SUCCESS) throw listError("RegEnumValueW(SERIALCOMM)", result);
      if (type[0] === REG_SZ) names.push(decodeRegistryString(data.subarray(0, dataLength[0])));
      index++;
    }
    throw listError("RegEnumValueW(SERIALCOMM): too many values", LIST_ERRORS.ERROR_MORE_DATA);
  } finally {
    reg.RegCloseKey(key);
  }
}

/**
 * The present devices of a setup class (or of a device interface, with DIGCF.DEVICEINTERFACE) that have a PortName,
 * with their instance ID, parent's instance ID and the registry properties they have; properties a device lacks are
 * left out. No device set (INVALID_HANDLE_VALUE) is an empty list.
 */
export function portDevices(
  setup: SetupApi,
  reg: Advapi32,
  cm: CfgMgr32,
  guid: string,
  flags: number,
): WindowsPortDevice[] {
  const set = setup.SetupDiGetClassDevsW(encodeGuid(guid), null, null, flags);
  if (set === null || Deno.UnsafePointer.value(set) === INVALID_HANDLE_VALUE) return [];
  try {
    const devices: WindowsPortDevice[] = [];
    for (let index = 0; index < MAX_ENTRIES; index++) {
      const info = new Uint8Array(SP_DEVINFO_DATA_SIZE);
      new DataView(info.buffer).setUint32(0, SP_DEVINFO_DATA_SIZE, true);
      if (!setup.SetupDiEnumDeviceInfo(set, index, info)) break; // ERROR_NO_MORE_ITEMS
      const portName = devicePortName(setup, reg, set, info);
      const instanceId = deviceInstanceId(setup, set, info);
      if (!portName || !instanceId) continue; // an LPT port, or a device without a COM name
      const device: WindowsPortDevice = { portName, instanceId };
      const parent = parentInstanceId(cm, new DataView(info.buffer).getUint32(DEVINST_OFFSET, true));
      if (parent) device.parentInstanceId = parent;
      const hardwareIds = property(setup, set, info, SPDRP.HARDWAREID);
      if (hardwareIds) device.hardwareIds = decodeRegistryMultiString(hardwareIds);
      const friendlyName = property(setup, set, info, SPDRP.FRIENDLYNAME);
      if (friendlyName) device.friendlyName = decodeRegistryString(friendlyName);
      const description = property(setup, set, info, SPDRP.DEVICEDESC);
      if (description) device.deviceDescription = decodeRegistryString(description);
      const service = property(setup, set, info, SPDRP.SERVICE);
      if (service) device.service = decodeRegistryString(service);
      devices.push(device);
    }
    return devices;
  } finally {
    setup.SetupDiDestroyDeviceInfoList(set);
  }
}

function deviceInstanceId(setup: SetupApi, set: Deno.PointerObject, info: Uint8Array): string | undefined {
  const buffer = new Uint8Array(DEVICE_ID_CHARS * 2);
  if (!setup.SetupDiGetDeviceInstanceIdW(set, info, buffer, DEVICE_ID_CHARS, new Uint8Array(4))) return undefined;
  return decodeRegistryString(buffer);
}

function parentInstanceId(cm: CfgMgr32, devInst: number): string | undefined {
  const parent = new Uint32Array(1);
  if (cm.CM_Get_Parent(new Uint8Array(parent.buffer), devInst, 0) !== CR_SUCCESS) return undefined;
  const buffer = new Uint8Array(DEVICE_ID_CHARS * 2);
  if (cm.CM_Get_Device_IDW(parent[0], buffer, DEVICE_ID_CHARS, 0) !== CR_SUCCESS) return undefined;
  return decodeRegistryString(buffer);
}

/** A device registry property's raw data, or undefined when the device has none (ERROR_INVALID_DATA). */
function property(setup: SetupApi, set: Deno.PointerObject, info: Uint8Array, which: number): Uint8Array | undefined {
  let size = 512;
  for (let attempt = 0; attempt < 2; attempt++) {
    const data = new Uint8Array(size);
    const needed = new Uint32Array(1);
    if (
      setup.SetupDiGetDeviceRegistryPropertyW(
        set,
        info,
        which,
        new Uint8Array(4),
        data,
        size,
        new Uint8Array(needed.buffer),
      )
    ) {
      return data.subarray(0, Math.min(needed[0], size));
    }
    if (needed[0] <= size) return undefined; // not present, or any other failure: the listing goes on without it
    size = needed[0];
  }
  return undefined;
}

function devicePortName(
  setup: SetupApi,
  reg: Advapi32,
  set: Deno.PointerObject,
  info: Uint8Array,
): string | undefined {
  const key = setup.SetupDiOpenDevRegKey(set, info, DICS_FLAG_GLOBAL, 0, DIREG_DEV, KEY_READ);
  if (key === null || Deno.UnsafePointer.value(key) === INVALID_HANDLE_VALUE) return undefined;
  try {
    const type = new Uint32Array(1);
    const data = new Uint8Array(512);
    const length = new Uint32Array([data.length]);
    const status = reg.RegQueryValueExW(
      key,
      utf16z("PortName"),
      null,
      new Uint8Array(type.buffer),
      data,
      new Uint8Array(length.buffer),
    );
    if (status !== LIST_ERRORS.ERROR_SUCCESS || type[0] !== REG_SZ) return undefined;
    return decodeRegistryString(data.subarray(0, length[0]));
  } finally {
    reg.RegCloseKey(key);
  }
}
