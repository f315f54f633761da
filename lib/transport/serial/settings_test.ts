import assert from "node:assert/strict";
import { InputError } from "../../errors.ts";
import { DEFAULT_SERIAL_SETTINGS, formatSerialSettings, resolveSerialSettings } from "./settings.ts";

Deno.test("settings: default is 115200 8E1", () => {
  assert.equal(formatSerialSettings(DEFAULT_SERIAL_SETTINGS), "115200 8E1");
  assert.deepEqual(resolveSerialSettings({ baudRate: 57600 }), {
    baudRate: 57600,
    dataBits: 8,
    parity: "even",
    stopBits: 1,
  });
});

Deno.test("settings: impossible values are InputError E_SERIAL_SETTINGS", () => {
  for (
    const bad of [
      { baudRate: 0 },
      { baudRate: 1.5 },
      { dataBits: 9 as 8 },
      { parity: "mark" as "none" },
      { stopBits: 3 as 1 },
    ]
  ) {
    assert.throws(() => resolveSerialSettings(bad), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.code, "E_SERIAL_SETTINGS");
      return true;
    });
  }
});
