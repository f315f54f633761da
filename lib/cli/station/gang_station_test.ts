import assert from "node:assert/strict";
import type { ParsedArgs } from "../args.ts";
import { singleSlotArgs, slotChoice } from "./gang_station.ts";

function args(options: Record<string, unknown>): ParsedArgs {
  return { options: options as ParsedArgs["options"], positionals: ["r.yaml"] };
}

Deno.test("slot choice: one slot per --port or --usb, --slots with --simulate", () => {
  assert.deepEqual(slotChoice(args({})), { ports: [], usb: [], count: 1 });
  assert.equal(slotChoice(args({ port: ["/dev/a"] })).count, 1);
  assert.equal(slotChoice(args({ port: ["/dev/a", "/dev/b", "/dev/c"] })).count, 3);
  assert.equal(slotChoice(args({ usb: ["0483:df11,serial=A", "0483:df11,serial=B"] })).count, 2);
  assert.equal(slotChoice(args({ simulate: "stm32f103c8", slots: "4" })).count, 4);
  assert.equal(slotChoice(args({ simulate: "stm32f405rg", usb: ["0483:df11"], slots: "2" })).count, 2);
  assert.equal(slotChoice(args({ port: ["/dev/a", "/dev/b"], slots: "2" })).count, 2);
  const single = singleSlotArgs(args({ port: ["/dev/a"], usb: undefined }), slotChoice(args({ port: ["/dev/a"] })));
  assert.equal(single.options.port, "/dev/a");
  assert.equal(single.options.usb, undefined);
});

Deno.test("slot choice: contradictions are usage errors before anything is opened", () => {
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ slots: "0", simulate: "stm32f103c8" }, /--slots must be 1 to 64/],
    [{ slots: "65", simulate: "stm32f103c8" }, /--slots must be 1 to 64/],
    [{ slots: "x" }, /--slots must be a number/],
    [{ port: ["/dev/a", "/dev/b"], usb: ["1", "2"] }, /serial ports or USB devices, not both/],
    [{ port: ["/dev/a", "/dev/b"], slots: "3" }, /--slots 3 does not match the 2 devices/],
    [{ port: ["/dev/a"], slots: "3" }, /--slots 3 needs a device per slot/],
    [{ slots: "2" }, /--slots 2 needs a device per slot/],
    [{ simulate: "stm32f103c8", port: ["/dev/a"] }, /--simulate and --port both name the board/],
    [{ simulate: "stm32f405rg", usb: ["a", "b"] }, /--simulate takes one --usb/],
    [{ port: ["/dev/a", "/dev/a"] }, /the same device is named for two slots/],
  ];
  for (const [options, message] of refused) {
    assert.throws(() => slotChoice(args(options)), (error: Error) => {
      assert.match(error.message, message);
      assert.equal((error as { code?: string }).code, "E_USAGE");
      return true;
    });
  }
});
