/**
 * What a failed CreateFileW on a COM port means, by its GetLastError code: kept apart from the FFI so every
 * mapping is tested on any OS.
 *
 * @module
 */

import type { DeviceError } from "../../errors.ts";
import { portBusyError, portIoError, portMissingError } from "./port_errors.ts";
import { WIN32_ERRORS } from "./windows_dcb.ts";

/** `ERROR_ACCESS_DENIED` for a known code, `Win32 error N` otherwise. */
export function win32Name(code: number): string {
  for (const [name, value] of Object.entries(WIN32_ERRORS)) if (value === code) return name;
  return `Win32 error ${code}`;
}

/**
 * The error for CreateFileW failing on `path` with `code`:
 * - `E_PORT_MISSING` for ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND, ERROR_INVALID_NAME (no such COM port);
 * - `E_PORT_BUSY` for ERROR_ACCESS_DENIED and ERROR_SHARING_VIOLATION: Windows opens a COM port for one
 *   handle only, and a second open (another terminal or flasher) fails with access denied;
 * - `E_PORT_IO` naming the code for anything else.
 */
export function windowsOpenError(path: string, code: number): DeviceError {
  const E = WIN32_ERRORS;
  if (code === E.ERROR_FILE_NOT_FOUND || code === E.ERROR_PATH_NOT_FOUND || code === E.ERROR_INVALID_NAME) {
    return portMissingError(path);
  }
  if (code === E.ERROR_ACCESS_DENIED || code === E.ERROR_SHARING_VIOLATION) {
    return portBusyError(path, `${win32Name(code)}: another program has it open`);
  }
  return portIoError(path, "open", win32Name(code));
}
