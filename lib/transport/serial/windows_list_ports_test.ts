import assert from "node:assert/strict";
import { listSerialPorts } from "./list_ports.ts";
import { HKEY_LOCAL_MACHINE, KEY_READ, SP_DEVINFO_DATA_SIZE } from "./windows_list_ports.ts";

// The FFI itself runs only on Windows (scripts/windows/test.sh runs this file under Wine, where the test leg's
// `ports` check also asserts the COM port it mapped); the constants are checked everywhere.

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
