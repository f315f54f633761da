/** The USART fault matrix against the recipe `run` one-shot (see tests/faults/matrix.ts). */
import { checkCase, faultCases, SEED } from "./matrix.ts";

for (const c of faultCases(SEED)) {
  Deno.test(`fault matrix (seed ${SEED}) run, ${c.start}: ${c.name}`, async () => {
    await checkCase("run", c, SEED);
  });
}
