import assert from "node:assert/strict";
import { UsartBootloader } from "./bootloader.ts";
import { Command } from "./commands.ts";
import { NackError, NoResponseError, ProtocolTimeoutError, UnsupportedCommandError } from "./errors.ts";
import { startSimulatedBoard } from "../../sim/simulated_board.ts";
import { createMemoryPipe } from "../../transport/memory_pipe.ts";
import { stm32Crc } from "./stm32_crc.ts";

async function withBoard(fn: (host: UsartBootloader, board: ReturnType<typeof startSimulatedBoard>) => Promise<void>) {
  const board = startSimulatedBoard("stm32f103c8");
  try {
    const host = new UsartBootloader(board.link, { replyTimeoutMs: 200, syncTimeoutMs: 50, resetTimeoutMs: 500 });
    await host.sync();
    await host.get();
    await fn(host, board);
  } finally {
    await board.close();
  }
}

Deno.test("sync, then a second sync is recognised as already synced", async () => {
  const board = startSimulatedBoard("stm32f103c8");
  const host = new UsartBootloader(board.link, { syncTimeoutMs: 50 });
  assert.equal(await host.sync(), "synced");
  assert.equal(await host.sync(), "already-synced");
  await board.close();
});

Deno.test("Get, Get Version and Get ID describe an F103 bootloader V2.2", async () => {
  await withBoard(async (host) => {
    const get = await host.get();
    assert.equal(get.version, 0x22);
    assert.deepEqual(get.commands, [0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x43, 0x63, 0x73, 0x82, 0x92]);
    assert.deepEqual(await host.getVersion(), { version: 0x22, optionBytes: [0, 0] });
    assert.equal(await host.getId(), 0x410);
  });
});

Deno.test("Write Memory then Read Memory round-trips and pads to whole words", async () => {
  await withBoard(async (host, board) => {
    await host.writeMemory(0x0800_0000, new Uint8Array([1, 2, 3, 4, 5]));
    assert.deepEqual(await host.readMemory(0x0800_0000, 8), new Uint8Array([1, 2, 3, 4, 5, 0xff, 0xff, 0xff]));
    const block = new Uint8Array(256).map((_, i) => i);
    await host.writeMemory(0x0800_0100, block);
    assert.deepEqual(await host.readMemory(0x0800_0100, 256), block);
    assert.deepEqual(board.chip.flash.read(0x0800_0100, 256), block);
  });
});

Deno.test("reads the flash-size register and the unique ID", async () => {
  await withBoard(async (host) => {
    assert.deepEqual(await host.readMemory(0x1fff_f7e0, 2), new Uint8Array([64, 0]));
    assert.equal((await host.readMemory(0x1fff_f7e8, 12)).length, 12);
  });
});

Deno.test("writing over programmed flash is NACKed after the data; erase makes it writable", async () => {
  await withBoard(async (host) => {
    await host.writeMemory(0x0800_0400, new Uint8Array([0, 0, 0, 0]));
    await assert.rejects(host.writeMemory(0x0800_0400, new Uint8Array([1, 1, 1, 1])), (error: unknown) => {
      assert.ok(error instanceof NackError);
      assert.equal(error.phase, "data");
      assert.equal(error.command, Command.WriteMemory);
      return true;
    });
    await host.erase([1]);
    await host.writeMemory(0x0800_0400, new Uint8Array([1, 1, 1, 1]));
    assert.deepEqual(await host.readMemory(0x0800_0400, 4), new Uint8Array([1, 1, 1, 1]));
  });
});

Deno.test("mass erase through Erase (0x43) clears everything", async () => {
  await withBoard(async (host, board) => {
    await host.writeMemory(0x0800_fc00, new Uint8Array([0, 0, 0, 0]));
    await host.erase("mass");
    assert.ok(board.chip.flash.bytes.every((b) => b === 0xff));
  });
});

Deno.test("bank erase needs Extended Erase, which the F103 does not list", async () => {
  await withBoard(async (host) => {
    await assert.rejects(host.erase("bank1"), UnsupportedCommandError);
  });
});

Deno.test("Read Memory outside any memory is NACKed after the address", async () => {
  await withBoard(async (host) => {
    await assert.rejects(host.readMemory(0x0900_0000, 4), (error: unknown) => {
      assert.ok(error instanceof NackError);
      assert.equal(error.phase, "address");
      return true;
    });
    // The link stays in sync after a NACK.
    assert.equal(await host.getId(), 0x410);
  });
});

Deno.test("Get Checksum is refused when the bootloader does not list it", async () => {
  await withBoard(async (host) => {
    await assert.rejects(host.getChecksum(0x0800_0000, 4), UnsupportedCommandError);
  });
});

Deno.test("readout protect, then reads are NACKed; unprotect mass-erases and the host re-syncs", async () => {
  await withBoard(async (host, board) => {
    await host.writeMemory(0x0800_0000, new Uint8Array([9, 9, 9, 9]));
    await host.readoutProtect();
    assert.equal(board.chip.readProtected, true);
    await assert.rejects(host.readMemory(0x0800_0000, 4), NackError);
    await assert.rejects(host.writeMemory(0x0800_0000, new Uint8Array(4)), NackError);
    await host.readoutUnprotect();
    assert.equal(board.chip.readProtected, false);
    assert.deepEqual(await host.readMemory(0x0800_0000, 4), new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    assert.deepEqual(board.chip.resets, ["readout-protect", "readout-unprotect"]);
  });
});

Deno.test("write protect blocks erase of the group; write unprotect lifts it", async () => {
  await withBoard(async (host, board) => {
    await host.writeProtect([0]);
    assert.deepEqual([...board.chip.writeProtectedPages()], [0, 1, 2, 3]);
    await assert.rejects(host.erase([2]), NackError);
    await host.erase([4]);
    await host.writeUnprotect();
    await host.erase([2]);
    assert.equal(board.chip.writeProtectedPages().size, 0);
  });
});

Deno.test("Go is accepted for a flash address and the application then ignores the bootloader", async () => {
  await withBoard(async (host, board) => {
    await host.go(0x0800_0000);
    assert.equal(board.device.state, "application");
    await assert.rejects(host.sync(), NoResponseError);
  });
});

Deno.test("a silent device gives NoResponseError with the usual causes", async () => {
  const [hostEnd, deviceEnd] = createMemoryPipe();
  const host = new UsartBootloader(hostEnd, { syncTimeoutMs: 10, syncAttempts: 3 });
  await assert.rejects(host.sync(), (error: unknown) => {
    assert.ok(error instanceof NoResponseError);
    assert.equal(error.code, "E_NO_RESPONSE");
    assert.match(error.hint ?? "", /BOOT0/);
    assert.match(error.hint ?? "", /parity/);
    return true;
  });
  await hostEnd.close();
  await deviceEnd.close();
});

Deno.test("a device that stops mid-command gives a timeout naming the command and phase", async () => {
  const [hostEnd, deviceEnd] = createMemoryPipe();
  const host = new UsartBootloader(hostEnd, { replyTimeoutMs: 20, syncTimeoutMs: 20 });
  // A device that ACKs the sync and the Get command, then goes silent.
  const responder = (async () => {
    await deviceEnd.read(1, 1000);
    await deviceEnd.write(new Uint8Array([0x79]));
    await deviceEnd.read(2, 1000);
    await deviceEnd.write(new Uint8Array([0x79]));
  })();
  await host.sync();
  await assert.rejects(host.get(), (error: unknown) => {
    assert.ok(error instanceof ProtocolTimeoutError);
    assert.match(error.message, /Get after the command/);
    return true;
  });
  await responder;
  await hostEnd.close();
});

Deno.test("garbage before the sync is skipped", async () => {
  const board = startSimulatedBoard("stm32f103c8");
  await board.link.write(new Uint8Array([0x00, 0x55]));
  const host = new UsartBootloader(board.link, { syncTimeoutMs: 50 });
  assert.equal(await host.sync(), "synced");
  await board.close();
});

Deno.test("the STM32 CRC model matches what a device would return", () => {
  const data = new Uint8Array(16).fill(0xff);
  assert.equal(stm32Crc(data), stm32Crc(data.subarray(8), stm32Crc(data.subarray(0, 8))));
});
