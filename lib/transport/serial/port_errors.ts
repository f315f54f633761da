/**
 * The errors a serial port reports, built in one place so POSIX and Windows say the same things.
 *
 * @module
 */

import { DeviceError } from "../../errors.ts";

/** Another program has the port open (exclusive mode or lock held). */
export function portBusyError(path: string, detail: string, cause?: unknown): DeviceError {
  return new DeviceError("E_PORT_BUSY", `serial port ${path} is in use by another program (${detail})`, {
    hint: "close the other program first: a terminal (screen, minicom, picocom), another flasher " +
      "(stm32flash, STM32CubeProgrammer) or ModemManager probing the adapter (sudo systemctl stop ModemManager)",
    cause,
  });
}

/** The port does not exist. */
export function portMissingError(path: string, cause?: unknown): DeviceError {
  return new DeviceError("E_PORT_MISSING", `serial port ${path} does not exist`, {
    hint: "run `flashrecipe ports` to list the serial ports present; check that the adapter is plugged in",
    cause,
  });
}

/** The path exists but is no terminal device. */
export function portNotTtyError(path: string, cause?: unknown): DeviceError {
  return new DeviceError("E_PORT_NOT_TTY", `${path} is not a serial port (not a terminal device)`, {
    hint: "name the adapter's device, e.g. /dev/ttyUSB0, /dev/ttyACM0 or COM3; `flashrecipe ports` lists them",
    cause,
  });
}

/** The user may not open the port. */
export function portPermissionError(path: string, cause?: unknown): DeviceError {
  return new DeviceError("E_PORT_PERMISSION", `permission denied opening serial port ${path}`, {
    hint: "add your user to the group that owns the port (dialout on Debian/Ubuntu/Fedora, uucp on Arch): " +
      "`sudo usermod -aG dialout $USER`, then log out and in again",
    cause,
  });
}

/** The port cannot drive DTR/RTS (a pseudo-terminal, or an adapter without those pins). */
export function noModemLinesError(path: string, detail: string, cause?: unknown): DeviceError {
  return new DeviceError("E_NO_MODEM_LINES", `serial port ${path} cannot drive the DTR/RTS lines (${detail})`, {
    hint: "it is a pseudo-terminal or an adapter without those pins: set BOOT0 and press reset by hand, " +
      "and use a recipe without automatic reset",
    cause,
  });
}

/** The driver refused or changed a line setting. */
export function portSettingsError(path: string, detail: string, cause?: unknown): DeviceError {
  return new DeviceError("E_PORT_SETTINGS", `serial port ${path} refused the line settings: ${detail}`, {
    hint: "choose a baud rate and framing the adapter supports (115200 8E1 works with every USB-serial adapter)",
    cause,
  });
}

/** The device went away (unplugged) while open. */
export function portGoneError(path: string, cause?: unknown): DeviceError {
  return new DeviceError("E_PORT_GONE", `serial port ${path} hung up (adapter unplugged?)`, {
    hint: "check the USB cable and plug the adapter back in",
    cause,
  });
}

/** Any other system error on the port. */
export function portIoError(path: string, operation: string, detail: string, cause?: unknown): DeviceError {
  return new DeviceError("E_PORT_IO", `${operation} on serial port ${path} failed: ${detail}`, {
    hint: "check the adapter and cable; unplug and replug the adapter if it persists",
    cause,
  });
}

/** A write could not be handed to the driver in time (output stalled, e.g. by flow control). */
export function writeTimeoutError(path: string, written: number, total: number, timeoutMs: number): DeviceError {
  return new DeviceError(
    "E_WRITE_TIMEOUT",
    `writing to serial port ${path} stalled: ${written} of ${total} byte(s) sent in ${timeoutMs} ms`,
    { hint: "the adapter is not sending; check that it is not held by hardware flow control (CTS)" },
  );
}
