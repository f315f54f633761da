/**
 * Request codes of USB DFU 1.1 and the DfuSe commands ST adds on top (AN3156).
 *
 * @module
 */

/** DFU class requests, `bRequest` values (DFU 1.1 §3, table 3.2). */
export const DfuRequest = {
  DETACH: 0,
  DNLOAD: 1,
  UPLOAD: 2,
  GETSTATUS: 3,
  CLRSTATUS: 4,
  GETSTATE: 5,
  ABORT: 6,
} as const;

/** Name of a DFU request, e.g. `DFU_GETSTATUS`. */
export function dfuRequestName(request: number): string {
  const entry = Object.entries(DfuRequest).find(([, code]) => code === request);
  return entry ? `DFU_${entry[0]}` : `request ${request}`;
}

/**
 * DfuSe commands, sent as the first byte of a DFU_DNLOAD with wBlockNum = 0 (AN3156 §6: Get Commands,
 * Set Address Pointer, Erase, Read Unprotect). Get Commands is read with DFU_UPLOAD, wBlockNum = 0.
 */
export const DfuseCommand = {
  GET_COMMANDS: 0x00,
  SET_ADDRESS_POINTER: 0x21,
  ERASE: 0x41,
  READ_UNPROTECT: 0x92,
} as const;

/** bmRequestType of DFU class requests to the interface: host-to-device 0x21, device-to-host 0xA1 (DFU 1.1 §3). */
export const DFU_REQUEST_TYPE_OUT = 0x21;
/** bmRequestType of DFU class IN requests. */
export const DFU_REQUEST_TYPE_IN = 0xa1;

/** First data block number of DfuSe memory transfers: address = pointer + (wBlockNum - 2) * wTransferSize (AN3156). */
export const DFUSE_FIRST_DATA_BLOCK = 2;
