/**
 * Typed errors of the USART bootloader host. Each names the command and the phase it failed in, and tells the
 * user what to check.
 *
 * @module
 */

import { DeviceError } from "../../errors.ts";
import { commandName } from "./commands.ts";

/** Why a NACK to a given command usually happens, for the hint. */
const NACK_HINTS: Readonly<Record<string, string>> = {
  "Read Memory": "is readout protection (RDP) active? the `unprotect` step removes it and erases the flash",
  "Write Memory": "is the flash write- or readout-protected, or not erased there? erase first or unprotect",
  "Erase": "is the chip read-protected (RDP)? `unprotect: read` or `flashrecipe unprotect read` removes it by a " +
    "mass erase; or write-protected? `unprotect: write` or `flashrecipe unprotect write`",
  "Extended Erase": "is the chip read-protected (RDP)? `unprotect: read` or `flashrecipe unprotect read` removes it " +
    "by a mass erase; or write-protected? `unprotect: write` or `flashrecipe unprotect write`",
  "Go": "is readout protection active, or the address not executable?",
};

/** The device answered NACK (0x1F). */
export class NackError extends DeviceError {
  /** The command refused. */
  readonly command: number;
  /** The phase: `command`, `address`, `length`, `data`, ... */
  readonly phase: string;
  constructor(command: number, phase: string, detail = "") {
    const name = commandName(command);
    super("E_NACK", `the bootloader refused ${name} (NACK after the ${phase}${detail ? `, ${detail}` : ""})`, {
      hint: NACK_HINTS[name] ?? "the device may not allow this command in its current state",
    });
    this.command = command;
    this.phase = phase;
  }
}

/** No reply within the timeout in the middle of a command. */
export class ProtocolTimeoutError extends DeviceError {
  /** The command that was waiting. */
  readonly command: number;
  /** The phase that timed out. */
  readonly phase: string;
  constructor(command: number, phase: string, timeoutMs: number, cause?: unknown) {
    super(
      "E_TIMEOUT",
      `no reply to ${commandName(command)} after the ${phase} within ${timeoutMs} ms`,
      { hint: "the device may have reset or lost power mid-command; check power and the reset line", cause },
    );
    this.command = command;
    this.phase = phase;
  }
}

/** The device never answered the sync byte. */
export class NoResponseError extends DeviceError {
  constructor(attempts: number, detail = "") {
    super("E_NO_RESPONSE", `no response from target after ${attempts} sync attempt(s)${detail}`, {
      hint:
        "check that BOOT0 was high when NRST was released (bootloader started), TX/RX are crossed, GND is shared, " +
        "the port is 8E1 (even parity) at a baud the bootloader accepts, and no other program holds the port",
    });
  }
}

/**
 * Sync failed while bytes kept arriving that were no bootloader reply: something else is talking on the line.
 */
export class LineNoiseError extends DeviceError {
  /** Stray bytes seen. */
  readonly strayBytes: number;
  constructor(attempts: number, strayBytes: number) {
    super(
      "E_LINE_NOISE",
      `no bootloader reply after ${attempts} sync attempt(s), though ${strayBytes} other byte(s) arrived`,
      {
        hint: "something else is sending on RX: the application still running (was the chip reset with BOOT0 " +
          "high?), another device on the line, a wrong baud rate, or another program on the port; stop it and " +
          "retry, or raise connect retries to outlast it",
      },
    );
    this.strayBytes = strayBytes;
  }
}

/**
 * The bootloader restarted in the middle of a command: it answered the host's probe byte as a new sync. What the
 * command was doing is lost (a write may be partly programmed); the session must sync again.
 */
export class DesyncError extends DeviceError {
  /** The command that was cut short. */
  readonly command: number;
  constructor(command: number, phase: string) {
    super(
      "E_DEVICE_RESET",
      `the chip reset during ${commandName(command)} (after the ${phase}): its bootloader started again and ` +
        "answered as after power-up",
      {
        hint: "check power, decoupling and the NRST line (a programmer or the DTR/RTS wiring may pulse it); run " +
          "again: pages already holding the image are found and skipped",
      },
    );
    this.command = command;
  }
}

/** The device sent a byte that is neither ACK nor NACK where one was expected. */
export class UnexpectedReplyError extends DeviceError {
  constructor(command: number, phase: string, byte: number) {
    super(
      "E_PROTOCOL",
      `unexpected byte 0x${byte.toString(16).padStart(2, "0")} instead of ACK/NACK for ${
        commandName(command)
      } after the ${phase}`,
      { hint: "line noise, a wrong baud rate or parity, or the application (not the bootloader) is running" },
    );
  }
}

/** The bootloader did not list a command in its Get reply, so the host will not send it. */
export class UnsupportedCommandError extends DeviceError {
  /** The operation that needed it. */
  readonly operation: string;
  constructor(operation: string, wanted: readonly number[]) {
    const names = wanted.map(commandName).join(" or ");
    super("E_UNSUPPORTED", `this bootloader does not offer ${names}, needed for ${operation}`, {
      hint: "the Get command's list decides what the host may send; use another interface or operation",
    });
    this.operation = operation;
  }
}
