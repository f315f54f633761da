/**
 * DFU device states (USB DFU 1.1 §6.1.2, table "bState"), with the names the spec and dfu-util print.
 *
 * @module
 */

/** A DFU device state as GETSTATUS / GETSTATE report it (DFU 1.1 §6.1.2). */
export enum DfuState {
  appIDLE = 0,
  appDETACH = 1,
  dfuIDLE = 2,
  dfuDNLOAD_SYNC = 3,
  dfuDNBUSY = 4,
  dfuDNLOAD_IDLE = 5,
  dfuMANIFEST_SYNC = 6,
  dfuMANIFEST = 7,
  dfuMANIFEST_WAIT_RESET = 8,
  dfuUPLOAD_IDLE = 9,
  dfuERROR = 10,
}

// DFU 1.1 §6.1.2 spells the states with hyphens (dfuDNLOAD-SYNC); TypeScript identifiers cannot.
const STATE_NAMES: Readonly<Record<number, string>> = {
  0: "appIDLE",
  1: "appDETACH",
  2: "dfuIDLE",
  3: "dfuDNLOAD-SYNC",
  4: "dfuDNBUSY",
  5: "dfuDNLOAD-IDLE",
  6: "dfuMANIFEST-SYNC",
  7: "dfuMANIFEST",
  8: "dfuMANIFEST-WAIT-RESET",
  9: "dfuUPLOAD-IDLE",
  10: "dfuERROR",
};

/** Returns the spec name of a state, e.g. `dfuDNLOAD-IDLE`, or `state N` for an unknown value. */
export function dfuStateName(state: number): string {
  return STATE_NAMES[state] ?? `state ${state}`;
}
