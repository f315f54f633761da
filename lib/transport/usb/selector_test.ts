import assert from "node:assert/strict";
import { InputError } from "../../errors.ts";
import { describeSelector, matchesSelector, parseUsbSelector } from "./selector.ts";

Deno.test("selector: parses vid:pid, vid:, port paths and serial numbers", () => {
  assert.deepEqual(parseUsbSelector("0483:df11"), { vendorId: 0x0483, productId: 0xdf11 });
  assert.deepEqual(parseUsbSelector("0483:"), { vendorId: 0x0483 });
  assert.deepEqual(parseUsbSelector("1-2.3"), { portPath: "1-2.3" });
  assert.deepEqual(parseUsbSelector("3-1"), { portPath: "3-1" });
  assert.deepEqual(parseUsbSelector("serial=1-2"), { serialNumber: "1-2" });
  assert.deepEqual(parseUsbSelector("3574364C3034"), { serialNumber: "3574364C3034" });
  assert.throws(() => parseUsbSelector("  "), InputError);
});

Deno.test("selector: every given field must match", () => {
  const device = { idVendor: 0x0483, idProduct: 0xdf11, serialNumber: "ABC", portPath: "1-2.3" };
  assert.ok(matchesSelector(device, {}));
  assert.ok(matchesSelector(device, { vendorId: 0x0483, productId: 0xdf11 }));
  assert.ok(matchesSelector(device, { portPath: "1-2.3", serialNumber: "ABC" }));
  assert.ok(!matchesSelector(device, { vendorId: 0x0483, productId: 0x5740 }));
  assert.ok(!matchesSelector(device, { portPath: "1-2" }));
  assert.ok(!matchesSelector({ ...device, serialNumber: undefined }, { serialNumber: "ABC" }));
});

Deno.test("selector: descriptions name what was asked for", () => {
  assert.equal(describeSelector({ vendorId: 0x0483, productId: 0xdf11 }), "0483:df11");
  assert.equal(describeSelector({ vendorId: 0x0483 }), "0483:*");
  assert.equal(describeSelector({ serialNumber: "X", portPath: "1-4" }), "serial X at 1-4");
  assert.equal(describeSelector({}), "any device");
});
