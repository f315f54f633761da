/**
 * FdStream's deadline: a reply that reached the descriptor before the deadline is read, even when the last
 * `poll()` looked before it came and the deadline has passed by the time the wait is judged (a busy event loop:
 * several gang slots in one process, a loaded machine).
 */

import assert from "node:assert/strict";
import { FdStream } from "./fd_stream.ts";
import { Libc } from "./libc.ts";
import { currentPosixPlatform, type PosixPlatform, serialOpenFlags } from "./posix_constants.ts";
import { openPseudoTerminal } from "./pty.ts";

const platform = currentPosixPlatform();

/**
 * libc whose worker-thread `poll()` reports nothing: on its first call it hands `late` to `arrive` (the reply
 * is sent), waits until those bytes really are waiting in the descriptor, then until the wall clock has passed
 * `notBefore()` — the last poll saw nothing, and the deadline is gone before the stream looks again.
 */
class LatePollLibc extends Libc {
  #arrive: () => Promise<void>;
  #notBefore: () => number;
  #arrived = false;

  constructor(posix: PosixPlatform, arrive: () => Promise<void>, notBefore: () => number) {
    super(posix);
    this.#arrive = arrive;
    this.#notBefore = notBefore;
  }

  override async pollAsync(fd: number, events: number, _timeoutMs: number): Promise<number> {
    if (!this.#arrived) {
      this.#arrived = true;
      await this.#arrive();
      // Bounded: the pty hands the bytes over within milliseconds; 5 s only keeps a broken kernel from hanging us.
      const ready = this.pollBlocking(fd, events, 5000);
      assert.notEqual(ready & this.platform.poll.POLLIN, 0, "the reply reached the descriptor");
    }
    while (Date.now() <= this.#notBefore()) await new Promise((resolve) => setTimeout(resolve, 5));
    return 0;
  }
}

Deno.test({
  name: "FdStream: bytes waiting in the descriptor when the deadline passes are read, not a timeout",
  ignore: platform === undefined,
  async fn() {
    const pty = openPseudoTerminal();
    const reply = new Uint8Array([0x79, 0x1f, 0x79, 0x00]);
    let deadline = Infinity;
    const libc = new LatePollLibc(platform!, () => pty.master.write(reply), () => deadline);
    const opened = libc.open(pty.path, serialOpenFlags(platform!));
    assert.notEqual(opened.value, -1, `open ${pty.path}: errno ${opened.errno}`);
    const fd = opened.value;
    const stream = new FdStream(libc, fd, { name: pty.path, hangup: "error" });
    try {
      const timeoutMs = 20;
      deadline = Date.now() + timeoutMs;
      const read = await stream.read(reply.length, timeoutMs);
      assert.deepEqual(read, reply);
    } finally {
      await stream.close();
      libc.close(fd);
      libc.dispose();
      await pty.close();
    }
  },
});
