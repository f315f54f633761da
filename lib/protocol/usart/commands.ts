/**
 * Command codes and reply bytes of the STM32 USART bootloader protocol (ST AN3155 §2, Table 2).
 *
 * @module
 */

/** Reply byte: command or data accepted (AN3155 §2). */
export const ACK = 0x79;
/** Reply byte: command or data refused (AN3155 §2). */
export const NACK = 0x1f;
/** Reply byte of the no-stretch commands while the device is still busy (AN3155 §3, "no-stretch" commands). */
export const BUSY = 0x76;
/** The byte that lets the bootloader measure the baud rate (AN3155 §2, "synchronization"). */
export const SYNC = 0x7f;

/** Command codes (AN3155 Table 2). */
export const Command = {
  Get: 0x00,
  GetVersion: 0x01,
  GetId: 0x02,
  ReadMemory: 0x11,
  Go: 0x21,
  WriteMemory: 0x31,
  NoStretchWriteMemory: 0x32,
  Erase: 0x43,
  ExtendedErase: 0x44,
  NoStretchErase: 0x45,
  WriteProtect: 0x63,
  NoStretchWriteProtect: 0x64,
  WriteUnprotect: 0x73,
  NoStretchWriteUnprotect: 0x74,
  ReadoutProtect: 0x82,
  NoStretchReadoutProtect: 0x83,
  ReadoutUnprotect: 0x92,
  NoStretchReadoutUnprotect: 0x93,
  GetChecksum: 0xa1,
} as const;

/** A command code known to AN3155. */
export type CommandCode = (typeof Command)[keyof typeof Command];

const NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(Command).map(([name, code]) => [code, name.replace(/[A-Z]/g, (c, i) => (i ? " " : "") + c)]),
);

/** Human name of a command code, e.g. `Write Memory`, or its hex value when unknown. */
export function commandName(code: number): string {
  return NAMES.get(code) ?? `command 0x${code.toString(16).padStart(2, "0")}`;
}

/** Largest payload of Read Memory and Write Memory (AN3155 §3.4, §3.6). */
export const MAX_TRANSFER = 256;

/** Extended Erase special codes (AN3155 §3.8). */
export const ExtendedEraseSpecial = {
  massErase: 0xffff,
  bank1: 0xfffe,
  bank2: 0xfffd,
} as const;
