import assert from "node:assert/strict";
import type { UsbDeviceInfo } from "../../transport/usb/libusb.ts";
import type { UsbAlternateSetting } from "../../transport/usb/descriptors.ts";
import { formatUsbReport, usbDeviceReport } from "./usb.ts";

function setting(alt: number, name: string | undefined, cls = 0xfe, sub = 0x01): UsbAlternateSetting {
  return {
    bInterfaceNumber: 0,
    bAlternateSetting: alt,
    bInterfaceClass: cls,
    bInterfaceSubClass: sub,
    bInterfaceProtocol: 2,
    iInterface: 4 + alt,
    name,
    endpoints: [],
    extra: [],
  };
}

function device(idVendor: number, idProduct: number, settings: UsbAlternateSetting[]): UsbDeviceInfo {
  return {
    busNumber: 1,
    deviceAddress: 7,
    portNumbers: [2],
    portPath: "1-2",
    descriptor: {
      bcdUSB: 0x0100,
      bDeviceClass: 0,
      bDeviceSubClass: 0,
      bDeviceProtocol: 0,
      bMaxPacketSize0: 64,
      idVendor,
      idProduct,
      bcdDevice: 0x2200,
      iManufacturer: 1,
      iProduct: 2,
      iSerialNumber: 3,
      bNumConfigurations: 1,
    },
    idVendor,
    idProduct,
    product: "STM32  BOOTLOADER",
    serialNumber: "ABC",
    configurations: [{
      bConfigurationValue: 1,
      iConfiguration: 0,
      bmAttributes: 0xc0,
      bMaxPower: 50,
      extra: [],
      interfaces: [{ bInterfaceNumber: 0, alternateSettings: settings }],
    }],
  };
}

Deno.test("usb report: DFU settings with parsed layouts; other interfaces left out; bad names explained", () => {
  const report = usbDeviceReport(device(0x0483, 0xdf11, [
    setting(0, "@Internal Flash  /0x08000000/0128*0002Kg"),
    setting(1, "@Option Bytes  /0x1FFF7800/01*040 e"),
    setting(2, "not a layout"),
    setting(3, "CDC data", 0x0a, 0x00),
  ]));
  assert.equal(report.id, "0483:df11");
  assert.deepEqual(report.dfu.map((s) => s.alternateSetting), [0, 1, 2]);
  assert.deepEqual(report.dfu[0].layout?.segments.map((s) => [s.start, s.pageSize, s.count]), [[
    0x0800_0000,
    2048,
    128,
  ]]);
  assert.equal(report.dfu[1].layout?.segments[0].erasable, false);
  assert.match(report.dfu[2].layoutError ?? "", /does not start with '@'/);

  const text = formatUsbReport([report]);
  assert.match(text, /^1-2 {6}0483:df11 "STM32 {2}BOOTLOADER" serial ABC$/m);
  assert.match(text, /DFU mode interface 0 alt 0: @Internal Flash/);
  assert.match(text, /0x08000000-0x0803ffff {2}128 x 2 KiB {2}rew/);
  assert.match(text, /0x1fff7800-0x1fff7827 {2}1 x 40 B {2}r-w/);
  assert.match(text, /not a DfuSe layout/);
  assert.equal(formatUsbReport([]), "no USB devices found");
});
