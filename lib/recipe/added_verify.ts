/**
 * No recipe reports success over flash nobody checked: a `write` that no `verify` step covers gets one added by the
 * loader, as the last step on the same connection — before the next step that ends the connection (`jump`,
 * `reset`, `leave-boot`), opens a new one (`connect`), or changes read protection (after which the flash can no
 * longer be read), or at the end of the recipe. It costs little: the flash planner (lib/flash/ledger.ts) already
 * proved the pages it compared as unchanged or read back as it programmed them, and the bootloader's Get Checksum
 * checks the rest where offered, else it is read back.
 *
 * A `verify` step covers the writes before it when it always runs (one with `when:` may not). A write that opts
 * out (`write: { ..., verify: false }`) gets no verify added; if no verify runs after it anyway, the run ends
 * UNVERIFIED (lib/recipe/runner.ts), never PASS.
 *
 * @module
 */

import type { StepFlow } from "./step.ts";

/** What {@linkcode withAddedVerifies} needs to know of a step. */
export interface PlacementFacts {
  /** What the step needs and ends. */
  flow: StepFlow;
  /** It has a `when:` and may not run. */
  conditional: boolean;
}

/**
 * `steps` with a verify (made by `verifyAfter` from the last uncovered write) added wherever writes would otherwise
 * go unchecked (see the module text). Linear in the number of steps.
 */
export function withAddedVerifies<T>(
  steps: readonly T[],
  facts: (step: T) => PlacementFacts,
  verifyAfter: (write: T) => T,
): T[] {
  const out: T[] = [];
  let uncovered: T | undefined;
  for (const step of steps) {
    const { flow, conditional } = facts(step);
    const boundary = flow.endsConnection || flow.connects || flow.readProtection !== undefined;
    if (uncovered !== undefined && boundary) {
      out.push(verifyAfter(uncovered));
      uncovered = undefined;
    }
    if (flow.verifies && !conditional) uncovered = undefined;
    if (flow.writes && !flow.unverified) uncovered = step;
    out.push(step);
  }
  if (uncovered !== undefined) out.push(verifyAfter(uncovered));
  return out;
}
