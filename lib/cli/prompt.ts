/**
 * Asking the technician at the terminal.
 *
 * @module
 */

import { DeviceError } from "../errors.ts";

/** Asks a yes/no question on the terminal; Enter or `y` means yes. Fails when stdin is not a terminal. */
export async function askOnTerminal(question: string): Promise<boolean> {
  if (!Deno.stdin.isTerminal()) {
    throw new DeviceError("E_PROMPT", `the recipe asks "${question}" but stdin is not a terminal`, {
      hint: "pass --yes to answer prompts, or run in a terminal",
    });
  }
  await Deno.stdout.write(new TextEncoder().encode(`${question} [Y/n] `));
  const buffer = new Uint8Array(256);
  const n = await Deno.stdin.read(buffer);
  const answer = new TextDecoder().decode(buffer.subarray(0, n ?? 0)).trim().toLowerCase();
  return answer === "" || answer === "y" || answer === "yes";
}
