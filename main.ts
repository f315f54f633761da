/**
 * flashrecipe: flash STM32 microcontrollers through their ROM bootloaders by running YAML recipes.
 * `deno run -A main.ts ARGS` is the program, exactly as the compiled binary runs it.
 *
 * @module
 */

import { main } from "./lib/cli/main.ts";

if (import.meta.main) {
  const encoder = new TextEncoder();
  const code = await main(Deno.args, {
    out: (line) => Deno.stdout.writeSync(encoder.encode(line + "\n")),
    err: (line) => Deno.stderr.writeSync(encoder.encode(line + "\n")),
  });
  Deno.exit(code);
}
