/**
 * The corrupted-reply faults of the matrix on a link without parity (a pty, an adapter set to 8N1): the host
 * cannot see the flipped bit, so what stands between it and a wrong flash is the identity check, the replies'
 * own framing and the verify. `write` and `run` must still never succeed over wrong flash; a `read` can return a
 * corrupted byte here (AN3155 gives the data no checksum), which is why the port checks parity where it can.
 */
import { checkCase, type FaultCase, faultCases, SEED } from "./matrix.ts";

const cases: FaultCase[] = [
  ...faultCases(SEED).filter((c) => c.fault.kind === "corrupt-reply"),
  // 0x410 read as 0x418 (connectivity line): 2 KiB pages, up to 256 KiB, no lower bound in its data, and the same
  // Erase command — the identity check cannot tell, the planner's verify must.
  {
    name: "Get ID 0x410 read as 0x418",
    part: "stm32f103c8",
    start: "old firmware",
    fault: { kind: "corrupt-reply", at: "get-id", byte: 3, bit: 3 },
  },
  {
    name: "Get ID 0x410 read as 0x418, re-flash",
    part: "stm32f103c8",
    start: "same firmware",
    fault: { kind: "corrupt-reply", at: "get-id", byte: 3, bit: 3 },
  },
];

for (const op of ["write", "run"] as const) {
  for (const c of cases) {
    Deno.test(`no parity (seed ${SEED}) ${op}, ${c.start}: ${c.name}`, async () => {
      await checkCase(op, c, SEED, false);
    });
  }
}
