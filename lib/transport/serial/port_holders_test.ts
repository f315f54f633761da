import assert from "node:assert/strict";
import { describeHolders, findLockFileHolders, findOpenHolders, parseLockFilePid } from "./port_holders.ts";

// The scan is used on Linux only; the fake trees need symlinks, which Windows grants only to some users.
const ignore = Deno.build.os === "windows";

/** A fake proc tree and lock directory around a fake device file; removed afterwards. */
async function withTree(
  fn: (paths: { root: string; proc: string; locks: string; device: string }) => void | Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "flashrecipe-holders-" });
  try {
    const paths = { root, proc: `${root}/proc`, locks: `${root}/lock`, device: `${root}/ttyUSB0` };
    await Deno.mkdir(paths.proc);
    await Deno.mkdir(paths.locks);
    await Deno.writeFile(paths.device, new Uint8Array());
    await fn(paths);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function fakeProcess(proc: string, pid: number, program: string, links: string[]): void {
  Deno.mkdirSync(`${proc}/${pid}/fd`, { recursive: true });
  Deno.writeTextFileSync(`${proc}/${pid}/comm`, `${program}\n`);
  links.forEach((target, fd) => Deno.symlinkSync(target, `${proc}/${pid}/fd/${fd}`));
}

Deno.test(
  { name: "findOpenHolders: every other process with the device open, by resolved path, named", ignore },
  async () => {
    await withTree(({ root, proc, device }) => {
      Deno.symlinkSync(device, `${root}/by-id-link`);
      fakeProcess(proc, 300, "picocom", ["/dev/null", device]);
      fakeProcess(proc, 200, "stm32flash", [device]);
      fakeProcess(proc, 100, "flashrecipe", [device]); // this process
      fakeProcess(proc, 400, "bash", ["/dev/null", `${root}/other`]);
      Deno.mkdirSync(`${proc}/self`); // non-numeric entries are not processes
      const holders = findOpenHolders(`${root}/by-id-link`, { procRoot: proc, selfPid: 100 });
      assert.deepEqual(holders, [
        { pid: 200, program: "stm32flash", evidence: "has it open" },
        { pid: 300, program: "picocom", evidence: "has it open" },
      ]);
      assert.equal(describeHolders(holders), "stm32flash (PID 200) has it open, picocom (PID 300) has it open");
    });
  },
);

Deno.test(
  { name: "findOpenHolders: unreadable processes are skipped; a missing device or /proc finds nobody", ignore },
  async () => {
    await withTree(({ proc, device }) => {
      Deno.mkdirSync(`${proc}/500`); // no fd directory: exited meanwhile, or another user's
      fakeProcess(proc, 600, "", [device]); // empty comm: the PID alone names it
      assert.deepEqual(findOpenHolders(device, { procRoot: proc, selfPid: 1 }), [
        { pid: 600, program: undefined, evidence: "has it open" },
      ]);
      assert.equal(
        describeHolders(findOpenHolders(device, { procRoot: proc, selfPid: 1 })),
        "a program (PID 600) has it open",
      );
      assert.deepEqual(findOpenHolders(`${device}.missing`, { procRoot: proc, selfPid: 1 }), []);
      assert.deepEqual(findOpenHolders(device, { procRoot: `${proc}/none`, selfPid: 1 }), []);
    });
  },
);

Deno.test("parseLockFilePid: HDB ASCII (padded or not) and the old 4-byte binary form", () => {
  const ascii = (text: string) => new TextEncoder().encode(text);
  assert.equal(parseLockFilePid(ascii("      4242\n")), 4242);
  assert.equal(parseLockFilePid(ascii("4242")), 4242);
  assert.equal(parseLockFilePid(new Uint8Array([0x92, 0x10, 0, 0])), 4242);
  assert.equal(parseLockFilePid(ascii("garbage\n")), undefined);
  assert.equal(parseLockFilePid(new Uint8Array()), undefined);
});

Deno.test({
  name: "findLockFileHolders: a live LCK.. file names its owner; a stale one (dead PID) and our own are ignored",
  ignore,
}, async () => {
  await withTree(({ proc, locks, device }) => {
    fakeProcess(proc, 700, "minicom", []);
    Deno.writeTextFileSync(`${locks}/LCK..ttyUSB0`, "       700\n");
    assert.deepEqual(findLockFileHolders(device, { procRoot: proc, lockDirs: [locks], selfPid: 1 }), [
      { pid: 700, program: "minicom", evidence: "holds its lock file" },
    ]);
    Deno.writeTextFileSync(`${locks}/LCK..ttyUSB0`, "       701\n"); // no such process
    assert.deepEqual(findLockFileHolders(device, { procRoot: proc, lockDirs: [locks], selfPid: 1 }), []);
    Deno.writeTextFileSync(`${locks}/LCK..ttyUSB0`, "700\n");
    assert.deepEqual(findLockFileHolders(device, { procRoot: proc, lockDirs: [locks], selfPid: 700 }), []);
    Deno.removeSync(`${locks}/LCK..ttyUSB0`);
    assert.deepEqual(
      findLockFileHolders(device, { procRoot: proc, lockDirs: [locks, `${locks}/none`], selfPid: 1 }),
      [],
    );
  });
});
