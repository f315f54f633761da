/**
 * flashrecipe: flash STM32 microcontrollers through their ROM bootloaders by running YAML recipes.
 * `deno run -A main.ts ARGS` is the program, exactly as the compiled binary runs it.
 *
 * @module
 */

import { main } from "./lib/cli/main.ts";
import { systemConsole } from "./lib/cli/console.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args, systemConsole()));
}
