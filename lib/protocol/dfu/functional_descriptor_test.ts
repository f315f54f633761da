import assert from "node:assert/strict";
import { encodeFunctionalDescriptor, parseFunctionalDescriptor } from "./functional_descriptor.ts";
import { findDfuInterface } from "./interfaces.ts";

Deno.test("the STM32 bootloader's functional descriptor: 0x0B, 255 ms, 2048 bytes, DfuSe 1.1a", () => {
  // lsusb -v of an STM32F4 in its bootloader: bLength 9, type 33, bmAttributes 11, wDetachTimeout 255,
  // wTransferSize 2048, bcdDFUVersion 1.1a.
  const bytes = new Uint8Array([9, 0x21, 0x0b, 0xff, 0x00, 0x00, 0x08, 0x1a, 0x01]);
  const descriptor = parseFunctionalDescriptor(bytes);
  assert.equal(descriptor.bmAttributes, 0x0b);
  assert.equal(descriptor.wDetachTimeOut, 255);
  assert.equal(descriptor.wTransferSize, 2048);
  assert.equal(descriptor.bcdDFUVersion, 0x011a);
  assert.deepEqual(
    [descriptor.canDownload, descriptor.canUpload, descriptor.manifestationTolerant, descriptor.willDetach],
    [true, true, false, true],
  );
  assert.deepEqual(encodeFunctionalDescriptor(descriptor), bytes);
});

Deno.test("a wrong descriptor type is rejected", () => {
  assert.throws(() => parseFunctionalDescriptor(new Uint8Array([9, 0x04, 0, 0, 0, 0, 0, 0, 0])), /malformed/);
});

Deno.test("findDfuInterface collects alternate settings and the functional descriptor", () => {
  const config = [9, 2, 36, 0, 1, 1, 0, 0xc0, 50];
  const alt = (n: number) => [9, 4, 0, n, 0, 0xfe, 1, 2, 4 + n];
  const bytes = new Uint8Array([...config, ...alt(0), ...alt(1), 9, 0x21, 0x0b, 0xff, 0, 0, 8, 0x1a, 1]);
  bytes[2] = bytes.length;
  const dfu = findDfuInterface(bytes);
  assert.equal(dfu.interfaceNumber, 0);
  assert.equal(dfu.protocol, 2);
  assert.deepEqual(dfu.alternates, [{ alternateSetting: 0, iInterface: 4 }, { alternateSetting: 1, iInterface: 5 }]);
  assert.equal(dfu.functional.wTransferSize, 2048);
  assert.throws(() => findDfuInterface(new Uint8Array(config)), /no DFU interface/);
});
