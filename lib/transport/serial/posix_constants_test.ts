import assert from "node:assert/strict";
import { POSIX_PLATFORMS } from "./posix_constants.ts";

Deno.test("errno tables: the shared Unix values plus each system's own EAGAIN and EOPNOTSUPP", () => {
  const linux = POSIX_PLATFORMS["linux-x86_64"].errno;
  const darwin = POSIX_PLATFORMS["darwin-aarch64"].errno;
  for (const errno of [linux, darwin]) {
    assert.equal(Object.keys(errno).length, 14);
    assert.equal(errno.EPERM, 1);
    assert.equal(errno.EACCES, 13);
    assert.equal(errno.EBUSY, 16);
    assert.equal(errno.EROFS, 30);
    // Every value names one errno, so the reverse lookup posix_port.ts does is unambiguous.
    assert.equal(new Set(Object.values(errno)).size, 14);
  }
  assert.equal(linux.EAGAIN, 11); // asm-generic/errno-base.h
  assert.equal(linux.EOPNOTSUPP, 95); // asm-generic/errno.h
  assert.equal(darwin.EAGAIN, 35); // sys/errno.h
  assert.equal(darwin.EOPNOTSUPP, 102);
});

Deno.test("flock, poll and modem-line numbers are the same on every platform", () => {
  const platforms = Object.values(POSIX_PLATFORMS);
  assert.equal(platforms.length, 4);
  for (const platform of platforms) {
    assert.deepEqual(platform.flock, { LOCK_EX: 2, LOCK_NB: 4, LOCK_UN: 8 });
    assert.equal(platform.poll.POLLIN, 0x1);
    assert.equal(platform.poll.POLLNVAL, 0x20);
    assert.deepEqual(platform.modem, { DTR: 0x002, RTS: 0x004, CTS: 0x020, DSR: 0x100, CAR: 0x040, RNG: 0x080 });
  }
});
