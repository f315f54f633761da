/**
 * A serial port held by another program, on Linux, with the programs that really do it: stm32flash (which takes
 * an fcntl record lock and nothing else), a plain process that opens the tty and locks nothing, and a second
 * opener in this very process. Tests run as root in CI, where TIOCEXCL keeps nobody out: the /proc scan and the
 * record lock are what must work there (lib/transport/serial/port_holders.ts says which method covers what).
 *
 * Every wait here waits for an event (a byte arriving, a line printed), bounded; nothing asserts on time.
 */

import assert from "node:assert/strict";
import { DeviceError } from "../../lib/errors.ts";
import { openPseudoTerminal } from "../../lib/transport/serial/pty.ts";
import { openPosixSerialPort } from "../../lib/transport/serial/posix_port.ts";
import { openSerialPort } from "../../lib/transport/serial/serial_port.ts";
import { runCli } from "../helpers/cli.ts";
import { servePtyChip, withPtyChip } from "../helpers/pty_chip.ts";
import { hasStm32flash } from "../witness/sim_process.ts";

const linuxOnly = Deno.build.os !== "linux";
const noStm32flash = linuxOnly || !(await hasStm32flash());

async function busyError(promise: Promise<unknown>): Promise<DeviceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DeviceError && error.code === "E_PORT_BUSY") return error;
    throw error;
  }
  assert.fail("expected E_PORT_BUSY");
}

function stm32flashCommand(path: string, ...args: string[]): Deno.Command {
  return new Deno.Command("stm32flash", {
    args: ["-m", "8n1", ...args, path],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

async function outputOf(child: Deno.ChildProcess): Promise<{ code: number; output: string }> {
  const result = await child.output();
  const decoder = new TextDecoder();
  return { code: result.code, output: decoder.decode(result.stdout) + decoder.decode(result.stderr) };
}

Deno.test({
  name: "port busy: stm32flash mid-session -> flashrecipe says E_PORT_BUSY naming it, sends nothing, and " +
    "stm32flash then completes its read",
  ignore: noStm32flash,
  async fn() {
    const pty = openPseudoTerminal();
    const dir = await Deno.makeTempDir({ prefix: "flashrecipe-busy-" });
    let chip: { stop: () => Promise<void> } | undefined;
    const child = stm32flashCommand(pty.path, "-r", `${dir}/read.bin`, "-S", "0x08000000:1024").spawn();
    try {
      // stm32flash opens, locks and configures the port, then sends 0x7F: once that byte waits on the master,
      // it holds the port. Freeze it there so the check below runs while it is mid-session, whatever the load.
      assert.ok(await pty.master.waitReadable(30_000), "stm32flash sent its 0x7F");
      child.kill("SIGSTOP");
      const inProcess = await busyError(openSerialPort(pty.path));
      assert.match(inProcess.message, new RegExp(`stm32flash \\(PID ${child.pid}\\) has it open`));
      // Without the /proc scan, the record lock alone refuses the port, and F_GETLK names the holder.
      const byLock = await busyError(openPosixSerialPort(pty.path, {}, { holderScan: false }));
      assert.match(byLock.message, new RegExp(`stm32flash \\(PID ${child.pid}\\) holds a lock on it`));
      const cli = await runCli("info", "--port", pty.path);
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, new RegExp(`error\\[E_PORT_BUSY\\]: .*stm32flash \\(PID ${child.pid}\\)`));
      assert.equal(pty.master.pending, 1, "only stm32flash's 0x7F arrived: our attempts sent nothing");
      // The simulated chip starts with that 0x7F waiting, answers it, and the session goes on.
      chip = servePtyChip(pty);
      child.kill("SIGCONT");
      const done = await outputOf(child);
      assert.equal(done.code, 0, done.output);
      assert.equal((await Deno.readFile(`${dir}/read.bin`)).length, 1024);
    } finally {
      try {
        child.kill("SIGCONT");
        child.kill("SIGKILL");
      } catch {
        // already ended
      }
      await child.status;
      await chip?.stop();
      await pty.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "port busy: while flashrecipe holds the port stm32flash cannot open it; after close it can",
  ignore: noStm32flash,
  async fn() {
    await withPtyChip({}, async ({ pty }) => {
      const port = await openSerialPort(pty.path);
      let refused;
      try {
        refused = await outputOf(stm32flashCommand(pty.path).spawn());
      } finally {
        await port.close();
      }
      assert.notEqual(refused.code, 0, refused.output);
      assert.doesNotMatch(refused.output, /Device ID/);
      const after = await outputOf(stm32flashCommand(pty.path).spawn());
      assert.equal(after.code, 0, after.output);
      assert.match(after.output, /Device ID\s*: 0x0410/);
    });
  },
});

Deno.test({
  name: "port busy: a refused second open in the same process leaves the first one's lock in force",
  ignore: noStm32flash,
  async fn() {
    await withPtyChip({}, async ({ pty }) => {
      const port = await openSerialPort(pty.path);
      try {
        // The second open fails and closes its descriptor: a classic per-process fcntl lock would be dropped by
        // that close; the open-file-description lock of the first port is not.
        await busyError(openSerialPort(pty.path));
        const refused = await outputOf(stm32flashCommand(pty.path).spawn());
        assert.notEqual(refused.code, 0, refused.output);
      } finally {
        await port.close();
      }
    });
  },
});

Deno.test({
  name: "port busy: a program that opened the tty without any lock is found through /proc and named",
  ignore: linuxOnly,
  async fn() {
    const pty = openPseudoTerminal();
    // bash holds the slave open on fd 3, takes no lock, sets no TIOCEXCL, and waits for its stdin to close.
    const holder = new Deno.Command("bash", {
      args: ["-c", 'exec 3<>"$1"; echo ready; read -r _', "holder", pty.path],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const lines = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
    try {
      assert.match((await lines.read()).value ?? "", /ready/);
      const error = await busyError(openSerialPort(pty.path));
      assert.match(error.message, new RegExp(`bash \\(PID ${holder.pid}\\) has it open`));
      const cli = await runCli("info", "--port", pty.path);
      assert.match(cli.stderr, /error\[E_PORT_BUSY\]/);
    } finally {
      await holder.stdin.close();
      while (!(await lines.read()).done) { /* drain */ }
      await holder.status;
      await pty.close();
    }
    // Once it has gone, the port opens.
  },
});

Deno.test({
  name: "port busy: once the other program has closed the tty, the port opens",
  ignore: linuxOnly,
  async fn() {
    const pty = openPseudoTerminal();
    try {
      const opened = await new Deno.Command("bash", { args: ["-c", 'exec 3<>"$1"; exec 3>&-', "x", pty.path] })
        .output();
      assert.equal(opened.code, 0);
      const port = await openSerialPort(pty.path);
      await port.close();
    } finally {
      await pty.close();
    }
  },
});
