import assert from "node:assert/strict";
import { STALL } from "../../lib/transport/usb/control.ts";
import { answerStandardRequest, stringDescriptor } from "../../scripts/usb_lab/standard_requests.ts";
import { VendorTestDevice } from "../../scripts/usb_lab/test_devices.ts";

const getDescriptor = (type: number, index: number, wLength: number, wIndex = 0) => ({
  bmRequestType: 0x80,
  bRequest: 6,
  wValue: (type << 8) | index,
  wIndex,
  wLength,
});

Deno.test("standard requests: device, configuration and string descriptors come from the simulated device", () => {
  const device = new VendorTestDevice("S1");
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
