/** Placeholder until the Windows implementation lands. @module */
import { DeviceError } from "../../errors.ts";
import type { SerialPort } from "./serial_port.ts";
import type { SerialSettings } from "./settings.ts";

/** Opens a COM port (not yet implemented). */
export function openWindowsSerialPort(path: string, _settings: Partial<SerialSettings> = {}): Promise<SerialPort> {
  return Promise.reject(new DeviceError("E_UNSUPPORTED_OS", `cannot open ${path}: Windows support is missing`));
}
