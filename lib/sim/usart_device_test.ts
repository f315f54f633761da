import assert from "node:assert/strict";
import { UsartBootloader } from "../protocol/usart/bootloader.ts";
import { NackError } from "../protocol/usart/errors.ts";
import { stm32Crc } from "../protocol/usart/stm32_crc.ts";
import { createMemoryPipe } from "../transport/memory_pipe.ts";
import { simulatedPart } from "./parts.ts";
import { SimulatedChip } from "./sim_chip.ts";
import { UsartBootloaderDevice } from "./usart_device.ts";

async function withDevice(
  chip: SimulatedChip,
  fn: (host: UsartBootloader) => Promise<void>,
): Promise<void> {
  const [hostEnd, deviceEnd] = createMemoryPipe();
  const served = new UsartBootloaderDevice(chip, deviceEnd).serve();
  try {
    const host = new UsartBootloader(hostEnd, { replyTimeoutMs: 200, syncTimeoutMs: 50, resetTimeoutMs: 500 });
    await host.sync();
    await host.get();
    await fn(host);
  } finally {
    await hostEnd.close();
    await served;
  }
}

Deno.test("Get Checksum is served for a profile that lists it, and refused (not listed) otherwise", async () => {
  const chip = new SimulatedChip(simulatedPart("stm32g071rb-crc"));
  const data = new Uint8Array(64).map((_, i) => i * 7);
  chip.write(0x0800_0000, data);
  await withDevice(chip, async (host) => {
    assert.equal(await host.getChecksum(0x0800_0000, 64), stm32Crc(data));
  });
  await withDevice(new SimulatedChip(simulatedPart("stm32g071rb")), (host) => {
    assert.equal(host.commands?.includes(0xa1), false);
    return Promise.resolve();
  });
});

Deno.test("Get Checksum on the wire as AN3155 Rev 20 §3.13 frames it: words, polynomial, initial value", async () => {
  const chip = new SimulatedChip(simulatedPart("stm32g071rb-crc"));
  const data = new Uint8Array(32).map((_, i) => i ^ 0x5a);
  chip.write(0x0800_0100, data);
  const [hostEnd, deviceEnd] = createMemoryPipe();
  const served = new UsartBootloaderDevice(chip, deviceEnd).serve();
  const sent: number[] = [];
  hostEnd.onWrite = (bytes) => sent.push(...bytes);
  try {
    const host = new UsartBootloader(hostEnd, { replyTimeoutMs: 200, syncTimeoutMs: 50 });
    await host.sync();
    await host.get();
    sent.length = 0;
    assert.equal(await host.getChecksum(0x0800_0100, 32), stm32Crc(data));
    const frame = (a: number, b: number, c: number, d: number) => [a, b, c, d, a ^ b ^ c ^ d];
    assert.deepEqual(sent, [
      0xa1,
      0x5e,
      ...frame(0x08, 0x00, 0x01, 0x00), // start address
      ...frame(0x00, 0x00, 0x00, 0x08), // 32 bytes = 8 words
      ...frame(0x04, 0xc1, 0x1d, 0xb7), // polynomial
      ...frame(0xff, 0xff, 0xff, 0xff), // initial value
    ]);
    // The device honours the polynomial and initial value it is sent.
    assert.notEqual(stm32Crc(data, 0, 0x1edc6f41), stm32Crc(data));
  } finally {
    await hostEnd.close();
    await served;
  }
});

Deno.test("F405RG over the protocol: Extended Erase of sectors, Write Protect of a sector, Write Unprotect", async () => {
  const chip = new SimulatedChip(simulatedPart("stm32f405rg"));
  await withDevice(chip, async (host) => {
    await host.writeMemory(0x0800_4000, new Uint8Array([1, 2, 3, 4]));
    await host.erase([1]);
    assert.deepEqual(await host.readMemory(0x0800_4000, 4), new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    await host.writeProtect([1]);
    await assert.rejects(host.erase([1]), NackError);
    await host.erase([0]);
    await host.writeUnprotect();
    await host.erase([1]);
    assert.deepEqual(chip.resets, ["write-protect", "write-unprotect"]);
  });
});

Deno.test("H743ZI: the bank 2 erase (0xFFFD) leaves bank 1 alone", async () => {
  const chip = new SimulatedChip(simulatedPart("stm32h743zi"));
  chip.write(0x0800_0000, new Uint8Array(32).fill(1));
  chip.write(0x0810_0000, new Uint8Array(32).fill(2));
  await withDevice(chip, async (host) => {
    await host.erase("bank2");
    assert.deepEqual(await host.readMemory(0x0800_0000, 2), new Uint8Array([1, 1]));
    assert.deepEqual(await host.readMemory(0x0810_0000, 2), new Uint8Array([0xff, 0xff]));
  });
});

Deno.test("L433RC: Write Protect with pages in more runs than WRP areas is NACKed", async () => {
  const chip = new SimulatedChip(simulatedPart("stm32l433rc"));
  await withDevice(chip, async (host) => {
    await assert.rejects(host.writeProtect([1, 3, 5]), NackError);
    await host.writeProtect([4, 5]);
    await assert.rejects(host.erase([4]), NackError);
    await host.erase([6]);
  });
});

Deno.test("under read protection Get and Get ID still answer; Read Memory is NACKed", async () => {
  const chip = new SimulatedChip(simulatedPart("stm32g071rb"));
  chip.readoutProtect();
  await withDevice(chip, async (host) => {
    assert.equal(await host.getId(), 0x460);
    await assert.rejects(host.readMemory(0x0800_0000, 4), NackError);
    await host.readoutUnprotect();
    assert.deepEqual(await host.readMemory(0x0800_0000, 4), new Uint8Array([0xff, 0xff, 0xff, 0xff]));
  });
});
