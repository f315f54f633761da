/**
 * The DfuSe simulator's side of the shared fault spec (lib/sim/faults.ts): where a fault can strike (the DfuSe
 * operations of AN3156, {@linkcode DFUSE_FAULT_POINTS}) and what each kind of fault does there
 * ({@linkcode DFUSE_FAULT_KINDS}): an error status where the operation should succeed, a STALLed request, the
 * device dropping off the bus, a data block or an erase acknowledged without happening, an erase that takes longer
 * and holds off every request meanwhile, a flash bit stuck at 0.
 *
 * @module
 */

import { DfuStatus } from "../../protocol/dfu/status.ts";
import type { FaultKind, FaultSchedule, FaultSpec } from "../faults.ts";

/**
 * The fault points of a DfuSe device: a data block (`write`), a page erase (`erase`), a mass erase (`mass-erase`),
 * Set Address Pointer (`set-address`), Read Unprotect (`read-unprotect`) and an upload block (`read`).
 */
export const DFUSE_FAULT_POINTS = ["write", "erase", "mass-erase", "set-address", "read-unprotect", "read"] as const;

/** A fault point of a DfuSe device. */
export type DfuseFaultPoint = typeof DFUSE_FAULT_POINTS[number];

/** The kinds of fault the DfuSe simulator commits; it ignores the others (they are USART link faults). */
export const DFUSE_FAULT_KINDS: readonly FaultKind[] = [
  "error-status",
  "nack-once",
  "stall",
  "hang-up",
  "reset",
  "skip-write",
  "skip-erase",
  "slow-erase",
  "stuck-bit",
];

/** What the device does instead of the operation. */
export type DfuseFaultAction =
  /** The operation ends in dfuERROR with this status; nothing is changed. */
  | { effect: "status"; status: DfuStatus }
  /** The request is STALLed: dfuERROR with errSTALLEDPKT (DFU 1.1 §6.1.2); nothing is changed. */
  | { effect: "stall" }
  /** The device drops off the bus at this request (cable pulled, reset) and restarts its bootloader. */
  | { effect: "unplug" }
  /** A write or an erase (a Read Unprotect's too: it resets, still protected) is acknowledged but changes nothing. */
  | { effect: "skip" }
  /** The operation takes `factor` times as long and holds off requests `holdOffMs` real milliseconds more. */
  | { effect: "slow"; factor: number; holdOffMs: number };

/** The status a `nack-once` fault reports at each point: the one that operation's failure would bring. */
const REFUSAL: Readonly<Record<DfuseFaultPoint, DfuStatus>> = {
  write: DfuStatus.errWRITE,
  erase: DfuStatus.errERASE,
  "mass-erase": DfuStatus.errERASE,
  "set-address": DfuStatus.errTARGET,
  "read-unprotect": DfuStatus.errVENDOR,
  read: DfuStatus.errSTALLEDPKT,
};

const ERASES: readonly DfuseFaultPoint[] = ["erase", "mass-erase", "read-unprotect"];

/**
 * The fault due at `point` now, if any, as the action the device takes. Every kind that applies at the point is
 * asked (so each fault counts its visits), the first that fires wins.
 */
export function dfuseFaultAt(schedule: FaultSchedule, point: DfuseFaultPoint): DfuseFaultAction | undefined {
  const due = (kind: FaultKind): FaultSpec | undefined => schedule.take(kind, point);
  const fired: DfuseFaultAction[] = [];
  if (due("stall")) fired.push({ effect: "stall" });
  if (due("hang-up") || due("reset")) fired.push({ effect: "unplug" });
  const status = due("error-status");
  if (status) fired.push({ effect: "status", status: status.status ?? DfuStatus.errUNKNOWN });
  if (due("nack-once")) fired.push({ effect: "status", status: REFUSAL[point] });
  if (point === "write" && due("skip-write")) fired.push({ effect: "skip" });
  if (ERASES.includes(point) && due("skip-erase")) fired.push({ effect: "skip" });
  if (ERASES.includes(point)) {
    const slow = due("slow-erase");
    if (slow) fired.push({ effect: "slow", factor: slow.factor ?? 3, holdOffMs: slow.ms ?? 0 });
  }
  return fired[0];
}

/** `data` read at `address` as flash with stuck bits (standing `stuck-bit` faults) returns it: those bits 0. */
export function withStuckBits(schedule: FaultSchedule, address: number, data: Uint8Array): Uint8Array {
  for (const fault of schedule.standing("stuck-bit")) {
    if (fault.address === undefined) continue;
    const at = fault.address - address;
    if (at >= 0 && at < data.length) data[at] &= ~(1 << (fault.bit ?? 0)) & 0xff;
  }
  return data;
}

/** Short text of a fault for test names and logs, e.g. `skip-write@write#3`. */
export function describeFault(fault: FaultSpec): string {
  const extra = fault.kind === "error-status" ? `:status=${fault.status}` : fault.ms ? `:ms=${fault.ms}` : "";
  return `${fault.kind}@${fault.at ?? "*"}#${fault.occurrence ?? 1}${extra}`;
}
