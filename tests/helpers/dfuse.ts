/**
 * Test support for code that talks to a DfuSe bootloader: a simulated device on a loopback cable that is pulled
 * when the device resets (as a real board drops off the bus), plugged in again on demand; and an assertion on the
 * type of a rejection.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  createDfuseSimulator,
  type DfuseResetReason,
  type DfuseSimulator,
  type DfuseSimulatorOptions,
} from "../../lib/sim/dfuse/dfuse_simulator.ts";
import type { DfusePartName } from "../../lib/sim/dfuse/parts.ts";
import { UsbLoopback } from "../../lib/sim/dfuse/loopback.ts";

/** A simulated DfuSe device and the cable it is on. */
export interface SimulatedDfuse {
  /** The simulated chip. */
  sim: DfuseSimulator;
  /** The cable the device is on now: the first one until `replug` is called. */
  readonly loop: UsbLoopback;
  /** Why the device reset, in order (`leave`, `option-bytes`, ...). */
  resets: DfuseResetReason[];
  /** Plugs the (reset) device in again on a new cable, as the lab re-adds it, and returns that cable. */
  replug(): UsbLoopback;
}

/**
 * A simulator of `part` on a loopback cable that is unplugged whenever the device resets. `options` go to the
 * simulator; its `onReset` is taken by the cable.
 */
export function simulatedDfuse(part: DfusePartName, options: DfuseSimulatorOptions = {}): SimulatedDfuse {
  const resets: DfuseResetReason[] = [];
  let loop: UsbLoopback | undefined;
  const sim = createDfuseSimulator(part, {
    ...options,
    onReset: (reason) => {
      resets.push(reason);
      loop?.unplug();
    },
  });
  let current = new UsbLoopback(sim);
  loop = current;
  return {
    sim,
    get loop() {
      return current;
    },
    resets,
    replug() {
      current = new UsbLoopback(sim);
      loop = current;
      return current;
    },
  };
}

/** Awaits `promise`, asserts that it rejects with an instance of `type`, and returns that error. */
export async function rejectsWith<T extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => T,
): Promise<T> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof type, `expected ${type.name}, got ${caught}`);
  return caught as T;
}
