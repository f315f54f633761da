/**
 * Every step type, by name.
 *
 * @module
 */

import type { StepType } from "../step.ts";
import { connectStep } from "./connect.ts";
import { eraseStep } from "./erase.ts";
import { jumpStep } from "./jump.ts";
import { verifyStep } from "./verify.ts";
import { writeStep } from "./write.ts";

/** All step types, in the order the docs list them. */
export const STEP_TYPES: readonly StepType[] = [connectStep, eraseStep, writeStep, verifyStep, jumpStep];

/** The step type called `name`, or `undefined`. */
export function stepType(name: string): StepType | undefined {
  return STEP_TYPES.find((step) => step.name === name);
}

/** Names of all step types. */
export function stepNames(): string[] {
  return STEP_TYPES.map((step) => step.name);
}
