/**
 * Checks the Linux data table in posix_constants.ts against the C headers of the machine running the test:
 * compiles a small C program with the host compiler that prints every value, and compares. Skipped where
 * there is no compiler or the OS is not Linux.
 */

import assert from "node:assert/strict";
import { currentPosixPlatform } from "../../lib/transport/serial/posix_constants.ts";

async function hasCompiler(): Promise<boolean> {
  if (Deno.build.os !== "linux") return false;
  try {
    const { success } = await new Deno.Command("cc", { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
    return success;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** C expressions whose values the table must equal, keyed by where the table keeps them. */
function expectations(): Record<string, string> {
  const platform = currentPosixPlatform();
  assert.ok(platform);
  const checks: Record<string, string> = {
    "termios.size": "sizeof(struct termios2)",
    "termios.iflag": "offsetof(struct termios2, c_iflag)",
    "termios.oflag": "offsetof(struct termios2, c_oflag)",
    "termios.cflag": "offsetof(struct termios2, c_cflag)",
    "termios.lflag": "offsetof(struct termios2, c_lflag)",
    "termios.cc": "offsetof(struct termios2, c_cc)",
    "termios.nccs": "NCCS",
    "termios.ispeed": "offsetof(struct termios2, c_ispeed)",
    "termios.ospeed": "offsetof(struct termios2, c_ospeed)",
    "serialStruct.size": "sizeof(struct serial_struct)",
    "serialStruct.flagsOffset": "offsetof(struct serial_struct, flags)",
    "serialStruct.ASYNC_LOW_LATENCY": "ASYNC_LOW_LATENCY",
    "TCSANOW": "TCSANOW",
  };
  for (const name of Object.keys(platform.flags)) checks[`flags.${name}`] = name;
  for (const name of Object.keys(platform.ioctl)) {
    if (name !== "IOSSIOSPEED") checks[`ioctl.${name}`] = name;
  }
  for (const name of Object.keys(platform.errno)) checks[`errno.${name}`] = name;
  for (const name of Object.keys(platform.open)) checks[`open.${name}`] = name;
  for (const name of Object.keys(platform.flock)) checks[`flock.${name}`] = name;
  for (const name of Object.keys(platform.poll)) checks[`poll.${name}`] = name;
  for (const name of Object.keys(platform.tcflush)) checks[`tcflush.${name}`] = name;
  for (const name of Object.keys(platform.modem)) checks[`modem.${name}`] = `TIOCM_${name}`;
  for (const rate of platform.baudCodes.keys()) checks[`baud.${rate}`] = `B${rate}`;
  return checks;
}

function tableValue(path: string): number {
  const platform = currentPosixPlatform();
  assert.ok(platform);
  const [group, key] = path.split(".");
  if (group === "baud") return platform.baudCodes.get(Number(key)) ?? NaN;
  if (key === undefined) return (platform as unknown as Record<string, number>)[group];
  const table = (platform as unknown as Record<string, Record<string, number> | null>)[group];
  return table?.[key] ?? NaN;
}

Deno.test({
  name: "the Linux table matches this machine's kernel and libc headers",
  ignore: !(await hasCompiler()),
  fn: async () => {
    const checks = expectations();
    const lines = Object.entries(checks).map(([path, expression]) =>
      `  printf("%s %llu\\n", "${path}", (unsigned long long)(${expression}));`
    );
    // The kernel's uapi headers carry termios2/BOTHER; glibc's <fcntl.h>, <errno.h>, <poll.h>, <sys/file.h>
    // the rest.
    const source = [
      "#include <stdio.h>",
      "#include <stddef.h>",
      "#include <errno.h>",
      "#include <fcntl.h>",
      "#include <poll.h>",
      "#include <sys/file.h>",
      "#include <asm/termios.h>",
      "#include <asm/ioctls.h>",
      "#include <linux/serial.h>",
      "#include <linux/tty_flags.h>",
      "int main(void) {",
      ...lines,
      "  return 0;",
      "}",
    ].join("\n");
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/constants.c`, source);
      const compiled = await new Deno.Command("cc", {
        args: ["-o", `${dir}/constants`, `${dir}/constants.c`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(compiled.success, new TextDecoder().decode(compiled.stderr));
      const run = await new Deno.Command(`${dir}/constants`, { stdout: "piped" }).output();
      assert.ok(run.success);
      const printed = new TextDecoder().decode(run.stdout).trim().split("\n");
      assert.equal(printed.length, Object.keys(checks).length);
      const mismatches: string[] = [];
      for (const line of printed) {
        const [path, value] = line.split(" ");
        // TCSETS2 etc. are unsigned long; our table keeps them as positive numbers too.
        if (tableValue(path) !== Number(value)) mismatches.push(`${path}: table ${tableValue(path)}, C ${value}`);
      }
      assert.deepEqual(mismatches, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
