/**
 * Integration tests of the pseudo-terminal master that the simulator holds: successive host programs
 * (stm32flash, then this tool) open and close the slave while the master stays usable.
 */

import assert from "node:assert/strict";
import { ReadTimeoutError, StreamClosedError } from "../../lib/transport/byte_stream.ts";
import { openPseudoTerminal } from "../../lib/transport/serial/pty.ts";
import { openSerialPort } from "../../lib/transport/serial/serial_port.ts";
import { hasStm32flash } from "../witness/sim_process.ts";

const posixOnly = Deno.build.os === "windows";

/**
 * Waits (at most 2 s) for the master to see its host gone. The slave's last close is final only when no one else
 * holds a reference to the open file: a port-holder scan by another process (readlink of /proc/PID/fd/N, as
 * lib/transport/serial/port_holders.ts does in parallel tests) holds one for a moment, so the hang-up may lag the
 * close by that moment.
 */
async function hostGone(master: { hostAttached(): boolean }): Promise<boolean> {
  for (let waited = 0; waited < 2000; waited += 10) {
    if (!master.hostAttached()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return !master.hostAttached();
}

Deno.test({
  name: "pty: a new pseudo-terminal has a slave path, starts raw 8N1 and has no host yet",
  ignore: posixOnly,
  fn: async () => {
    const pty = openPseudoTerminal();
    try {
      const info = await Deno.stat(pty.path);
      assert.equal(info.isCharDevice, true);
      const settings = pty.slaveSettings();
      assert.equal(settings.raw, true);
      assert.equal(settings.dataBits, 8);
      assert.equal(settings.parity, "none");
      assert.deepEqual(pty.master.readAvailable(), new Uint8Array());
      assert.equal(pty.master.pending, 0);
      assert.equal(await pty.master.waitReadable(100), false);
      await assert.rejects(pty.master.read(1, 100), ReadTimeoutError);
    } finally {
      await pty.close();
    }
  },
});

Deno.test({
  name: "pty: the master survives its host closing the slave (EIO/POLLHUP) and serves the next host",
  ignore: posixOnly,
  fn: async () => {
    const pty = openPseudoTerminal();
    try {
      for (let host = 0; host < 3; host++) {
        const port = await openSerialPort(pty.path, { parity: "none" });
        assert.equal(pty.master.hostAttached(), true);
        await port.write(new Uint8Array([0x7f, host]));
        assert.deepEqual(await pty.master.read(2, 2000), new Uint8Array([0x7f, host]));
        await pty.master.write(new Uint8Array([0x79]));
        assert.deepEqual(await port.read(1, 2000), new Uint8Array([0x79]));
        await port.close();
        assert.equal(await hostGone(pty.master), true);
        // With no host, reads time out instead of failing, and waiting for data keeps waiting.
        await assert.rejects(pty.master.read(1, 120), ReadTimeoutError);
        assert.equal(await pty.master.waitReadable(80), false);
        assert.deepEqual(pty.master.readAvailable(), new Uint8Array());
      }
    } finally {
      await pty.close();
    }
  },
});

Deno.test({
  name: "pty: bytes a host wrote just before closing the slave are still read by the master",
  ignore: posixOnly,
  fn: async () => {
    const pty = openPseudoTerminal();
    try {
      const port = await openSerialPort(pty.path);
      await port.write(new Uint8Array([0x11, 0x22, 0x33]));
      await port.close();
      assert.equal(await hostGone(pty.master), true);
      assert.deepEqual(await pty.master.read(3, 2000), new Uint8Array([0x11, 0x22, 0x33]));
    } finally {
      await pty.close();
    }
  },
});

Deno.test({
  name: "pty: a waiting master read completes when a host opens the slave later and writes",
  ignore: posixOnly,
  fn: async () => {
    const pty = openPseudoTerminal();
    try {
      // make the slave hang up once, so the master starts in the "no host" state
      const first = await openSerialPort(pty.path);
      await first.close();
      const reading = pty.master.read(3, 5000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const port = await openSerialPort(pty.path);
      await port.write(new Uint8Array([1, 2, 3]));
      assert.deepEqual(await reading, new Uint8Array([1, 2, 3]));
      await port.close();
    } finally {
      await pty.close();
    }
  },
});

Deno.test({
  name: "pty: chunks() yields what the host sends and ends when the pty closes",
  ignore: posixOnly,
  fn: async () => {
    const pty = openPseudoTerminal();
    const port = await openSerialPort(pty.path);
    const received: number[] = [];
    const consumer = (async () => {
      for await (const chunk of pty.master.chunks()) {
        received.push(...chunk);
        if (received.length >= 6) break;
      }
    })();
    await port.write(new Uint8Array([1, 2, 3]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await port.write(new Uint8Array([4, 5, 6]));
    await consumer;
    assert.deepEqual(received, [1, 2, 3, 4, 5, 6]);
    await port.close();
    const ending = (async () => {
      let count = 0;
      for await (const _chunk of pty.master.chunks()) count++;
      return count;
    })();
    await pty.close();
    assert.equal(await ending, 0);
    assert.throws(() => pty.slaveSettings(), StreamClosedError);
    assert.throws(() => pty.master.hostAttached(), StreamClosedError);
  },
});

Deno.test({
  name: "pty: slaveSettings shows what the host set (rate, stop bits, raw)",
  ignore: posixOnly,
  fn: async () => {
    const pty = openPseudoTerminal();
    try {
      const port = await openSerialPort(pty.path, { baudRate: 9600, stopBits: 2, parity: "odd" });
      const seen = pty.slaveSettings();
      assert.deepEqual(seen, { raw: true, dataBits: 8, parity: "none", stopBits: 2, baudRate: 9600 });
      await port.close();
    } finally {
      await pty.close();
    }
  },
});

Deno.test({
  name: "pty: openSerialPort, stm32flash (8N1), openSerialPort again use the same slave in turn",
  ignore: posixOnly || !(await hasStm32flash()),
  fn: async () => {
    const pty = openPseudoTerminal();
    try {
      // our port first: on close it must leave exclusive mode and its settings behind for stm32flash
      const before = await openSerialPort(pty.path, { baudRate: 57600 });
      await before.write(new Uint8Array([0x55]));
      assert.deepEqual(await pty.master.read(1, 2000), new Uint8Array([0x55]));
      await before.close();

      // stm32flash checks its settings after applying them, and a pty drops parity, so it needs -m 8n1.
      const child = new Deno.Command("stm32flash", {
        args: ["-b", "115200", "-m", "8n1", pty.path],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // AN3155 §2: the host opens with 0x7F; the bootloader answers ACK (0x79).
      assert.deepEqual(await pty.master.read(1, 5000), new Uint8Array([0x7f]));
      assert.equal(pty.slaveSettings().raw, true);
      assert.equal(pty.slaveSettings().dataBits, 8);
      await pty.master.write(new Uint8Array([0x79]));
      // The next command is two bytes (command, complement); NACK (0x1F) makes stm32flash give up.
      const command = await pty.master.read(2, 5000);
      assert.equal(command[0] ^ command[1], 0xff);
      await pty.master.write(new Uint8Array([0x1f]));
      const result = await child.output();
      assert.equal(result.success, false);

      const port = await openSerialPort(pty.path);
      await port.write(new Uint8Array([0x7f]));
      assert.deepEqual(await pty.master.read(1, 2000), new Uint8Array([0x7f]));
      await port.close();
    } finally {
      await pty.close();
    }
  },
});

Deno.test({
  name: "pty: a symlink gives the slave a stable name; it replaces an old link and goes away on close",
  ignore: posixOnly,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const link = `${dir}/ttySIM`;
    try {
      await Deno.symlink("/dev/null", link); // left over from an earlier run
      const pty = openPseudoTerminal({ link });
      try {
        assert.equal(await Deno.readLink(link), pty.path);
        const port = await openSerialPort(link);
        assert.equal(port.isPseudoTerminal, true);
        await port.write(new Uint8Array([0x42]));
        assert.deepEqual(await pty.master.read(1, 2000), new Uint8Array([0x42]));
        await port.close();
      } finally {
        await pty.close();
      }
      await assert.rejects(Deno.lstat(link), Deno.errors.NotFound);
      await Deno.writeTextFile(link, "not a link");
      assert.throws(() => openPseudoTerminal({ link }), /a file is in the way/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
