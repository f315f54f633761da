/**
 * Faults a simulated DfuSe bootloader can be told to commit, for tests of what the host does when a real device
 * misbehaves: an error status where the operation should succeed, a STALLed request, the device dropping off the
 * bus, a data block or an erase that reports success without happening, an operation that holds off every request
 * for longer than the host's transfer timeout.
 *
 * A fault waits for the `nth` occurrence (1-based) of one operation and fires once. The operations are those the
 * DfuSe protocol distinguishes (AN3156): a data block (`write`), a page erase (`erase`), a mass erase
 * (`mass-erase`), Set Address Pointer (`set-address`), Read Unprotect (`read-unprotect`) and an upload block
 * (`read`).
 *
 * @module
 */

import type { DfuStatus } from "../../protocol/dfu/status.ts";

/** The DfuSe operations a fault can wait for. */
export type DfuFaultOperation = "write" | "erase" | "mass-erase" | "set-address" | "read-unprotect" | "read";

/** The DfuSe operations, for listing and seeded choice. */
export const DFU_FAULT_OPERATIONS: readonly DfuFaultOperation[] = [
  "write",
  "erase",
  "mass-erase",
  "set-address",
  "read-unprotect",
  "read",
];

/** What the device does instead of the operation. */
export type DfuFaultEffect =
  /** The operation ends in dfuERROR with this status; nothing is changed (a GETSTATUS reports it). */
  | { effect: "status"; status: DfuStatus }
  /** The request is STALLed: dfuERROR with errSTALLEDPKT (DFU 1.1 §6.1.2); nothing is changed. */
  | { effect: "stall" }
  /** The device drops off the bus at this request (cable pulled, brown-out); it restarts its bootloader. */
  | { effect: "unplug" }
  /** A write or erase reports success but changes nothing (a flash that silently did not program or erase). */
  | { effect: "skip" }
  /** The operation holds off every request `ms` real milliseconds longer than it should (the device NAKs). */
  | { effect: "slow"; ms: number };

/** One fault: an effect at the `nth` occurrence of an operation. */
export type DfuFault = DfuFaultEffect & {
  /** The operation the fault waits for. */
  on: DfuFaultOperation;
  /** Which occurrence of it, counting from 1 (default 1). */
  nth?: number;
};

/** Short text of a fault for test names and logs, e.g. `skip at write #3`. */
export function describeDfuFault(fault: DfuFault): string {
  const what = fault.effect === "status"
    ? `status ${fault.status}`
    : fault.effect === "slow"
    ? `slow ${fault.ms} ms`
    : fault.effect;
  return `${what} at ${fault.on} #${fault.nth ?? 1}`;
}

/** Counts operations and hands out each armed fault once, at its occurrence. */
export class DfuFaultInjector {
  readonly #armed: DfuFault[];
  readonly #counts = new Map<DfuFaultOperation, number>();
  /** The faults that fired, in order. */
  readonly fired: DfuFault[] = [];

  constructor(faults: readonly DfuFault[] = []) {
    for (const fault of faults) {
      if ((fault.nth ?? 1) < 1 || !Number.isInteger(fault.nth ?? 1)) {
        throw new RangeError(`fault occurrence must be a whole number from 1: ${describeDfuFault(fault)}`);
      }
      if (fault.effect === "skip" && !["write", "erase", "mass-erase"].includes(fault.on)) {
        throw new RangeError(`only a write or an erase can be skipped: ${describeDfuFault(fault)}`);
      }
    }
    this.#armed = [...faults];
  }

  /** Arms another fault (counted from the operations seen so far: `nth` 1 is the next one). */
  arm(fault: DfuFault): void {
    this.#armed.push({ ...fault, nth: (this.#counts.get(fault.on) ?? 0) + (fault.nth ?? 1) });
  }

  /** Counts one occurrence of `operation`; returns the fault armed for it, if any (it then fires). */
  take(operation: DfuFaultOperation): DfuFault | undefined {
    const count = (this.#counts.get(operation) ?? 0) + 1;
    this.#counts.set(operation, count);
    const index = this.#armed.findIndex((f) => f.on === operation && (f.nth ?? 1) === count);
    if (index < 0) return undefined;
    const [fault] = this.#armed.splice(index, 1);
    this.fired.push(fault);
    return fault;
  }

  /** Faults armed that have not fired. */
  get pending(): readonly DfuFault[] {
    return this.#armed;
  }
}
