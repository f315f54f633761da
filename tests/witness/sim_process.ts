/**
 * Helpers for the witness tests: run `flashrecipe sim usart` as its own process (exactly as a user would) and
 * unmodified stm32flash against the pseudo-terminal it serves.
 *
 * @module
 */

import { available, flashrecipeCommand, type SimProcess, startUsartSim } from "../../scripts/bench/processes.ts";

export type { SimProcess };

/** Starts `flashrecipe sim usart --chip CHIP [--flash-file PATH]` and waits for the pty path on stdout. */
export function startSim(chip: string, flashFile?: string): Promise<SimProcess> {
  return startUsartSim(["--chip", chip, ...(flashFile ? ["--flash-file", flashFile] : [])]);
}

/** What stm32flash printed and returned. */
export interface ToolResult {
  /** Exit code. */
  code: number;
  /** stdout and stderr together (stm32flash prints its diagnostics to either). */
  output: string;
}

/** Runs stm32flash in 8N1 mode (a pty carries no parity) with `args`, the port last. */
export async function stm32flash(path: string, ...args: string[]): Promise<ToolResult> {
  const result = await new Deno.Command("stm32flash", {
    args: ["-m", "8n1", ...args, path],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: result.code, output: decoder.decode(result.stdout) + decoder.decode(result.stderr) };
}

/** Runs `flashrecipe ARGS` as a process. */
export async function flashrecipe(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [program, programArgs] = flashrecipeCommand(args);
  const result = await new Deno.Command(program, {
    args: programArgs,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: result.code, stdout: decoder.decode(result.stdout), stderr: decoder.decode(result.stderr) };
}

/** Whether stm32flash can be started on this machine (CI installs it with scripts/install_test_deps.sh). */
export function hasStm32flash(): Promise<boolean> {
  return available("stm32flash");
}

/** Deterministic pseudo-random bytes (no 0xFF-only runs), so a failed comparison is reproducible. */
export function testPattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}
