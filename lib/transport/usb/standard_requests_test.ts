import assert from "node:assert/strict";
import { type SimulatedUsbDevice, STALL } from "./control.ts";
import { buildDescriptors } from "./descriptor_builder.ts";
import { answerStandardRequest, stringDescriptor } from "./standard_requests.ts";

/** A device with one interface and strings 1..3; its behaviour beyond descriptors is never asked for here. */
function vendorDevice(serial: string): SimulatedUsbDevice {
  return {
    descriptors: () =>
      buildDescriptors({ idVendor: 0x1209, idProduct: 0x0001, iManufacturer: 1, iProduct: 2, iSerialNumber: 3 }, [
        { interfaces: [{ bInterfaceNumber: 0, bAlternateSetting: 0, bInterfaceClass: 0xff }] },
      ]),
    strings: () => new Map([[1, "M"], [2, "P"], [3, serial]]),
    handleControl: () => Promise.reject(new Error("not a standard request")),
    setAlternateSetting: () => {},
  };
}

const getDescriptor = (type: number, index: number, wLength: number, wIndex = 0) => ({
  bmRequestType: 0x80,
  bRequest: 6,
  wValue: (type << 8) | index,
  wIndex,
  wLength,
});

Deno.test("standard requests: device, configuration and string descriptors come from the simulated device", () => {
  const device = vendorDevice("S1");
  const all = device.descriptors();
  assert.deepEqual(answerStandardRequest(device, getDescriptor(1, 0, 18)), all.slice(0, 18));
  assert.deepEqual(answerStandardRequest(device, getDescriptor(1, 0, 8)), all.slice(0, 8), "truncated to wLength");
  const config = answerStandardRequest(device, getDescriptor(2, 0, 1024));
  assert.ok(config instanceof Uint8Array);
  assert.deepEqual(config, all.slice(18));
  assert.equal(answerStandardRequest(device, getDescriptor(2, 1, 1024)), STALL, "no second configuration");
  assert.deepEqual(answerStandardRequest(device, getDescriptor(3, 0, 255)), Uint8Array.of(4, 3, 0x09, 0x04));
  assert.deepEqual(answerStandardRequest(device, getDescriptor(3, 3, 255, 0x0409)), stringDescriptor("S1"));
  assert.equal(answerStandardRequest(device, getDescriptor(3, 9, 255, 0x0409)), STALL);
  assert.equal(answerStandardRequest(device, { ...getDescriptor(1, 0, 18), bmRequestType: 0xc0 }), undefined);
  assert.equal(answerStandardRequest(device, getDescriptor(0x21, 0, 9)), undefined, "class descriptors: device");
});

Deno.test("standard requests: string descriptors are UTF-16LE with a length prefix", () => {
  assert.deepEqual(stringDescriptor("Aé"), Uint8Array.of(6, 3, 0x41, 0, 0xe9, 0));
});
