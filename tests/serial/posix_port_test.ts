/**
 * Integration tests of the POSIX serial port on a real pseudo-terminal: this process holds the master
 * (`openPseudoTerminal`) and opens the slave with `openSerialPort`, exactly as a host program would.
 */

import assert from "node:assert/strict";
import { DeviceError } from "../../lib/errors.ts";
import { ReadTimeoutError, StreamClosedError } from "../../lib/transport/byte_stream.ts";
import { openPseudoTerminal, type PseudoTerminal } from "../../lib/transport/serial/pty.ts";
import { openSerialPort, type SerialPort } from "../../lib/transport/serial/serial_port.ts";

const posixOnly = Deno.build.os === "windows";

/** Runs `body` with a fresh pty and the port opened on its slave, closing both afterwards. */
async function withPort(
  settings: Parameters<typeof openSerialPort>[1],
  body: (port: SerialPort, pty: PseudoTerminal) => Promise<void>,
): Promise<void> {
  const pty = openPseudoTerminal();
  try {
    const port = await openSerialPort(pty.path, settings);
    try {
      await body(port, pty);
    } finally {
      await port.close();
    }
  } finally {
    await pty.close();
  }
}

/** Asserts that `promise` rejects with a DeviceError of `code`; returns it. */
async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<DeviceError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DeviceError, `expected DeviceError, got ${error}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected rejection with ${code}`);
}

function pattern(length: number, seed: number): Uint8Array {
  const data = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    data[i] = x >>> 24;
  }
  return data;
}

Deno.test({
  name: "bytes round-trip both ways, all 256 values unchanged",
  ignore: posixOnly,
  fn: () =>
    withPort({}, async (port, pty) => {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await port.write(all);
      assert.deepEqual(await pty.master.read(256, 2000), all);
      const reversed = all.slice().reverse();
      await pty.master.write(reversed);
      assert.deepEqual(await port.read(256, 2000), reversed);
    }),
});

Deno.test({
  name: "a read that times out rejects with ReadTimeoutError and keeps the bytes it got",
  ignore: posixOnly,
  fn: () =>
    withPort({}, async (port, pty) => {
      await pty.master.write(new Uint8Array([1, 2, 3]));
      const error = await rejectsWithCode(port.read(5, 150), "E_TIMEOUT");
      assert.ok(error instanceof ReadTimeoutError);
      assert.equal(error.received, 3);
      await pty.master.write(new Uint8Array([4, 5, 6]));
      assert.deepEqual(await port.read(5, 2000), new Uint8Array([1, 2, 3, 4, 5]));
      assert.deepEqual(await port.read(1, 2000), new Uint8Array([6]));
    }),
});

Deno.test({
  name: "a waiting read does not block the event loop: a timer fires and feeds it",
  ignore: posixOnly,
  fn: () =>
    withPort({}, async (port, pty) => {
      let timerFired = false;
      const reading = port.read(1, 5000);
      // The byte is written only from the timer callback, so the read can only complete if the timer ran
      // while the read was waiting.
      const timer = new Promise<void>((resolve) =>
        setTimeout(() => {
          timerFired = true;
          pty.master.write(new Uint8Array([0x79])).then(resolve);
        }, 100)
      );
      assert.deepEqual(await reading, new Uint8Array([0x79]));
      assert.equal(timerFired, true);
      await timer;
    }),
});

Deno.test({
  name: "64 KiB written by the port arrive intact at the master",
  ignore: posixOnly,
  fn: () =>
    withPort({}, async (port, pty) => {
      const data = pattern(64 * 1024, 7);
      const [, received] = await Promise.all([port.write(data), pty.master.read(data.length, 10000)]);
      assert.deepEqual(received, data);
    }),
});

Deno.test({
  name: "a write larger than the pty buffer waits (EAGAIN, POLLOUT) until the other side reads",
  ignore: posixOnly,
  fn: () =>
    withPort({}, async (port, pty) => {
      // Linux queues at most ~64 KiB + 4 KiB in a pty direction (tty_buffer limit plus the n_tty buffer),
      // so 256 KiB cannot be accepted before the master starts reading.
      const data = pattern(256 * 1024, 11);
      let masterStarted = false;
      let readWhenWriteDone = -1;
      const chunks: Uint8Array[] = [];
      let got = 0;
      const writing = port.write(data).then(() => readWhenWriteDone = got);
      await new Promise((resolve) => setTimeout(resolve, 200));
      masterStarted = true;
      while (got < data.length) {
        await pty.master.waitReadable(5000);
        const chunk = pty.master.readAvailable();
        chunks.push(chunk);
        got += chunk.length;
      }
      await writing;
      assert.ok(masterStarted);
      assert.ok(readWhenWriteDone > 0, "the write finished before anyone read: no back-pressure seen");
      const joined = new Uint8Array(got);
      let offset = 0;
      for (const chunk of chunks) {
        joined.set(chunk, offset);
        offset += chunk.length;
      }
      assert.deepEqual(joined, data);
    }),
});

Deno.test({
  name: "a second open of the same port fails with E_PORT_BUSY naming the port",
  ignore: posixOnly,
  fn: () =>
    withPort({}, async (_port, pty) => {
      const error = await rejectsWithCode(openSerialPort(pty.path), "E_PORT_BUSY");
      assert.match(error.message, new RegExp(pty.path));
      assert.match(error.hint ?? "", /ModemManager/);
      assert.match(error.hint ?? "", /screen/);
    }),
});

Deno.test({
  name: "after close the port can be opened again (lock and exclusive mode released)",
  ignore: posixOnly,
  fn: async () => {
    const pty = openPseudoTerminal();
    try {
      for (let round = 0; round < 3; round++) {
        const port = await openSerialPort(pty.path);
        await port.write(new Uint8Array([round]));
        assert.deepEqual(await pty.master.read(1, 2000), new Uint8Array([round]));
        await port.close();
      }
    } finally {
      await pty.close();
    }
  },
});

Deno.test({
  name: "a missing port fails with E_PORT_MISSING pointing at the ports subcommand",
  ignore: posixOnly,
  fn: async () => {
    const error = await rejectsWithCode(openSerialPort("/dev/ttyDOES_NOT_EXIST9"), "E_PORT_MISSING");
    assert.match(error.message, /ttyDOES_NOT_EXIST9/);
    assert.match(error.hint ?? "", /ports/);
  },
});

Deno.test({
  name: "non-terminals fail with E_PORT_NOT_TTY: /dev/null, a regular file, a directory",
  ignore: posixOnly,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/not-a-port`;
      await Deno.writeFile(file, new Uint8Array([1, 2, 3]));
      for (const path of ["/dev/null", file, dir]) {
        const error = await rejectsWithCode(openSerialPort(path), "E_PORT_NOT_TTY");
        assert.match(error.message, new RegExp(path.replaceAll("/", "\\/")));
      }
      assert.deepEqual(await Deno.readFile(file), new Uint8Array([1, 2, 3]));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a port the user may not open fails with E_PORT_PERMISSION",
  // root opens anything, so this can only be shown as an ordinary user
  ignore: posixOnly || Deno.uid() === 0,
  fn: async () => {
    const pty = openPseudoTerminal();
    try {
      await Deno.chmod(pty.path, 0o000);
      const error = await rejectsWithCode(openSerialPort(pty.path), "E_PORT_PERMISSION");
      assert.match(error.hint ?? "", /dialout/);
    } finally {
      await pty.close();
    }
  },
});

Deno.test({
  name: "DTR/RTS on a pseudo-terminal fail with E_NO_MODEM_LINES suggesting manual BOOT0/reset",
  ignore: posixOnly,
  fn: () =>
    withPort({}, async (port) => {
      assert.equal(port.isPseudoTerminal, true);
      const dtr = await rejectsWithCode(port.setLines({ dtr: true }), "E_NO_MODEM_LINES");
      assert.match(dtr.hint ?? "", /BOOT0/);
      await rejectsWithCode(port.setLines({ rts: false }), "E_NO_MODEM_LINES");
      await rejectsWithCode(port.getLines(), "E_NO_MODEM_LINES");
    }),
});

Deno.test({
  name: "8E1 on a pseudo-terminal becomes 8N1 with a notice, and the master reads back 8N1 raw",
  ignore: posixOnly,
  fn: () =>
    withPort({ parity: "even" }, (port, pty) => {
      assert.equal(port.settings.parity, "none");
      assert.equal(port.settings.dataBits, 8);
      assert.ok(port.notices.some((notice) => /parity cannot be carried on a pseudo-terminal; using 8N1/.test(notice)));
      const seen = pty.slaveSettings();
      assert.deepEqual(
        { raw: seen.raw, dataBits: seen.dataBits, parity: seen.parity, stopBits: seen.stopBits },
        { raw: true, dataBits: 8, parity: "none", stopBits: 1 },
      );
      return Promise.resolve();
    }),
});

Deno.test({
  name: "8N2 at 57600 is carried to the pty as asked, without notices",
  ignore: posixOnly,
  fn: () =>
    withPort({ baudRate: 57600, parity: "none", stopBits: 2 }, (port, pty) => {
      assert.deepEqual(port.notices, []);
      assert.deepEqual({ ...port.settings }, { baudRate: 57600, dataBits: 8, parity: "none", stopBits: 2 });
      const seen = pty.slaveSettings();
      assert.equal(seen.stopBits, 2);
      assert.equal(seen.baudRate, 57600);
      return Promise.resolve();
    }),
});

Deno.test({
  name: "a non-standard rate (250000) is set with BOTHER and read back from the master side",
  ignore: posixOnly,
  fn: () =>
    withPort({ baudRate: 250000, parity: "none" }, (port, pty) => {
      assert.equal(port.settings.baudRate, 250000);
      assert.equal(pty.slaveSettings().baudRate, 250000);
      return Promise.resolve();
    }),
});

Deno.test({
  name: "close restores the settings the port had before it was opened",
  ignore: posixOnly,
  fn: async () => {
    const pty = openPseudoTerminal();
    try {
      const before = pty.slaveSettings();
      assert.equal(before.baudRate, 115200);
      const port = await openSerialPort(pty.path, { baudRate: 250000, stopBits: 2 });
      assert.equal(pty.slaveSettings().baudRate, 250000);
      assert.equal(pty.slaveSettings().stopBits, 2);
      await port.close();
      assert.deepEqual(pty.slaveSettings(), before);
    } finally {
      await pty.close();
    }
  },
});

Deno.test({
  name: "discardInput drops bytes already received",
  ignore: posixOnly,
  fn: () =>
    withPort({}, async (port, pty) => {
      await pty.master.write(new Uint8Array([1, 2, 3]));
      // make sure they reached the port's buffer or driver queue before discarding
      assert.deepEqual(await port.read(1, 2000), new Uint8Array([1]));
      await pty.master.write(new Uint8Array([4]));
      while ((port as SerialPort & { pending: number }).pending < 3) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await port.discardInput();
      await pty.master.write(new Uint8Array([9]));
      assert.deepEqual(await port.read(1, 2000), new Uint8Array([9]));
    }),
});

Deno.test({
  name: "drain resolves once output is queued to the other side",
  ignore: posixOnly,
  fn: () =>
    withPort({}, async (port, pty) => {
      await port.write(new Uint8Array([0x7f, 0x00]));
      await port.drain();
      assert.deepEqual(await pty.master.read(2, 2000), new Uint8Array([0x7f, 0x00]));
    }),
});

Deno.test({
  name: "a port whose other side goes away fails reads with E_PORT_GONE",
  ignore: posixOnly,
  fn: async () => {
    const pty = openPseudoTerminal();
    const port = await openSerialPort(pty.path);
    try {
      await pty.close();
      await rejectsWithCode(port.read(1, 2000), "E_PORT_GONE");
    } finally {
      await port.close();
    }
  },
});

Deno.test({
  name: "a closed port rejects reads and writes with StreamClosedError; close twice is harmless",
  ignore: posixOnly,
  fn: async () => {
    const pty = openPseudoTerminal();
    try {
      const port = await openSerialPort(pty.path);
      const pendingRead = port.read(1, 5000);
      await port.close();
      await assert.rejects(pendingRead, StreamClosedError);
      await assert.rejects(port.read(1, 10), StreamClosedError);
      await assert.rejects(port.write(new Uint8Array([1])), StreamClosedError);
      assert.equal(port.closed, true);
      await port.close();
    } finally {
      await pty.close();
    }
  },
});

Deno.test({
  name: "impossible settings are an InputError before anything is opened",
  ignore: posixOnly,
  fn: async () => {
    await assert.rejects(openSerialPort("/dev/ttyDOES_NOT_EXIST9", { baudRate: 0 }), (error: unknown) => {
      assert.ok(error instanceof Error && "code" in error);
      assert.equal(error.code, "E_SERIAL_SETTINGS");
      return true;
    });
  },
});

Deno.test({
  name: "8E1 sets INPCK|PARMRK; the 0xFF bytes the line discipline then doubles arrive once, in order",
  ignore: posixOnly,
  fn: async () => {
    await withPort({ baudRate: 115200 }, async (port, pty) => {
      const data = Uint8Array.of(0xff, 0x00, 0xff, 0xff, 0x79, 0xff, 0x1f, ...new Uint8Array(300).fill(0xff), 0x42);
      await pty.master.write(data);
      assert.deepEqual(await port.read(data.length, 2000), data);
    });
  },
});

Deno.test({
  name: "a program started while a port is open does not inherit it (O_CLOEXEC), so it cannot hold the port",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const pty = openPseudoTerminal();
    try {
      const port = await openSerialPort(pty.path, { parity: "none" });
      try {
        const child = await new Deno.Command("sh", {
          args: ["-c", 'for f in /proc/self/fd/*; do readlink "$f"; done'],
          stdout: "piped",
          stderr: "null",
        }).output();
        const links = new TextDecoder().decode(child.stdout).split("\n");
        assert.equal(links.includes(Deno.realPathSync(pty.path)), false, links.join(", "));
        assert.equal(links.includes("/dev/ptmx"), false, "the pty master is not inherited either");
      } finally {
        await port.close();
      }
    } finally {
      await pty.close();
    }
  },
});
