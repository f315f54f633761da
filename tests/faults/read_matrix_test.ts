/** The USART fault matrix against the `read` one-shot (see tests/faults/matrix.ts). */
import { checkCase, faultCases, SEED } from "./matrix.ts";

for (const c of faultCases(SEED)) {
  Deno.test(`fault matrix (seed ${SEED}) read, ${c.start}: ${c.name}`, async () => {
    await checkCase("read", c, SEED);
  });
}
