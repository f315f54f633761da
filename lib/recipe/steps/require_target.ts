/**
 * The guard every device step uses: there must be a connected target.
 *
 * @module
 */

import { InputError } from "../../errors.ts";
import type { Target } from "../../target/target.ts";
import type { StepContext } from "../step.ts";

/** Returns the connected target, or explains that a `connect` step must come first. */
export function requireTarget(context: StepContext, step: string): Target {
  if (!context.target) {
    throw new InputError("E_RECIPE", `the '${step}' step needs a connected chip`, {
      hint: "add a 'connect' step before it",
    });
  }
  return context.target;
}
