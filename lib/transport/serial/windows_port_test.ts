/**
 * The Windows serial port through kernel32, for real: these tests run only under Windows Deno (on Windows, or
 * under Wine in scripts/windows/test.sh). The port tests need a COM port with the simulated bootloader behind it,
 * named by FLASHRECIPE_TEST_COM_PORT (the Windows leg sets COM5, mapped onto `sim usart`'s pty; its modem lines are
 * not emulated for these tests, as on an adapter without DTR/RTS); without it they show as ignored.
 */

import assert from "node:assert/strict";
import { DeviceError } from "../../errors.ts";
import { ACK, Command, SYNC } from "../../protocol/usart/commands.ts";
import { ReadTimeoutError, StreamClosedError } from "../byte_stream.ts";
import { openSerialPort } from "./serial_port.ts";

const notWindows = Deno.build.os !== "windows";
const comPort = notWindows ? undefined : Deno.env.get("FLASHRECIPE_TEST_COM_PORT");

function deviceError(code: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof DeviceError, `expected a DeviceError, got ${error}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

Deno.test({
  name: "Windows: a COM port that does not exist is E_PORT_MISSING naming it",
  ignore: notWindows,
  fn: async () => {
    await assert.rejects(openSerialPort("COM250"), (error) => {
      deviceError("E_PORT_MISSING")(error);
      assert.match((error as Error).message, /COM250/);
      return true;
    });
  },
});

Deno.test({
  name: "Windows: a regular file is E_PORT_NOT_TTY (GetCommState refuses it), and is left as it was",
  ignore: notWindows,
  fn: async () => {
    const file = await Deno.makeTempFile();
    try {
      await Deno.writeTextFile(file, "not a port");
      await assert.rejects(openSerialPort(file), deviceError("E_PORT_NOT_TTY"));
      assert.equal(await Deno.readTextFile(file), "not a port");
    } finally {
      await Deno.remove(file);
    }
  },
});

Deno.test({
  name: "Windows COM port: 8E1 read back, a bootloader round trip (sync, Get ID), read timeout, lines, close, reopen",
  ignore: comPort === undefined,
  fn: async () => {
    const path = comPort!;
    const port = await openSerialPort(path, { baudRate: 115200 });
    try {
      assert.deepEqual(
        { ...port.settings },
        { baudRate: 115200, dataBits: 8, parity: "even", stopBits: 1 },
      );
      assert.equal(port.isPseudoTerminal, false);
      await port.discardInput();
      // AN3155 §2: 0x7F answers ACK; a bootloader already synced takes it as the start of a command and NACKs.
      await port.write(new Uint8Array([SYNC]));
      const [synced] = await port.read(1, 2000);
      assert.ok(synced === ACK || synced === 0x1f, `sync answered 0x${synced.toString(16)}`);
      if (synced !== ACK) {
        await port.write(new Uint8Array([SYNC ^ 0xff])); // completes the invalid command; NACK again
        await port.read(1, 2000);
      }
      // Get ID (AN3155 §3.3): ACK, N = 1, the product ID in two bytes, ACK.
      await port.write(new Uint8Array([Command.GetId, Command.GetId ^ 0xff]));
      const reply = await port.read(5, 2000);
      assert.deepEqual([reply[0], reply[1], reply[4]], [ACK, 1, ACK]);
      assert.equal((reply[2] << 8) | reply[3], 0x410, "STM32F103 medium density");

      // Nothing more comes: the read ends with E_TIMEOUT after about its timeout, not before, and not never.
      const started = Date.now();
      await assert.rejects(port.read(1, 300), (error) => error instanceof ReadTimeoutError && error.received === 0);
      assert.ok(Date.now() - started >= 300);

      // The pty behind the port has no modem lines: E_NO_MODEM_LINES, as an adapter without DTR/RTS.
      await assert.rejects(port.setLines({ dtr: false }), deviceError("E_NO_MODEM_LINES"));
    } finally {
      await port.close();
    }
    assert.equal(port.closed, true);
    await assert.rejects(port.read(1, 100), StreamClosedError);
    await port.close(); // twice is harmless
    const again = await openSerialPort(path);
    await again.close();
  },
});
