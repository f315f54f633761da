/**
 * Every step type, by name.
 *
 * @module
 */

import type { StepType } from "../step.ts";
import { connectStep } from "./connect.ts";
import { delayStep } from "./delay.ts";
import { enterBootStep } from "./enter_boot.ts";
import { leaveBootStep } from "./leave_boot.ts";
import { logStep } from "./log.ts";
import { optionBytesStep } from "./option_bytes.ts";
import { promptStep } from "./prompt.ts";
import { protectStep, unprotectStep } from "./protect.ts";
import { readStep } from "./read.ts";
import { resetStep } from "./reset.ts";
import { serialNumberStep } from "./serial_number.ts";
import { eraseStep } from "./erase.ts";
import { jumpStep } from "./jump.ts";
import { jumpToSystemMemoryStep } from "./jump_to_system_memory.ts";
import { waitUsbStep } from "./wait_usb.ts";
import { verifyStep } from "./verify.ts";
import { writeStep } from "./write.ts";

/** All step types, in the order the docs list them. */
export const STEP_TYPES: readonly StepType[] = [
  enterBootStep,
  connectStep,
  eraseStep,
  writeStep,
  verifyStep,
  readStep,
  unprotectStep,
  protectStep,
  optionBytesStep,
  serialNumberStep,
  jumpStep,
  jumpToSystemMemoryStep,
  waitUsbStep,
  leaveBootStep,
  resetStep,
  delayStep,
  logStep,
  promptStep,
];

/** The step type called `name`, or `undefined`. */
export function stepType(name: string): StepType | undefined {
  return STEP_TYPES.find((step) => step.name === name);
}

/** Names of all step types. */
export function stepNames(): string[] {
  return STEP_TYPES.map((step) => step.name);
}
