/**
 * flashrecipe: flash STM32 microcontrollers through their ROM bootloaders by running YAML recipes.
 * `deno run -A main.ts ARGS` is the program, exactly as the compiled binary runs it.
 *
 * @module
 */

import { internalError, main } from "./lib/cli/main.ts";
import { errorLine } from "./lib/cli/render.ts";
import { systemConsole } from "./lib/cli/console.ts";
import { allowBlockingWaits } from "./lib/transport/serial/wait_policy.ts";

/**
 * While this process talks to one device and has nothing else to do while it waits for a reply, serial waits may
 * block for up to this long before the event loop must run (Ctrl-C, timers, progress output): it spares every reply
 * a thread hand-over. With several ports open (a gang station) the policy never blocks
 * (lib/transport/serial/wait_policy.ts).
 */
const BLOCKING_WAIT_STRETCH_MS = 50;

if (import.meta.main) {
  allowBlockingWaits(BLOCKING_WAIT_STRETCH_MS);
  const console = systemConsole();
  // A fault outside the command's own flow (a promise nobody awaited, a throwing timer) is still one
  // error[E_INTERNAL] line and exit 1, never Deno's stack trace.
  const fault = (event: Event, caught: unknown) => {
    event.preventDefault();
    console.err(errorLine(internalError(caught)));
    Deno.exit(1);
  };
  globalThis.addEventListener("unhandledrejection", (event) => fault(event, event.reason));
  globalThis.addEventListener("error", (event) => fault(event, event.error));
  Deno.exit(await main(Deno.args, console));
}
