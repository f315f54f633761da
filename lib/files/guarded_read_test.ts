import assert from "node:assert/strict";
import { FILE_SIZE_LIMITS, GuardedReadError, quotePath, readGuarded, readGuardedText } from "./guarded_read.ts";

const posix = Deno.build.os !== "windows";

/** Makes a FIFO with no writer; opening it for reading would block forever. */
async function makeFifo(dir: string): Promise<string> {
  const path = `${dir}/pipe`;
  const { code } = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.equal(code, 0);
  return path;
}

async function refused(promise: Promise<unknown>, pattern: RegExp): Promise<GuardedReadError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GuardedReadError, String(error));
    assert.equal(error.code, "E_FILE");
    assert.equal(error.exitCode, 2);
    assert.match(error.message, pattern);
    return error;
  }
  assert.fail("expected a refusal");
}

Deno.test("a regular file is read whole", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.yaml`, "name: x\n");
    assert.equal(await readGuardedText(`${dir}/a.yaml`, "recipe"), "name: x\n");
    await Deno.writeFile(`${dir}/empty`, new Uint8Array());
    assert.equal((await readGuarded(`${dir}/empty`, "firmware")).length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing file is refused and marked missing", async () => {
  const error = await refused(
    readGuarded("/nonexistent/fw.hex", "firmware"),
    /firmware file '\/nonexistent\/fw.hex': no such file/,
  );
  assert.equal(error.missing, true);
});

Deno.test("a folder is refused, naming what it is", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const error = await refused(readGuarded(dir, "include"), /included file .*: it is a folder, not a regular file/);
    assert.equal(error.missing, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a FIFO with no writer is refused without blocking",
  ignore: !posix,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const fifo = await makeFifo(dir);
      for (const kind of ["recipe", "include", "firmware", "flash-file"] as const) {
        await refused(readGuarded(fifo, kind), /it is a FIFO \(named pipe\), not a regular file/);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "devices such as /dev/zero and /dev/urandom are refused before reading",
  ignore: !posix,
  async fn() {
    for (const device of ["/dev/zero", "/dev/urandom", "/dev/null"]) {
      await refused(readGuarded(device, "firmware"), /it is a character device, not a regular file/);
    }
  },
});

Deno.test("a file over its kind's cap is refused; a lower cap can be given", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/big.yaml`;
    await Deno.writeFile(path, new Uint8Array(FILE_SIZE_LIMITS.recipe + 1).fill(0x31));
    await refused(readGuarded(path, "recipe"), /has 4194305 bytes, more than the 4194304 a recipe may have/);
    assert.equal((await readGuarded(path, "firmware")).length, FILE_SIZE_LIMITS.recipe + 1);
    await refused(readGuarded(path, "flash-file", { maxBytes: 1024 }), /more than the 1024 a flash file may have/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("paths with control characters stay on one line in messages", () => {
  assert.equal(quotePath("a\nb\u001b[31m.hex"), "'a\\nb\\u001b[31m.hex'");
});

Deno.test({
  name: "a regular file that says it is empty but holds data (/proc) is read on, up to the cap",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const text = await readGuardedText("/proc/self/status", "recipe");
    assert.match(text, /^Name:/);
    await refused(readGuarded("/proc/self/status", "flash-file", { maxBytes: 16 }), /grew past the 16/);
  },
});
