/**
 * DFU status codes (USB DFU 1.1 §6.1.2, table "bStatus"), with their spec names and meanings.
 *
 * @module
 */

/** A DFU status as GETSTATUS reports it (DFU 1.1 §6.1.2). */
export enum DfuStatus {
  OK = 0x00,
  errTARGET = 0x01,
  errFILE = 0x02,
  errWRITE = 0x03,
  errERASE = 0x04,
  errCHECK_ERASED = 0x05,
  errPROG = 0x06,
  errVERIFY = 0x07,
  errADDRESS = 0x08,
  errNOTDONE = 0x09,
  errFIRMWARE = 0x0a,
  errVENDOR = 0x0b,
  errUSBR = 0x0c,
  errPOR = 0x0d,
  errUNKNOWN = 0x0e,
  errSTALLEDPKT = 0x0f,
}

// Meanings paraphrased from DFU 1.1 §6.1.2; the DfuSe meaning of errVENDOR (read protection active) is from
// AN3156 (and AN2662 §4.4.1 / §4.5.3, which share the DfuSe protocol).
const STATUS_MEANINGS: Readonly<Record<number, string>> = {
  0x00: "no error",
  0x01: "the address is outside the target memory or not supported",
  0x02: "the file is not for this device",
  0x03: "the device cannot write memory",
  0x04: "memory erase failed",
  0x05: "memory erase check failed",
  0x06: "program memory function failed",
  0x07: "programmed memory failed verification",
  0x08: "the address is out of range",
  0x09: "received DFU_DNLOAD with wLength = 0 but the firmware seems incomplete",
  0x0a: "the firmware is corrupt; the device cannot return to run-time operation",
  0x0b: "vendor-specific error (DfuSe: flash read protection is active)",
  0x0c: "the device detected an unexpected USB reset",
  0x0d: "the device detected an unexpected power-on reset",
  0x0e: "something went wrong, cause unknown",
  0x0f: "the device stalled an unexpected request",
};

/** Returns the spec name of a status, e.g. `errWRITE`, or `status N` for an unknown value. */
export function dfuStatusName(status: number): string {
  const name = DfuStatus[status];
  return name ?? `status ${status}`;
}

/** Returns what a status means, one short phrase. */
export function dfuStatusMeaning(status: number): string {
  return STATUS_MEANINGS[status] ?? "unknown status code";
}

/** The stable error code for a failing status, e.g. `E_DFU_ERRWRITE`. */
export function dfuStatusErrorCode(status: number): string {
  const name = DfuStatus[status];
  return name ? `E_DFU_${name.toUpperCase()}` : "E_DFU_STATUS";
}
