/**
 * Host side of the STM32 USART bootloader protocol (ST AN3155). Talks to any {@linkcode ByteStream}; knows
 * nothing of ports, chips or recipes. It adapts to the command list the device returns to Get and never sends a
 * command the device did not list.
 *
 * @module
 */

import { DeviceError } from "../../errors.ts";
import { type ByteStream, ReadTimeoutError } from "../../transport/byte_stream.ts";
import { ParityError } from "../../transport/parity.ts";
import { ACK, BUSY, Command, ExtendedEraseSpecial, MAX_TRANSFER, NACK, SYNC } from "./commands.ts";
import { addressFrame, commandFrame, withChecksum } from "./checksum.ts";
import { STM32_CRC_INIT, STM32_CRC_POLYNOMIAL } from "./stm32_crc.ts";
import {
  DesyncError,
  LineNoiseError,
  NackError,
  NoResponseError,
  ProtocolTimeoutError,
  UnexpectedReplyError,
  UnsupportedCommandError,
} from "./errors.ts";

/**
 * A gap in which no byte arrives that counts as a quiet line: several byte times even at 9600 baud (1.1 ms a
 * byte at 8E1), short against a sync attempt.
 */
const QUIET_GAP_MS = 20;

/** Timeouts and retries of the host. */
export interface UsartBootloaderOptions {
  /** Timeout for an ordinary reply byte, ms (AN3155 gives none; 1 s covers every documented command). */
  replyTimeoutMs?: number;
  /** Timeout for the reply to one sync byte, ms. */
  syncTimeoutMs?: number;
  /** Sync attempts before giving up with {@linkcode NoResponseError}. */
  syncAttempts?: number;
  /** Timeout of a mass erase, ms (F4 mass erase: 16 s typical, 32 s max, DS8626 Table 42). */
  massEraseTimeoutMs?: number;
  /** Timeout per page/sector of a page erase, ms (F4 128 KiB sector: 4 s max). */
  pageEraseTimeoutMs?: number;
  /** Time allowed for the device to reset and start its bootloader again after a protection change, ms. */
  resetTimeoutMs?: number;
}

/** The reply to Get (AN3155 §3.1). */
export interface GetReply {
  /** Bootloader protocol version, e.g. 0x22 for 2.2. */
  version: number;
  /** Command codes the device accepts. */
  commands: number[];
}

/** The reply to Get Version (AN3155 §3.2). */
export interface GetVersionReply {
  /** Bootloader protocol version. */
  version: number;
  /** The two option bytes the USART bootloader returns (0 on current parts). */
  optionBytes: [number, number];
}

/** What Extended Erase may erase at once besides numbered pages (AN3155 §3.8). */
export type SpecialErase = "mass" | "bank1" | "bank2";

/** Formats a bootloader version byte as `major.minor`, e.g. 0x31 -> `3.1`. */
export function formatBootloaderVersion(version: number): string {
  return `${version >> 4}.${version & 0x0f}`;
}

/** Host side of AN3155 over a byte stream. */
export class UsartBootloader {
  readonly #link: ByteStream;
  readonly #options: Required<UsartBootloaderOptions>;
  #commands: number[] | undefined;

  constructor(link: ByteStream, options: UsartBootloaderOptions = {}) {
    this.#link = link;
    this.#options = {
      replyTimeoutMs: options.replyTimeoutMs ?? 1000,
      syncTimeoutMs: options.syncTimeoutMs ?? 200,
      syncAttempts: options.syncAttempts ?? 5,
      massEraseTimeoutMs: options.massEraseTimeoutMs ?? 35_000,
      pageEraseTimeoutMs: options.pageEraseTimeoutMs ?? 5_000,
      resetTimeoutMs: options.resetTimeoutMs ?? 3_000,
    };
  }

  /** Commands listed by the last Get, or `undefined` before Get. */
  get commands(): readonly number[] | undefined {
    return this.#commands;
  }

  /**
   * Synchronises with the bootloader by sending 0x7F (AN3155 §2). An ACK means it measured the baud rate; a NACK
   * means an earlier session already synced it (the 0x7F was taken as a command byte and refused). When a single
   * 0x7F gets no reply it may have been taken as the first byte of a command; the next 0x7F completes that
   * "command" and draws a NACK, which also proves the device is listening.
   *
   * Bytes that are neither ACK nor NACK mean something else is talking: an application printing before the reset
   * took effect, a GPS on RX, a wrong baud rate. Then each attempt first waits (up to `syncTimeoutMs`) for the line
   * to fall quiet, so noise cannot use up every attempt in milliseconds, and an ACK counts only when no stray byte
   * follows it. When every attempt fails that way the error says bytes were arriving ({@linkcode LineNoiseError}).
   */
  async sync(): Promise<"synced" | "already-synced"> {
    const { syncAttempts, syncTimeoutMs } = this.#options;
    let strayBytes = 0;
    for (let attempt = 1; attempt <= syncAttempts; attempt++) {
      if (strayBytes > 0) {
        const heard = await this.#awaitQuiet(syncTimeoutMs);
        strayBytes += heard;
        if (!this.#quiet) continue;
      }
      await this.#link.discardInput();
      await this.#link.write(new Uint8Array([SYNC]));
      let reply: number;
      try {
        reply = (await this.#link.read(1, syncTimeoutMs))[0];
      } catch (error) {
        if (error instanceof ReadTimeoutError) continue;
        // A byte with a parity error is no reply: noise, or another speaker.
        if (error instanceof ParityError) {
          strayBytes++;
          continue;
        }
        throw error;
      }
      if (reply === ACK || reply === NACK) {
        // On a noisy line the byte may have been noise: a bootloader sends nothing more until asked.
        if (strayBytes > 0) {
          const after = await this.#awaitQuiet(QUIET_GAP_MS * 2);
          if (after > 0) {
            strayBytes += after + 1;
            continue;
          }
        }
        return reply === ACK ? "synced" : "already-synced";
      }
      strayBytes++;
    }
    if (strayBytes > 0) throw new LineNoiseError(syncAttempts, strayBytes);
    throw new NoResponseError(syncAttempts);
  }

  /** Whether the last {@linkcode #awaitQuiet} ended on a quiet line. */
  #quiet = true;

  /**
   * Reads and drops bytes until none arrives for {@linkcode QUIET_GAP_MS}, for at most `limitMs`; returns how many
   * arrived (and sets {@linkcode #quiet}).
   */
  async #awaitQuiet(limitMs: number): Promise<number> {
    const deadline = Date.now() + limitMs;
    let heard = 0;
    while (Date.now() < deadline) {
      try {
        await this.#link.read(1, Math.min(QUIET_GAP_MS, Math.max(1, deadline - Date.now())));
        heard++;
      } catch (error) {
        if (error instanceof ParityError) {
          heard++;
          continue;
        }
        if (!(error instanceof ReadTimeoutError)) throw error;
        this.#quiet = true;
        return heard;
      }
    }
    this.#quiet = false;
    return heard;
  }

  /** Get (0x00): bootloader version and the commands it accepts (AN3155 §3.1). */
  async get(): Promise<GetReply> {
    await this.#sendCommand(Command.Get);
    const count = await this.#readBytes(Command.Get, "command", 1);
    const body = await this.#readBytes(Command.Get, "length byte", count[0] + 1);
    await this.#expectAck(Command.Get, "command list");
    const reply = { version: body[0], commands: [...body.subarray(1)] };
    this.#commands = reply.commands;
    return reply;
  }

  /** Get Version (0x01): version and two option bytes (AN3155 §3.2). */
  async getVersion(): Promise<GetVersionReply> {
    this.#require("Get Version", Command.GetVersion);
    await this.#sendCommand(Command.GetVersion);
    const body = await this.#readBytes(Command.GetVersion, "command", 3);
    await this.#expectAck(Command.GetVersion, "version");
    return { version: body[0], optionBytes: [body[1], body[2]] };
  }

  /** Get ID (0x02): the product ID (AN3155 §3.3), e.g. 0x410. */
  async getId(): Promise<number> {
    this.#require("Get ID", Command.GetId);
    await this.#sendCommand(Command.GetId);
    const count = await this.#readBytes(Command.GetId, "command", 1);
    const pid = await this.#readBytes(Command.GetId, "length byte", count[0] + 1);
    await this.#expectAck(Command.GetId, "product ID");
    // The PID is the last two bytes, most significant first; longer replies are reserved for other buses.
    return (pid[pid.length - 2] << 8) | pid[pid.length - 1];
  }

  /** Read Memory (0x11): up to 256 bytes from `address` (AN3155 §3.4). */
  async readMemory(address: number, length: number): Promise<Uint8Array> {
    checkLength(length);
    this.#require("reading memory", Command.ReadMemory);
    await this.#sendCommand(Command.ReadMemory);
    await this.#link.write(addressFrame(address));
    await this.#expectAck(Command.ReadMemory, "address", hex(address));
    await this.#link.write(new Uint8Array([length - 1, (length - 1) ^ 0xff]));
    await this.#expectAck(Command.ReadMemory, "length", `${length} bytes`);
    return await this.#readBytes(Command.ReadMemory, "length", length);
  }

  /**
   * Write Memory (0x31): up to 256 bytes at `address` (AN3155 §3.6). The bootloader takes whole 32-bit words, so
   * the data is padded with 0xFF (the erased value, which leaves flash as it was) to a multiple of 4.
   */
  async writeMemory(address: number, data: Uint8Array): Promise<void> {
    checkLength(data.length);
    if (address % 4 !== 0) throw new RangeError(`Write Memory address ${hex(address)} is not word-aligned`);
    const command = this.#pick("writing memory", [Command.WriteMemory, Command.NoStretchWriteMemory]);
    const padded = new Uint8Array(Math.ceil(data.length / 4) * 4).fill(0xff);
    padded.set(data);
    await this.#sendCommand(command);
    await this.#link.write(addressFrame(address));
    await this.#expectAck(command, "address", hex(address));
    const frame = new Uint8Array(padded.length + 1);
    frame[0] = padded.length - 1;
    frame.set(padded, 1);
    await this.#link.write(withChecksum(frame));
    await this.#expectAck(command, "data", `${padded.length} bytes at ${hex(address)}`);
  }

  /**
   * Erases pages: numbered pages, or all of flash, with whichever of Erase (0x43, §3.7) or Extended Erase (0x44,
   * §3.8) the device listed. Bank erases need Extended Erase.
   */
  async erase(pages: readonly number[] | SpecialErase, timeoutMs?: number): Promise<void> {
    const command = this.#pick("erasing", [Command.ExtendedErase, Command.NoStretchErase, Command.Erase]);
    // The caller knows the chip and passes its datasheet's maximum (lib/chips/erase_times.ts); these defaults
    // serve callers that do not.
    const timeout = timeoutMs ??
      (typeof pages === "string"
        ? this.#options.massEraseTimeoutMs
        : this.#options.replyTimeoutMs + pages.length * this.#options.pageEraseTimeoutMs);
    await this.#sendCommand(command);
    if (command === Command.Erase) {
      if (pages === "bank1" || pages === "bank2") throw new UnsupportedCommandError(`${pages} erase`, [0x44]);
      if (pages === "mass") {
        await this.#link.write(new Uint8Array([0xff, 0x00]));
      } else {
        if (pages.length < 1 || pages.length > 256 || pages.some((p) => p > 0xff)) {
          throw new RangeError("Erase (0x43) takes 1 to 256 pages numbered below 256");
        }
        await this.#link.write(withChecksum([pages.length - 1, ...pages]));
      }
    } else if (typeof pages === "string") {
      const code = pages === "mass"
        ? ExtendedEraseSpecial.massErase
        : pages === "bank1"
        ? ExtendedEraseSpecial.bank1
        : ExtendedEraseSpecial.bank2;
      await this.#link.write(withChecksum([code >> 8, code & 0xff]));
    } else {
      if (pages.length < 1 || pages.length > 0xfff0) throw new RangeError("Extended Erase takes 1 to 65520 pages");
      const frame = [(pages.length - 1) >> 8, (pages.length - 1) & 0xff];
      for (const page of pages) frame.push(page >> 8, page & 0xff);
      await this.#link.write(withChecksum(frame));
    }
    const what = typeof pages === "string" ? `${pages} erase` : `${pages.length} page(s)`;
    await this.#expectAck(command, "page list", what, timeout);
  }

  /** Go (0x21): jump to the code at `address` (AN3155 §3.5). */
  async go(address: number): Promise<void> {
    this.#require("jumping to the application", Command.Go);
    await this.#sendCommand(Command.Go);
    await this.#link.write(addressFrame(address));
    await this.#expectAck(Command.Go, "address", hex(address));
  }

  /**
   * Get Checksum (0xA1): the CRC-32 the chip's CRC unit computes over `length` bytes at `address`, both multiples
   * of 4, framed as AN3155 Rev 20 §3.13 specifies: the command; the start address (4 bytes, MSB first, XOR); the
   * size of the area as a count of 32-bit words (4 bytes, MSB first, XOR); the CRC polynomial (4 bytes + XOR); the
   * CRC initial value (4 bytes + XOR) — each answered by ACK — then the CRC, 4 bytes, and its XOR byte.
   *
   * Where the note leaves room, what this host chose and why:
   * - the ACK after the initial value may come before or after the device computes the CRC; the host waits for it
   *   with the computation's timeout, so both readings work;
   * - the CRC comes most significant byte first, as every multi-byte value in AN3155 (addresses, sizes) does; a
   *   device sending it the other way round fails the comparison, never passes a wrong flash (it reads back then);
   * - no ACK precedes the CRC bytes: a leading 0x79 would be indistinguishable from a CRC byte, and the XOR byte
   *   that follows the CRC checks it;
   * - the polynomial and initial value sent are the CRC unit's reset values (0x04C11DB7, 0xFFFFFFFF; RM0008 §4),
   *   which lib/protocol/usart/stm32_crc.ts computes.
   */
  async getChecksum(address: number, length: number): Promise<number> {
    this.#require("checksums", Command.GetChecksum);
    if (address % 4 || length % 4 || length === 0) throw new RangeError("Get Checksum needs whole 32-bit words");
    // The CRC unit takes about a cycle per byte; the bus reads dominate. 1 s per 64 KiB is far above any part.
    const computeMs = this.#options.replyTimeoutMs + Math.ceil(length / 65536) * 1000;
    await this.#sendCommand(Command.GetChecksum);
    await this.#link.write(addressFrame(address));
    await this.#expectAck(Command.GetChecksum, "address", hex(address));
    await this.#link.write(addressFrame(length / 4));
    await this.#expectAck(Command.GetChecksum, "size", `${length / 4} words`);
    await this.#link.write(addressFrame(STM32_CRC_POLYNOMIAL));
    await this.#expectAck(Command.GetChecksum, "polynomial");
    await this.#link.write(addressFrame(STM32_CRC_INIT));
    await this.#expectAck(Command.GetChecksum, "initial value", undefined, computeMs);
    const reply = await this.#readBytes(Command.GetChecksum, "initial value", 5, computeMs);
    if ((reply[0] ^ reply[1] ^ reply[2] ^ reply[3]) !== reply[4]) {
      throw new UnexpectedReplyError(Command.GetChecksum, "checksum of the CRC", reply[4]);
    }
    return ((reply[0] << 24) | (reply[1] << 16) | (reply[2] << 8) | reply[3]) >>> 0;
  }

  /** Write Protect (0x63) for the given sectors; the device then resets (AN3155 §3.9). */
  async writeProtect(sectors: readonly number[]): Promise<void> {
    const command = this.#pick("write protection", [Command.WriteProtect, Command.NoStretchWriteProtect]);
    if (sectors.length < 1 || sectors.length > 256 || sectors.some((s) => s > 0xff)) {
      throw new RangeError("Write Protect takes 1 to 256 sectors numbered below 256");
    }
    await this.#sendCommand(command);
    await this.#link.write(withChecksum([sectors.length - 1, ...sectors]));
    await this.#expectAck(command, "sector list", `${sectors.length} sector(s)`);
    await this.resync();
  }

  /** Write Unprotect (0x73): removes write protection from all of flash; the device then resets (§3.10). */
  async writeUnprotect(): Promise<void> {
    await this.#twoAckCommand("removing write protection", [Command.WriteUnprotect, Command.NoStretchWriteUnprotect]);
  }

  /** Readout Protect (0x82): activates read protection (RDP level 1); the device then resets (§3.11). */
  async readoutProtect(): Promise<void> {
    await this.#twoAckCommand("read protection", [Command.ReadoutProtect, Command.NoStretchReadoutProtect]);
  }

  /**
   * Readout Unprotect (0x92): removes read protection, which mass-erases the flash; the device then resets
   * (§3.12).
   */
  async readoutUnprotect(massEraseTimeoutMs = this.#options.massEraseTimeoutMs): Promise<void> {
    await this.#twoAckCommand(
      "removing read protection",
      [Command.ReadoutUnprotect, Command.NoStretchReadoutUnprotect],
      massEraseTimeoutMs,
    );
  }

  async #twoAckCommand(operation: string, choices: number[], timeoutMs?: number): Promise<void> {
    const command = this.#pick(operation, choices);
    await this.#sendCommand(command);
    await this.#expectAck(command, "operation", undefined, timeoutMs);
    await this.resync();
  }

  /**
   * Waits for the bootloader to come back after a device reset (protection changes, option-byte writes: AN3155
   * §3.9-3.12) and syncs with it again.
   */
  async resync(): Promise<void> {
    const deadline = Date.now() + this.#options.resetTimeoutMs;
    let attempts = 0;
    while (Date.now() < deadline) {
      try {
        await this.sync();
        await this.get();
        return;
      } catch (error) {
        // Only silence is expected while the device restarts; anything else is a real failure.
        if (!(error instanceof NoResponseError)) throw error;
        attempts += this.#options.syncAttempts;
      }
    }
    throw new NoResponseError(attempts, " after the device reset (BOOT0 must stay high for the bootloader to return)");
  }

  #require(operation: string, command: number): void {
    this.#pick(operation, [command]);
  }

  /** The first of `choices` the device listed in its Get reply. */
  #pick(operation: string, choices: readonly number[]): number {
    const listed = this.#commands;
    if (listed === undefined) throw new Error(`call get() before ${operation}: the host only sends listed commands`);
    const found = choices.find((c) => listed.includes(c));
    if (found === undefined) throw new UnsupportedCommandError(operation, choices);
    return found;
  }

  async #sendCommand(command: number): Promise<void> {
    await this.#link.write(commandFrame(command));
    await this.#expectAck(command, "command");
  }

  async #expectAck(command: number, phase: string, detail?: string, timeoutMs?: number): Promise<void> {
    const wait = timeoutMs ?? this.#options.replyTimeoutMs;
    const deadline = Date.now() + wait;
    for (;;) {
      const [byte] = await this.#readBytes(command, phase, 1, Math.max(1, deadline - Date.now()), wait);
      if (byte === ACK) return;
      if (byte === NACK) throw await this.#explainNack(command, phase, detail);
      // No-stretch commands answer BUSY until done (AN3155 §3, "no-stretch" commands).
      if (byte !== BUSY) throw new UnexpectedReplyError(command, phase, byte);
    }
  }

  /**
   * What a NACK meant: a refusal, or a bootloader that restarted mid-command (a reset, a brown-out, a glitch on
   * NRST) and took the rest of the command for a sync byte and stray commands, NACKing them. A burst of replies
   * behind the NACK tells the second; otherwise one 0x7F does: a
   * bootloader waiting for a sync ACKs it (then it has restarted); one in its command loop takes it as the first
   * byte of a command and stays silent, and a second 0x7F completes that "command" and draws a NACK, leaving the
   * session as it was.
   */
  async #explainNack(command: number, phase: string, detail?: string): Promise<DeviceError> {
    const refused = new NackError(command, phase, detail);
    const probeMs = Math.min(this.#options.syncTimeoutMs, 100);
    try {
      // A refusal is one byte. More bytes right behind it are the bootloader answering bytes the host never sent
      // as commands: it restarted mid-command and took a 0x7F in the data for a sync.
      if (await this.#awaitQuiet(QUIET_GAP_MS * 2) > 0) return new DesyncError(command, phase);
      for (let probe = 0; probe < 2; probe++) {
        await this.#link.write(new Uint8Array([SYNC]));
        let reply: number;
        try {
          reply = (await this.#link.read(1, probeMs))[0];
        } catch (error) {
          if (error instanceof ReadTimeoutError) continue;
          throw error;
        }
        if (reply === NACK) return refused;
        if (reply === ACK && probe === 0) return new DesyncError(command, phase);
        break;
      }
    } catch (error) {
      if (!(error instanceof DeviceError)) throw error;
      return refused;
    }
    return new DesyncError(command, phase);
  }

  async #readBytes(
    command: number,
    phase: string,
    length: number,
    timeoutMs = this.#options.replyTimeoutMs,
    reportedTimeoutMs = timeoutMs,
  ): Promise<Uint8Array> {
    try {
      return await this.#link.read(length, timeoutMs);
    } catch (error) {
      if (error instanceof ReadTimeoutError) throw new ProtocolTimeoutError(command, phase, reportedTimeoutMs, error);
      throw error;
    }
  }
}

function checkLength(length: number): void {
  if (!Number.isInteger(length) || length < 1 || length > MAX_TRANSFER) {
    throw new RangeError(`a transfer is 1 to ${MAX_TRANSFER} bytes, not ${length}`);
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}
