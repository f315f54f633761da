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

/**
 * Returns the spec name of a state, e.g. `dfuDNLOAD-IDLE`, or `state N` for an unknown value. DFU 1.1 §6.1.2 spells
 * the states with hyphens where the enum members, being identifiers, have underscores.
 */
export function dfuStateName(state: number): string {
  const name: string | undefined = DfuState[state];
  return name === undefined ? `state ${state}` : name.replaceAll("_", "-");
}
