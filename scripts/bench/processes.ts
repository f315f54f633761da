/**
 * Running the programs a bench row compares, as separate processes exactly as a user runs them: `flashrecipe sim
 * usart` on a pseudo-terminal, flashrecipe itself (the Deno binary running main.ts) and stm32flash.
 *
 * @module
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A running simulator. */
export interface SimProcess {
  /** The pseudo-terminal path it printed first. */
  path: string;
  /** Its process id (e.g. to read its CPU time from /proc). */
  pid: number;
  /**
   * Sends `signal` (default SIGTERM: the simulator saves its flash file and exits), waits for the process to end and
   * returns its exit code and stderr.
   */
  stop(signal?: Deno.Signal): Promise<{ code: number; stderr: string }>;
}

/** Starts `flashrecipe sim usart` with `args` and waits for the pty path on its stdout. */
export async function startUsartSim(args: string[]): Promise<SimProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "sim", "usart", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) {
      await child.status;
      throw new Error(`sim usart ended before printing its path: ${await stderr}`);
    }
    text += value;
  }
  return {
    path: text.slice(0, text.indexOf("\n")),
    pid: child.pid,
    async stop(signal: Deno.Signal = "SIGTERM") {
      child.kill(signal);
      for (;;) if ((await reader.read()).done) break;
      const status = await child.status;
      return { code: status.code, stderr: await stderr };
    },
  };
}

/** A finished, timed program run. */
export interface TimedRun {
  /** Wall-clock time from spawn to exit, ms. */
  ms: number;
  /** Exit code. */
  code: number;
  /** stdout and stderr. */
  output: string;
}

/** Runs `command args` and times it from spawn to exit. */
export async function timed(command: string, args: string[]): Promise<TimedRun> {
  const start = performance.now();
  const result = await new Deno.Command(command, { args, stdin: "null", stdout: "piped", stderr: "piped" }).output();
  const ms = performance.now() - start;
  const decoder = new TextDecoder();
  return { ms, code: result.code, output: decoder.decode(result.stdout) + decoder.decode(result.stderr) };
}

/** flashrecipe as a user runs it: the Deno binary on main.ts (no type check, modules cached). */
export function flashrecipeCommand(args: string[]): [string, string[]] {
  return [Deno.execPath(), ["run", "-A", MAIN, ...args]];
}

/** Whether `command` can be started. */
export async function available(command: string, args: string[] = ["-h"]): Promise<boolean> {
  try {
    await new Deno.Command(command, { args, stdin: "null", stdout: "null", stderr: "null" }).output();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
