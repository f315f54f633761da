import assert from "node:assert/strict";
import { selectSerialPort } from "./list_ports.ts";
import {
  comName,
  decodeRegistryMultiString,
  decodeRegistryString,
  encodeGuid,
  mergeWindowsPorts,
  parseUsbInstanceId,
  usbIdentityOf,
  type WindowsPortDevice,
} from "./windows_port_ids.ts";

/** UTF-16LE bytes of `text`, as the registry stores strings. */
function utf16(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) new DataView(bytes.buffer).setUint16(i * 2, text.charCodeAt(i), true);
  return bytes;
}

Deno.test("decodeRegistryString: stops at the NUL, accepts data without one, ignores an odd last byte", () => {
  assert.equal(decodeRegistryString(utf16("COM3\0")), "COM3");
  assert.equal(decodeRegistryString(utf16("COM10")), "COM10");
  assert.equal(decodeRegistryString(utf16("COM4\0garbage")), "COM4");
  assert.equal(decodeRegistryString(new Uint8Array([0x43, 0, 0x4f, 0, 0x4d])), "CO");
  assert.equal(decodeRegistryString(new Uint8Array(0)), "");
  assert.equal(decodeRegistryString(utf16("Périphérique série USB\0")), "Périphérique série USB");
});

Deno.test("decodeRegistryMultiString: strings up to the empty one; a missing final NUL is tolerated", () => {
  assert.deepEqual(
    decodeRegistryMultiString(utf16("USB\\VID_0403&PID_6001&REV_0600\0USB\\VID_0403&PID_6001\0\0")),
    ["USB\\VID_0403&PID_6001&REV_0600", "USB\\VID_0403&PID_6001"],
  );
  assert.deepEqual(decodeRegistryMultiString(utf16("ONE\0TWO")), ["ONE", "TWO"]);
  assert.deepEqual(decodeRegistryMultiString(utf16("\0")), []);
  assert.deepEqual(decodeRegistryMultiString(new Uint8Array(0)), []);
});

Deno.test("parseUsbInstanceId: VID, PID and the serial number of a device that reports one", () => {
  assert.deepEqual(parseUsbInstanceId("USB\\VID_0403&PID_6001\\A10K3XYZ"), {
    vid: 0x0403,
    pid: 0x6001,
    serialNumber: "A10K3XYZ",
  });
  assert.deepEqual(parseUsbInstanceId("usb\\vid_10c4&pid_ea60\\a4b1c2d3e4f5"), {
    vid: 0x10c4,
    pid: 0xea60,
    serialNumber: "a4b1c2d3e4f5",
  });
});

Deno.test("parseUsbInstanceId: a Windows-generated instance part (with &) is no serial number", () => {
  assert.deepEqual(parseUsbInstanceId("USB\\VID_1A86&PID_7523\\5&1F2A3B4C&0&2"), { vid: 0x1a86, pid: 0x7523 });
  assert.deepEqual(parseUsbInstanceId("USB\\VID_0483&PID_5740&MI_00\\6&2A1B3C4D&0&0000"), {
    vid: 0x0483,
    pid: 0x5740,
    interfaceNumber: 0,
  });
  assert.deepEqual(parseUsbInstanceId("USB\\VID_1A86&PID_55D2&MI_02\\7&3C0E6B9&0&0002"), {
    vid: 0x1a86,
    pid: 0x55d2,
    interfaceNumber: 2,
  });
});

Deno.test("parseUsbInstanceId: hardware IDs (REV_, no instance part) and FTDI's own bus", () => {
  assert.deepEqual(parseUsbInstanceId("USB\\VID_1A86&PID_7523&REV_0264"), { vid: 0x1a86, pid: 0x7523 });
  assert.deepEqual(parseUsbInstanceId("FTDIBUS\\VID_0403+PID_6001+A10K3XYZA\\0000"), {
    vid: 0x0403,
    pid: 0x6001,
    serialNumber: "A10K3XYZ",
    interfaceNumber: 0,
  });
  assert.deepEqual(parseUsbInstanceId("FTDIBUS\\VID_0403+PID_6010+FT4XYZB\\0000"), {
    vid: 0x0403,
    pid: 0x6010,
    serialNumber: "FT4XYZ",
    interfaceNumber: 1,
  });
});

Deno.test("parseUsbInstanceId: other buses and malformed IDs are not USB", () => {
  for (
    const id of [
      "ACPI\\PNP0501\\0",
      "ROOT\\PORTS\\0000",
      "USB\\VID_04&PID_6001\\X",
      "USB\\VID_0403\\X",
      "",
      "USB\\ROOT_HUB30\\4&1234&0&0",
    ]
  ) {
    assert.equal(parseUsbInstanceId(id), undefined, id);
  }
});

Deno.test("usbIdentityOf: an interface of a composite device takes the serial number from its parent", () => {
  const device: WindowsPortDevice = {
    portName: "COM7",
    instanceId: "USB\\VID_0483&PID_5740&MI_00\\6&2A1B3C4D&0&0000",
    parentInstanceId: "USB\\VID_0483&PID_5740\\205E3072484E",
  };
  assert.deepEqual(usbIdentityOf(device), {
    vid: 0x0483,
    pid: 0x5740,
    interfaceNumber: 0,
    serialNumber: "205E3072484E",
  });
  // A parent of another VID:PID (a hub) is not the device: its serial number is not taken.
  assert.deepEqual(usbIdentityOf({ ...device, parentInstanceId: "USB\\VID_2109&PID_2817\\HUB123" }), {
    vid: 0x0483,
    pid: 0x5740,
    interfaceNumber: 0,
  });
  // A port whose instance ID is not USB but whose hardware IDs are.
  assert.deepEqual(
    usbIdentityOf({
      portName: "COM9",
      instanceId: "ROOT\\PORTS\\0001",
      hardwareIds: ["X\\Y", "USB\\VID_1A86&PID_7523"],
    }),
    { vid: 0x1a86, pid: 0x7523 },
  );
  assert.equal(usbIdentityOf({ portName: "COM1", instanceId: "ACPI\\PNP0501\\0" }), undefined);
});

Deno.test("encodeGuid: Data1-3 little-endian, Data4 in order (guiddef.h)", () => {
  assert.deepEqual(
    [...encodeGuid("{4D36E978-E325-11CE-BFC1-08002BE10318}")],
    [0x78, 0xe9, 0x36, 0x4d, 0x25, 0xe3, 0xce, 0x11, 0xbf, 0xc1, 0x08, 0x00, 0x2b, 0xe1, 0x03, 0x18],
  );
  assert.deepEqual(
    encodeGuid("86e0d1e0-8089-11d0-9ce4-08003e301f73").slice(0, 4),
    new Uint8Array([0xe0, 0xd1, 0xe0, 0x86]),
  );
  assert.throws(() => encodeGuid("{4D36E978-E325-11CE-BFC1}"), RangeError);
});

Deno.test("comName: \\\\.\\COM10 and com10 are COM10", () => {
  assert.equal(comName("\\\\.\\COM10"), "COM10");
  assert.equal(comName("com3"), "COM3");
});

const FT232R: WindowsPortDevice = {
  portName: "COM10",
  instanceId: "FTDIBUS\\VID_0403+PID_6001+A10K3XYZA\\0000",
  friendlyName: "USB Serial Port (COM10)",
  service: "FTDIBUS",
};
const CP2102N: WindowsPortDevice = {
  portName: "COM3",
  instanceId: "USB\\VID_10C4&PID_EA60\\A4B1C2D3E4F5",
  friendlyName: "Silicon Labs CP210x USB to UART Bridge (COM3)",
  service: "silabser",
};
const STM32_VCP: WindowsPortDevice = {
  portName: "COM4",
  instanceId: "USB\\VID_0483&PID_5740&MI_00\\6&2A1B3C4D&0&0000",
  parentInstanceId: "USB\\VID_0483&PID_5740\\205E3072484E",
  deviceDescription: "USB Serial Device",
  service: "usbser",
};

Deno.test("mergeWindowsPorts: registry names in COM order, with SetupAPI's identity; unknown ports by name", () => {
  const ports = mergeWindowsPorts(["COM10", "COM3", "COM1", "COM4", "COM5", "COM3"], [FT232R, CP2102N, STM32_VCP]);
  assert.deepEqual(ports, [
    { path: "COM1", driver: "" },
    {
      path: "COM3",
      driver: "silabser",
      vid: 0x10c4,
      pid: 0xea60,
      serialNumber: "A4B1C2D3E4F5",
      product: "Silicon Labs CP210x USB to UART Bridge",
    },
    {
      path: "COM4",
      driver: "usbser",
      vid: 0x0483,
      pid: 0x5740,
      serialNumber: "205E3072484E",
      interfaceNumber: 0,
      product: "USB Serial Device",
    },
    { path: "COM5", driver: "" },
    {
      path: "COM10",
      driver: "FTDIBUS",
      vid: 0x0403,
      pid: 0x6001,
      serialNumber: "A10K3XYZ",
      interfaceNumber: 0,
      product: "USB Serial Port",
    },
  ]);
});

Deno.test("mergeWindowsPorts: a device whose port is not in the registry (unplugged) is not listed", () => {
  assert.deepEqual(mergeWindowsPorts(["COM1"], [CP2102N]), [{ path: "COM1", driver: "" }]);
  assert.deepEqual(mergeWindowsPorts([], [CP2102N]), []);
});

Deno.test("target.match works on the Windows listing as on Linux: by vid:pid, by serial", () => {
  const ports = mergeWindowsPorts(["COM3", "COM4", "COM10"], [FT232R, CP2102N, STM32_VCP]);
  assert.equal(selectSerialPort(ports, { vid: 0x0403, pid: 0x6001 }).path, "COM10");
  assert.equal(selectSerialPort(ports, { serial: "205E3072484E" }).path, "COM4");
  assert.equal(selectSerialPort(ports, { vid: 0x10c4, serial: "A4B1C2D3E4F5" }).path, "COM3");
  assert.throws(() => selectSerialPort(ports, {}), /E_PORT_AMBIGUOUS|3 serial ports match/);
});
