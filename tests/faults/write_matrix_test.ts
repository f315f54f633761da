/** The USART fault matrix against the `write` one-shot (see tests/faults/matrix.ts). */
import { checkCase, faultCases, SEED } from "./matrix.ts";

for (const c of faultCases(SEED)) {
  Deno.test(`fault matrix (seed ${SEED}) write, ${c.start}: ${c.name}`, async () => {
    await checkCase("write", c, SEED);
  });
}
