/**
 * Serial framing and rate settings, their default (8E1, the framing of the STM32 ROM bootloader) and their
 * validation.
 *
 * @module
 */

import { InputError } from "../../errors.ts";

/** Line settings of a serial port. */
export interface SerialSettings {
  /** Bits per second. Any positive integer; non-standard rates need driver support. */
  baudRate: number;
  /** Data bits per character. */
  dataBits: 5 | 6 | 7 | 8;
  /** Parity bit. */
  parity: "none" | "even" | "odd";
  /** Stop bits. */
  stopBits: 1 | 2;
}

/** 115200 baud, 8 data bits, even parity, 1 stop bit: what the USART bootloader expects (AN3155 §2). */
export const DEFAULT_SERIAL_SETTINGS: Readonly<SerialSettings> = Object.freeze({
  baudRate: 115200,
  dataBits: 8,
  parity: "even",
  stopBits: 1,
});

/** Fills missing fields from {@linkcode DEFAULT_SERIAL_SETTINGS} and rejects impossible values. */
export function resolveSerialSettings(settings: Partial<SerialSettings> = {}): SerialSettings {
  const resolved: SerialSettings = { ...DEFAULT_SERIAL_SETTINGS, ...settings };
  if (!Number.isInteger(resolved.baudRate) || resolved.baudRate <= 0 || resolved.baudRate > 0xffffffff) {
    throw new InputError("E_SERIAL_SETTINGS", `invalid baud rate ${resolved.baudRate}`, {
      hint: "use a positive whole number of bits per second, e.g. 115200",
    });
  }
  if (![5, 6, 7, 8].includes(resolved.dataBits)) {
    throw new InputError("E_SERIAL_SETTINGS", `invalid data bits ${resolved.dataBits}`, { hint: "use 5, 6, 7 or 8" });
  }
  if (!["none", "even", "odd"].includes(resolved.parity)) {
    throw new InputError("E_SERIAL_SETTINGS", `invalid parity ${resolved.parity}`, {
      hint: "use none, even or odd",
    });
  }
  if (resolved.stopBits !== 1 && resolved.stopBits !== 2) {
    throw new InputError("E_SERIAL_SETTINGS", `invalid stop bits ${resolved.stopBits}`, { hint: "use 1 or 2" });
  }
  return resolved;
}

/** Short form like `115200 8E1`. */
export function formatSerialSettings(settings: SerialSettings): string {
  const parity = { none: "N", even: "E", odd: "O" }[settings.parity];
  return `${settings.baudRate} ${settings.dataBits}${parity}${settings.stopBits}`;
}
