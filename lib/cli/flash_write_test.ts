import assert from "node:assert/strict";
import { eraseWriteVerify, verifyImage } from "./flash_write.ts";
import { DeviceError } from "../errors.ts";
import { MemoryImage } from "../image/memory_image.ts";
import { simulatedPart } from "../sim/parts.ts";
import { SimulatedChip } from "../sim/sim_chip.ts";
import { UsartBootloaderDevice } from "../sim/usart_device.ts";
import { connectUsart, type UsartTarget } from "../target/usart_target.ts";
import { createMemoryPipe } from "../transport/memory_pipe.ts";

async function withTarget(chip: SimulatedChip, fn: (target: UsartTarget) => Promise<void>): Promise<void> {
  const [hostEnd, deviceEnd] = createMemoryPipe();
  const served = new UsartBootloaderDevice(chip, deviceEnd).serve();
  const target = await connectUsart(hostEnd);
  try {
    await fn(target);
  } finally {
    await target.close();
    await hostEnd.close(); // The target leaves the link to its owner.
    await served;
  }
}

Deno.test("eraseWriteVerify erases only the pages touched, writes, and reads back", async () => {
  const chip = new SimulatedChip(simulatedPart("stm32f103c8"));
  chip.write(0x0800_2000, new Uint8Array([9, 9, 9, 9])); // page 8: must survive
  const image = new MemoryImage([
    { address: 0x0800_0000, data: new Uint8Array(1500).fill(0x11) },
    { address: 0x0800_1402, data: new Uint8Array([1, 2, 3]) },
  ]);
  await withTarget(chip, async (target) => {
    const report = await eraseWriteVerify(target, image);
    assert.deepEqual(report, { pagesErased: 3, bytesErased: 3072, bytesWritten: 1503, verifiedBy: "read-back" });
  });
  assert.deepEqual(chip.read(0x0800_2000, 4), new Uint8Array([9, 9, 9, 9]));
  assert.deepEqual(chip.read(0x0800_1400, 6), new Uint8Array([0xff, 0xff, 1, 2, 3, 0xff]));
});

Deno.test("verifyImage uses Get Checksum where listed and reports a mismatch as E_VERIFY", async () => {
  const part = simulatedPart("stm32f405rg");
  const chip = new SimulatedChip({ ...part, usart: { ...part.usart, commands: [...part.usart.commands, 0xa1] } });
  const image = new MemoryImage([{ address: 0x0800_0000, data: new Uint8Array(256).map((_, i) => i) }]);
  await withTarget(chip, async (target) => {
    assert.equal((await eraseWriteVerify(target, image)).verifiedBy, "CRC");
    const other = new MemoryImage([{ address: 0x0800_0000, data: new Uint8Array(256) }]);
    await assert.rejects(verifyImage(target, other), (e) => e instanceof DeviceError && e.code === "E_VERIFY");
    // Not word-aligned: read back instead of CRC; flash holds 0, 1, 2, 3 there.
    const odd = new MemoryImage([{ address: 0x0800_0001, data: new Uint8Array([1, 2, 4]) }]);
    await assert.rejects(verifyImage(target, odd), /verify failed at 0x08000003: expected 0x04, read 0x03/);
  });
});
