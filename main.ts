/**
 * flashrecipe: flash STM32 microcontrollers through their ROM bootloaders by running YAML recipes.
 * `deno run -A main.ts ARGS` is the program, exactly as the compiled binary runs it.
 *
 * @module
 */

import { main } from "./lib/cli/main.ts";
import { systemConsole } from "./lib/cli/console.ts";
import { allowBlockingWaits } from "./lib/transport/serial/wait_policy.ts";

/**
 * This process talks to one device at a time and has nothing else to do while it waits for a reply, so serial
 * waits may block for up to this long before the event loop must run (Ctrl-C, timers, progress output): it spares
 * every reply a thread hand-over (lib/transport/serial/wait_policy.ts).
 */
const BLOCKING_WAIT_STRETCH_MS = 50;

if (import.meta.main) {
  allowBlockingWaits(BLOCKING_WAIT_STRETCH_MS);
  Deno.exit(await main(Deno.args, systemConsole()));
}
