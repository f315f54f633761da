/**
 * Bad ports and misbehaving devices, end to end through a real serial port API on a pseudo-terminal: each fault
 * must end in one clear error with a stable code, never a hang or a stack trace.
 */

import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.ts";
import { withPtyChip } from "../helpers/pty_chip.ts";
import { FlashRecipeError } from "../../lib/errors.ts";
import { simulatedPart } from "../../lib/sim/parts.ts";
import { SimulatedChip } from "../../lib/sim/sim_chip.ts";
import type { UsartFaults } from "../../lib/sim/usart_device.ts";
import { connectUsart } from "../../lib/target/usart_target.ts";
import { openSerialPort } from "../../lib/transport/serial/serial_port.ts";

const ignore = Deno.build.os === "windows";

/** A simulated chip served in this process on a fresh pseudo-terminal. */
async function withPtyBoard(
  options: { chip?: string; faults?: UsartFaults; setup?: (chip: SimulatedChip) => void },
  fn: (path: string, chip: SimulatedChip, dropped: () => number) => Promise<void>,
): Promise<void> {
  const chip = new SimulatedChip(simulatedPart(options.chip ?? "stm32f103c8"));
  options.setup?.(chip);
  await withPtyChip({ chip, faults: options.faults }, (served) => fn(served.pty.path, chip, served.dropped));
}

async function failure(promise: Promise<unknown>): Promise<FlashRecipeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FlashRecipeError) return error;
    throw error;
  }
  assert.fail("expected a failure");
}

Deno.test({
  name: "fault: a missing port is E_PORT_MISSING (exit 1) and points to `flashrecipe ports`",
  ignore,
  fn: async () => {
    const result = await runCli("info", "--port", "/dev/ttyNO_SUCH_PORT");
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error\[E_PORT_MISSING\]: serial port \/dev\/ttyNO_SUCH_PORT does not exist.*ports/);
  },
});

Deno.test({
  name: "fault: a file that is not a terminal is E_PORT_NOT_TTY",
  ignore,
  fn: async () => {
    const file = await Deno.makeTempFile();
    try {
      const result = await runCli("read", "--port", file, "--output", `${file}.bin`);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /error\[E_PORT_NOT_TTY\]/);
    } finally {
      await Deno.remove(file);
    }
  },
});

Deno.test({
  name: "fault: a port another program holds is E_PORT_BUSY",
  ignore,
  fn: async () => {
    await withPtyBoard({}, async (path) => {
      const first = await openSerialPort(path);
      try {
        const result = await runCli("info", "--port", path);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /error\[E_PORT_BUSY\]: serial port .* is in use by another program/);
      } finally {
        await first.close();
      }
    });
  },
});

Deno.test({
  name: "fault: a silent device is E_NO_RESPONSE naming BOOT0, wiring, parity and other programs",
  ignore,
  fn: async () => {
    await withPtyBoard({ faults: { silent: true } }, async (path) => {
      const result = await runCli("info", "--port", path);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /error\[E_NO_RESPONSE\]: no response from target after 5 sync attempt/);
      assert.match(result.stderr, /BOOT0.*TX\/RX.*8E1.*other program/);
    });
  },
});

Deno.test({
  name: "fault: Write Memory NACKed on a write-protected page says protection may be active",
  ignore,
  fn: async () => {
    await withPtyBoard({ setup: (chip) => chip.writeProtect([0]) }, async (path) => {
      const port = await openSerialPort(path, { baudRate: 115200 });
      const target = await connectUsart(port);
      try {
        const error = await failure(target.writeMemory(0x0800_0000, new Uint8Array(16)));
        assert.equal(error.code, "E_NACK");
        assert.match(error.message, /refused Write Memory \(NACK after the data/);
        assert.match(error.hint ?? "", /write- or readout-protected/);
        // Pages outside the protected group still take data.
        await target.writeMemory(0x0800_1000, new Uint8Array(16));
      } finally {
        await target.close();
      }
    });
  },
});

Deno.test({
  name: "fault: under read protection the write one-shot stops before the erase with the unlock command, exit 1",
  ignore,
  fn: async () => {
    const fw = new URL("../fixtures/firmware/blinky.hex", import.meta.url).pathname;
    await withPtyBoard({ setup: (chip) => chip.readoutProtect() }, async (path, chip) => {
      const result = await runCli("write", fw, "--port", path);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /warning: the chip is read-protected/);
      assert.match(result.stderr, /error\[E_READ_PROTECTED\]: .*read-protected.*`flashrecipe unprotect read --port /);
      assert.equal(chip.readProtected, true);
    });
  },
});

Deno.test({
  name: "fault: garbage instead of ACK is E_PROTOCOL naming the byte and the command",
  ignore,
  fn: async () => {
    await withPtyBoard({ faults: { garbleReplyTo: { command: 0x11, bytes: [0x55] } } }, async (path) => {
      const result = await runCli("info", "--port", path);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /error\[E_PROTOCOL\]: unexpected byte 0x55 instead of ACK\/NACK for Read Memory/);
    });
  },
});

Deno.test({
  name: "fault: a device that resets mid-command times out with a hint, and answers a new sync afterwards",
  ignore,
  fn: async () => {
    await withPtyBoard({ faults: { resetDuring: 0x31 } }, async (path, chip) => {
      const port = await openSerialPort(path);
      const target = await connectUsart(port);
      try {
        const error = await failure(target.writeMemory(0x0800_0000, new Uint8Array([1, 2, 3, 4])));
        assert.equal(error.code, "E_TIMEOUT");
        assert.match(error.message, /no reply to Write Memory after the address/);
        assert.match(error.hint ?? "", /reset/);
        assert.deepEqual(chip.resets, ["fault"]);
        assert.equal(await target.bootloader.sync(), "synced");
      } finally {
        await target.close();
      }
    });
  },
});

async function stty(path: string, ...settings: string[]): Promise<void> {
  const result = await new Deno.Command("stty", { args: ["-F", path, ...settings], stderr: "piped" }).output();
  assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
}

Deno.test({
  name: "sim: bytes sent while the port is not raw 8-bit are dropped; once raw, the bootloader answers",
  ignore,
  fn: async () => {
    await withPtyBoard({}, async (path, _chip, dropped) => {
      const file = await Deno.open(path, { read: true, write: true });
      try {
        await stty(path, "icanon", "echo");
        await file.write(new Uint8Array([0x7f, 0x0a]));
        for (let i = 0; i < 100 && dropped() === 0; i++) await new Promise((r) => setTimeout(r, 10));
        assert.ok(dropped() >= 1, "the bytes of a cooked port were dropped");
        await stty(path, "raw", "-echo", "cs8");
        await file.write(new Uint8Array([0x7f]));
        const reply = new Uint8Array(1);
        // Bounded wait: a simulator that never answers must fail the test, not hang it (closing the file in
        // `finally` ends the pending read).
        let timer: ReturnType<typeof setTimeout> | undefined;
        const reading = file.read(reply).catch(() => null);
        const timeout = new Promise<"timeout">((resolve) => timer = setTimeout(() => resolve("timeout"), 3000));
        const got = await Promise.race([reading, timeout]);
        clearTimeout(timer);
        assert.equal(got, 1, "no reply to 0x7F on a raw port");
        assert.equal(reply[0], 0x79);
      } finally {
        file.close();
      }
    });
  },
});
