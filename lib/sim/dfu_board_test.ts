import assert from "node:assert/strict";
import { DfuseDevice } from "../protocol/dfu/dfuse_device.ts";
import { SimulatedDfuBoard } from "./dfu_board.ts";

const DFU = { vendorId: 0x0483, productId: 0xdf11 };
const CDC = { vendorId: 0x0483, productId: 0x5740 };

Deno.test("simulated DFU board: bootloader -> leave -> application -> 0xAA -> bootloader", async () => {
  const board = new SimulatedDfuBoard("stm32l433rc", { pollMs: 1 });
  try {
    assert.equal(board.mode, "bootloader");
    assert.deepEqual(board.attached().map((d) => [d.idVendor, d.idProduct]), [[0x0483, 0xdf11]]);
    const dfu = await DfuseDevice.open(board.openDfu(DFU), { sleep: () => Promise.resolve() });
    await dfu.leave(0x0800_0000);
    assert.equal(board.mode, "application");
    await assert.rejects(() => dfu.getStatus(), { code: "E_USB_NO_DEVICE" });
    assert.throws(() => board.openDfu(DFU), { code: "E_USB_NOT_FOUND" });
    await board.waitFor(CDC, true, 100);
    await assert.rejects(() => board.waitFor(DFU, true, 30), (error: Error & { hint?: string }) => {
      assert.match(error.message, /no USB device matching 0483:df11 appeared within 30 ms/);
      assert.match(error.hint ?? "", /0483:5740/);
      return true;
    });

    const port = board.openCdc();
    await port.write(new Uint8Array([0xaa]));
    await port.close();
    await board.waitFor(DFU, true, 500);
    assert.equal(board.mode, "bootloader");
    assert.deepEqual(board.appReceived, [[0xaa]]);
    await board.waitFor(CDC, false, 100);
  } finally {
    await board.close();
  }
});

Deno.test("simulated DFU board: opening the CDC port while the bootloader runs starts the application", async () => {
  const board = new SimulatedDfuBoard("stm32f405rg", { pollMs: 1 });
  try {
    const port = board.openCdc();
    assert.equal(board.mode, "application");
    await port.close();
    // The application is still there after the host closed its port without the trigger; a new open works.
    const again = board.openCdc();
    await again.write(new Uint8Array([0xaa]));
    await board.waitFor(DFU, true, 500);
    await again.close();
  } finally {
    await board.close();
  }
});
