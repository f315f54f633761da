/**
 * Serial waits that block the calling thread (lib/transport/serial/wait_policy.ts), as the CLI process allows:
 * replies still arrive whole and in order, deadlines hold, and the event loop gets its turn at least once per
 * stretch, so timers (and with them Ctrl-C handlers and progress output) are delayed, never starved.
 */

import assert from "node:assert/strict";
import { ReadTimeoutError } from "../../lib/transport/byte_stream.ts";
import { openPseudoTerminal, type PseudoTerminal } from "../../lib/transport/serial/pty.ts";
import { openSerialPort, type SerialPort } from "../../lib/transport/serial/serial_port.ts";
import {
  allowBlockingWaits,
  blockingWaitStretchMs,
  holdNonBlockingWaits,
  openSerialStreams,
  registerSerialStream,
} from "../../lib/transport/serial/wait_policy.ts";

const posixOnly = Deno.build.os === "windows";

/** Runs `body` with a pty pair and blocking waits of `stretchMs`, restoring the default afterwards. */
async function withBlockingPair(
  stretchMs: number,
  body: (pty: PseudoTerminal, port: SerialPort) => Promise<void>,
): Promise<void> {
  const pty = openPseudoTerminal();
  const port = await openSerialPort(pty.path, { parity: "none" });
  // This process holds both ends of the pseudo-terminal: two streams, knowingly allowed to block.
  allowBlockingWaits(stretchMs, { maxOpenStreams: 2 });
  assert.equal(blockingWaitStretchMs(), stretchMs);
  try {
    await body(pty, port);
  } finally {
    allowBlockingWaits(0);
    await port.close();
    await pty.close();
  }
}

Deno.test("wait policy: the default never blocks, and a negative stretch is refused", () => {
  assert.equal(blockingWaitStretchMs(), 0);
  assert.throws(() => allowBlockingWaits(-1), RangeError);
  assert.throws(() => allowBlockingWaits(Number.NaN), RangeError);
  assert.throws(() => allowBlockingWaits(50, { maxOpenStreams: 0 }), RangeError);
});

Deno.test("wait policy: waits block only while the process has no more serial streams open than allowed", () => {
  const before = openSerialStreams();
  allowBlockingWaits(50);
  const unregister: (() => void)[] = [];
  try {
    // Whatever other tests left open is counted too; start from none of ours.
    assert.equal(blockingWaitStretchMs(), before <= 1 ? 50 : 0);
    unregister.push(registerSerialStream());
    assert.equal(openSerialStreams(), before + 1);
    assert.equal(blockingWaitStretchMs(), before + 1 <= 1 ? 50 : 0);
    unregister.push(registerSerialStream());
    assert.equal(blockingWaitStretchMs(), 0, "two open streams (gang mode): every wait goes to the worker thread");
    unregister.pop()!();
    unregister[0]();
    unregister[0](); // a second call does nothing
    assert.equal(openSerialStreams(), before);
    allowBlockingWaits(50, { maxOpenStreams: 8 });
    unregister.push(registerSerialStream(), registerSerialStream());
    assert.equal(blockingWaitStretchMs(), before + 2 <= 8 ? 50 : 0);
  } finally {
    for (const done of unregister) done();
    allowBlockingWaits(0);
  }
  assert.equal(blockingWaitStretchMs(), 0);
});

Deno.test("wait policy: a hold (a gang station's run) keeps every wait non-blocking, even with one stream open", () => {
  allowBlockingWaits(50, { maxOpenStreams: 64 });
  try {
    assert.equal(blockingWaitStretchMs(), 50);
    const release = holdNonBlockingWaits();
    const second = holdNonBlockingWaits();
    assert.equal(blockingWaitStretchMs(), 0);
    release();
    release(); // a second call does nothing
    assert.equal(blockingWaitStretchMs(), 0, "another hold remains");
    second();
    assert.equal(blockingWaitStretchMs(), 50);
    allowBlockingWaits(50, { maxOpenStreams: Infinity });
    const held = holdNonBlockingWaits();
    assert.equal(blockingWaitStretchMs(), 50, "Infinity: the old rule, blocking whatever is open or held");
    held();
  } finally {
    allowBlockingWaits(0);
  }
});

Deno.test({
  name: "wait policy: opening a serial port counts it until it is closed (a pty pair is two streams)",
  ignore: posixOnly,
  fn: async () => {
    const before = openSerialStreams();
    const pty = openPseudoTerminal();
    const port = await openSerialPort(pty.path, { parity: "none" });
    try {
      assert.equal(openSerialStreams(), before + 2);
      allowBlockingWaits(50);
      assert.equal(blockingWaitStretchMs(), 0, "both ends in one process: no blocking by default");
    } finally {
      allowBlockingWaits(0);
      await port.close();
      await pty.close();
    }
    assert.equal(openSerialStreams(), before);
  },
});

Deno.test({
  name: "blocking waits: bytes already sent are read at once, whole and in order, across many turnarounds",
  ignore: posixOnly,
  fn: async () => {
    await withBlockingPair(50, async (pty, port) => {
      for (let turn = 0; turn < 200; turn++) {
        const command = new Uint8Array([turn & 0xff, ~turn & 0xff]);
        await port.write(command);
        assert.deepEqual(await pty.master.read(2, 1000), command);
        const reply = new Uint8Array(1 + (turn % 7)).fill(0x79);
        await pty.master.write(reply);
        assert.deepEqual(await port.read(reply.length, 1000), reply);
      }
    });
  },
});

Deno.test({
  name: "blocking waits: a reply that never comes still times out with what arrived kept for the next read",
  ignore: posixOnly,
  fn: async () => {
    await withBlockingPair(50, async (pty, port) => {
      await pty.master.write(new Uint8Array([0x79]));
      const error = await port.read(3, 120).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof ReadTimeoutError, `expected a ReadTimeoutError, got ${error}`);
      assert.equal(error.received, 1);
      await pty.master.write(new Uint8Array([0x1f, 0x2f]));
      assert.deepEqual(await port.read(3, 1000), new Uint8Array([0x79, 0x1f, 0x2f]));
    });
  },
});

Deno.test({
  name: "blocking waits: the event loop runs at least once per stretch, so a timer can send the awaited reply",
  ignore: posixOnly,
  fn: async () => {
    await withBlockingPair(20, async (pty, port) => {
      // The reply is sent by a timer in this same process: had the wait blocked for all of its 5 s, the timer could
      // not fire and the read would time out.
      const timer = setTimeout(() => void pty.master.write(new Uint8Array([0x79])), 100);
      try {
        assert.deepEqual(await port.read(1, 5000), new Uint8Array([0x79]));
      } finally {
        clearTimeout(timer);
      }
    });
  },
});

Deno.test({
  name: "blocking waits: a write larger than the driver's queue is finished by the queued path, in order",
  ignore: posixOnly,
  fn: async () => {
    await withBlockingPair(50, async (pty, port) => {
      // Far beyond a pty's buffer: the first write() takes part, the rest waits for the reader.
      const data = new Uint8Array(256 * 1024).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
      const written = port.write(data);
      const second = port.write(new Uint8Array([0xaa, 0x55]));
      const received = await pty.master.read(data.length + 2, 10_000);
      await Promise.all([written, second]);
      assert.deepEqual(received.subarray(0, data.length), data);
      assert.deepEqual(received.subarray(data.length), new Uint8Array([0xaa, 0x55]));
    });
  },
});
