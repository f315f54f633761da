import assert from "node:assert/strict";
import { buildDescriptors, configurationDescriptor } from "./descriptor_builder.ts";
import {
  parseConfigurationDescriptor,
  parseDeviceDescriptor,
  splitDescriptors,
  UsbDescriptorError,
} from "./descriptors.ts";

const functional = Uint8Array.of(9, 0x21, 0x0b, 0xff, 0x00, 0x00, 0x08, 0x1a, 0x01); // DFU 1.1 table 4.2

Deno.test("descriptors: device descriptor fields", () => {
  const bytes = buildDescriptors(
    { idVendor: 0x0483, idProduct: 0xdf11, bcdDevice: 0x2200, iManufacturer: 1, iProduct: 2, iSerialNumber: 3 },
    [{ interfaces: [] }],
  );
  const d = parseDeviceDescriptor(bytes.subarray(0, 18));
  assert.equal(d.idVendor, 0x0483);
  assert.equal(d.idProduct, 0xdf11);
  assert.equal(d.bcdDevice, 0x2200);
  assert.equal(d.bcdUSB, 0x0200);
  assert.deepEqual([d.iManufacturer, d.iProduct, d.iSerialNumber, d.bNumConfigurations], [1, 2, 3, 1]);
  assert.throws(() => parseDeviceDescriptor(bytes.subarray(18)), UsbDescriptorError);
});

Deno.test("descriptors: configuration with alternate settings, endpoints and raw class descriptors", () => {
  const endpoint = Uint8Array.of(7, 5, 0x81, 0x02, 0x40, 0x00, 0);
  const cdcHeader = Uint8Array.of(5, 0x24, 0x00, 0x10, 0x01);
  const raw = configurationDescriptor({
    bConfigurationValue: 1,
    interfaces: [
      { bInterfaceNumber: 0, bAlternateSetting: 0, bInterfaceClass: 0xfe, bInterfaceSubClass: 1, iInterface: 4 },
      {
        bInterfaceNumber: 0,
        bAlternateSetting: 1,
        bInterfaceClass: 0xfe,
        bInterfaceSubClass: 1,
        bInterfaceProtocol: 2,
        iInterface: 5,
        extra: [functional],
      },
      { bInterfaceNumber: 1, bAlternateSetting: 0, bInterfaceClass: 2, extra: [cdcHeader], endpoints: [endpoint] },
    ],
  });
  assert.equal(raw[2] | (raw[3] << 8), raw.length, "wTotalLength");
  assert.equal(raw[4], 2, "bNumInterfaces counts interfaces, not settings");
  const config = parseConfigurationDescriptor(raw);
  assert.equal(config.bConfigurationValue, 1);
  assert.equal(config.interfaces.length, 2);
  const dfu = config.interfaces[0].alternateSettings;
  assert.deepEqual(dfu.map((s) => [s.bAlternateSetting, s.iInterface, s.bInterfaceProtocol]), [[0, 4, 0], [1, 5, 2]]);
  assert.equal(dfu[0].extra.length, 0);
  assert.deepEqual(dfu[1].extra, [{ bDescriptorType: 0x21, bytes: functional }]);
  const cdc = config.interfaces[1].alternateSettings[0];
  assert.deepEqual(cdc.extra.map((d) => d.bDescriptorType), [0x24]);
  assert.equal(cdc.endpoints.length, 1);
  assert.equal(cdc.endpoints[0].bEndpointAddress, 0x81);
  assert.equal(cdc.endpoints[0].wMaxPacketSize, 64);
});

Deno.test("descriptors: malformed runs are rejected", () => {
  assert.throws(() => splitDescriptors(Uint8Array.of(9, 4, 0)), /bad bLength/);
  assert.throws(() => splitDescriptors(Uint8Array.of(1, 4)), /bad bLength/);
  assert.throws(() => parseConfigurationDescriptor(Uint8Array.of(9, 4, 0, 0, 0, 0, 0, 0, 0)), UsbDescriptorError);
});
