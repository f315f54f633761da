/**
 * {@linkcode Target} over the USART bootloader: connects (sync, Get, Get ID), resolves the chip, and turns the
 * step-level operations into AN3155 commands of at most 256 bytes.
 *
 * @module
 */

import { massEraseTimeoutMs, pageEraseTimeoutMs } from "../chips/erase_times.ts";
import { formatPid } from "../chips/database.ts";
import { resolveChip } from "../chips/generic.ts";
import { flashPages } from "../chips/layout.ts";
import { FLASH_SIZE_BYTES, signatureArea, uniqueIdFromSpan, uniqueIdSpan } from "../chips/signature_area.ts";
import type { ChipInfo } from "../chips/types.ts";
import { DeviceError } from "../errors.ts";
import {
  formatBootloaderVersion,
  type GetReply,
  UsartBootloader,
  type UsartBootloaderOptions,
} from "../protocol/usart/bootloader.ts";
import { Command, commandName, MAX_TRANSFER } from "../protocol/usart/commands.ts";
import { NackError, ProtocolTimeoutError, UnexpectedReplyError } from "../protocol/usart/errors.ts";
import type { ByteStream } from "../transport/byte_stream.ts";
import type { EraseRequest, ProgressCallback, ProtectionRequest, Target, TargetIdentity } from "./target.ts";

/** Options of {@linkcode connectUsart}. */
export interface UsartConnectOptions extends UsartBootloaderOptions {
  /** Called with notices worth showing the user (e.g. an unknown product ID). */
  warn?: (message: string) => void;
}

/** A chip in its USART bootloader. */
export class UsartTarget implements Target {
  /** Identity read at connect time. */
  readonly identity: TargetIdentity;
  /** The protocol host, for commands no step wraps. */
  readonly bootloader: UsartBootloader;
  readonly #link: ByteStream;

  constructor(link: ByteStream, bootloader: UsartBootloader, identity: TargetIdentity) {
    this.#link = link;
    this.bootloader = bootloader;
    this.identity = identity;
  }

  /** Link faults this session recovered from (a read retried, a session synced again), for step results. */
  recoveries = 0;

  async readMemory(address: number, length: number, progress?: ProgressCallback): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const n = Math.min(MAX_TRANSFER, length - done);
      out.set(await this.#retrying(() => this.bootloader.readMemory(address + done, n)), done);
      done += n;
      progress?.(done, length);
    }
    return out;
  }

  /**
   * Runs a command that changes nothing on the chip (a read, a checksum) and runs it again, up to
   * {@linkcode READ_RETRIES} times, after a transient link fault: a reply that timed out or came back garbled,
   * once the session is back in sync. A refusal (NACK, as under read protection) is an answer, not a fault.
   */
  async #retrying<T>(command: () => Promise<T>): Promise<T> {
    for (let attempt = 0;; attempt++) {
      try {
        return await command();
      } catch (error) {
        if (attempt >= READ_RETRIES || !isTransient(error)) throw error;
        await this.recover();
      }
    }
  }

  /**
   * Brings the session back after a link fault (a reply lost or garbled, the chip reset): waits for the line to
   * settle, syncs again and re-reads the command list. Counts in {@linkcode recoveries}.
   */
  async recover(): Promise<void> {
    this.recoveries++;
    await this.bootloader.resync();
  }

  async writeMemory(address: number, data: Uint8Array, progress?: ProgressCallback): Promise<void> {
    // Write Memory takes word-aligned addresses: start on a word boundary, padding the head with 0xFF, which
    // programs nothing (AN3155 §3.6).
    const head = address % 4;
    const aligned = new Uint8Array(head + data.length).fill(0xff);
    aligned.set(data, head);
    const start = address - head;
    for (let done = 0; done < aligned.length;) {
      const n = Math.min(MAX_TRANSFER, aligned.length - done);
      const chunk = aligned.subarray(done, done + n);
      // Erased flash already reads 0xFF, and programming 0xFF changes nothing: skip such chunks entirely.
      if (!chunk.every((b) => b === 0xff)) await this.bootloader.writeMemory(start + done, chunk);
      done += n;
      progress?.(Math.max(0, done - head), data.length);
    }
  }

  async erase(request: EraseRequest, progress?: ProgressCallback): Promise<void> {
    const { chip, flashSize } = this.identity;
    if (request.kind === "all") {
      await this.bootloader.erase("mass", massEraseTimeoutMs(chip));
      progress?.(1, 1);
      return;
    }
    const sizes = new Map(flashPages(chip, flashSize).map((page) => [page.index, page.size]));
    // Erase (0x43) takes up to 256 page numbers below 256 per command; Extended Erase far more. Batches keep each
    // command's duration (and so its timeout) bounded.
    const batch = 32;
    const pages = [...request.pages].sort((a, b) => a - b);
    for (let i = 0; i < pages.length; i += batch) {
      const slice = pages.slice(i, i + batch);
      // The datasheet's maximum for exactly these pages, with margin (lib/chips/erase_times.ts).
      const timeout = pageEraseTimeoutMs(chip, slice.map((index) => sizes.get(index) ?? 0));
      await this.bootloader.erase(slice, timeout);
      progress?.(Math.min(i + batch, pages.length), pages.length);
    }
  }

  async checksum(address: number, length: number): Promise<number | undefined> {
    if (!this.bootloader.commands?.includes(Command.GetChecksum)) return undefined;
    return await this.#retrying(() => this.bootloader.getChecksum(address, length));
  }

  async protect(request: ProtectionRequest): Promise<void> {
    switch (request.kind) {
      case "readout-protect":
        return await this.bootloader.readoutProtect();
      case "readout-unprotect":
        return await this.bootloader.readoutUnprotect(massEraseTimeoutMs(this.identity.chip));
      case "write-protect":
        return await this.bootloader.writeProtect(request.pages);
      case "write-unprotect":
        return await this.bootloader.writeUnprotect();
    }
  }

  async readOptionBytes(): Promise<Uint8Array> {
    const { address, size } = this.identity.chip.optionBytes;
    return await this.readMemory(address, size);
  }

  async writeOptionBytes(data: Uint8Array): Promise<void> {
    const { address, size } = this.identity.chip.optionBytes;
    if (data.length !== size) throw new RangeError(`the option-byte area is ${size} bytes, not ${data.length}`);
    // One Write Memory to the option area: the bootloader programs it and resets the chip (AN3155 §3.6).
    await this.bootloader.writeMemory(address, data);
    await this.bootloader.resync();
  }

  async go(address: number): Promise<void> {
    await this.bootloader.go(address);
  }

  /** Ends the session. The link belongs to whoever opened it (the board connector) and stays open. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Connects to a bootloader on `link`: sync, Get, Get ID; then reads the flash-size register and unique ID where
 * the chip has them and read protection allows, with a single Read Memory where they lie close together.
 */
export async function connectUsart(link: ByteStream, options: UsartConnectOptions = {}): Promise<UsartTarget> {
  const bootloader = new UsartBootloader(link, options);
  await bootloader.sync();
  const { get, pid } = await identify(bootloader);
  const resolved = resolveChip(pid);
  if (resolved.warning) options.warn?.(resolved.warning);
  const chip = resolved.chip;
  if (resolved.known) checkCommandList(chip, pid, get.commands);
  let flashSize = chip.flash.maxSize;
  let uniqueId: string | undefined;
  let readProtected = false;
  try {
    const { sizeRegister, uniqueIdBytes } = await readSignatureRetrying(bootloader, chip);
    if (sizeRegister) {
      const kib = sizeRegister[0] | (sizeRegister[1] << 8);
      if (kib > 0 && kib !== 0xffff) {
        if (resolved.known) checkFlashSize(chip, pid, kib * 1024);
        flashSize = Math.min(kib * 1024, chip.flash.maxSize);
      }
    }
    if (uniqueIdBytes) uniqueId = [...uniqueIdBytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  } catch (error) {
    // Read protection NACKs these reads; the rest of the session can still unprotect or erase.
    if (!(error instanceof NackError)) throw error;
    readProtected = true;
    options.warn?.("the chip is read-protected: flash size and unique ID could not be read");
  }
  if (flashPages(chip, flashSize).length === 0) {
    throw new DeviceError("E_CHIP", `the ${chip.name} reports no flash`, { hint: "check the chip database entry" });
  }
  return new UsartTarget(link, bootloader, {
    transport: "usart",
    pid,
    chip,
    bootloaderVersion: formatBootloaderVersion(get.version),
    commands: get.commands.map(commandName),
    flashSize,
    uniqueId,
    readProtected,
  });
}

/**
 * Get and Get ID, once more after a transient fault (a reply byte with a parity error, a lost reply): the session
 * is synced again first. A refusal is an answer and ends it.
 */
async function identify(bootloader: UsartBootloader): Promise<{ get: GetReply; pid: number }> {
  for (let attempt = 0;; attempt++) {
    try {
      const get = await bootloader.get();
      return { get, pid: await bootloader.getId() };
    } catch (error) {
      if (attempt >= READ_RETRIES || !isTransient(error) || error instanceof NackError) throw error;
      await bootloader.resync();
    }
  }
}

/** {@linkcode readSignature}, once more after a transient link fault (a refusal is read protection: thrown). */
async function readSignatureRetrying(bootloader: UsartBootloader, chip: ChipInfo): Promise<SignatureBytes> {
  for (let attempt = 0;; attempt++) {
    try {
      return await readSignature(bootloader, chip);
    } catch (error) {
      if (attempt >= READ_RETRIES || !isTransient(error) || error instanceof NackError) throw error;
      await bootloader.resync();
    }
  }
}

/** Retries of a read or checksum after a transient link fault. */
const READ_RETRIES = 2;

/** Whether `error` is a link fault worth a retry once the session is back in sync (not a refusal). */
function isTransient(error: unknown): boolean {
  return error instanceof ProtocolTimeoutError || error instanceof UnexpectedReplyError ||
    (error instanceof DeviceError && ["E_DEVICE_RESET", "E_PARITY", "E_NACK"].includes(error.code));
}

/**
 * The replies of one session must tell one story. A product ID is two bytes with no checksum (AN3155 §3.3): one
 * flipped bit turns a 0x410 into a 0x414 and with it the page size, and erasing by the wrong numbering destroys
 * pages the host thinks it left alone. So what else the chip says is checked against the chip the ID names, and
 * a contradiction stops the session before anything is erased.
 */
function contradiction(pid: number, chip: ChipInfo, what: string): DeviceError {
  return new DeviceError(
    "E_IDENTITY",
    `the chip's replies contradict each other: product ID ${formatPid(pid)} (${chip.name}) but ${what}`,
    {
      hint: "a reply was corrupted on the line (noise, a wrong baud rate or parity) or the part is not what it " +
        "claims; nothing was erased. Check the wiring and run again",
    },
  );
}

const ERASE_COMMANDS: readonly number[] = [Command.Erase, Command.ExtendedErase, Command.NoStretchErase];

/** The Get list offers the erase command the product's bootloader has (AN2606; Erase below V3.0, else Extended). */
function checkCommandList(chip: ChipInfo, pid: number, commands: readonly number[]): void {
  const erases = chip.eraseCommand === Command.Erase
    ? [Command.Erase]
    : [Command.ExtendedErase, Command.NoStretchErase];
  if (!erases.some((code) => commands.includes(code))) {
    const listed = commands.filter((c) => ERASE_COMMANDS.includes(c));
    throw contradiction(
      pid,
      chip,
      `its bootloader lists ${listed.length ? listed.map(commandName).join(" and ") : "no erase command"}, not ` +
        commandName(chip.eraseCommand),
    );
  }
}

/** The flash-size register lies within the product's range (the database's `minSize` to `maxSize`). */
function checkFlashSize(chip: ChipInfo, pid: number, bytes: number): void {
  const min = chip.flash.minSize ?? 0;
  if (bytes > chip.flash.maxSize || bytes < min) {
    const range = `${min ? `${min / 1024}-` : "up to "}${chip.flash.maxSize / 1024} KiB`;
    throw contradiction(pid, chip, `its flash-size register says ${bytes / 1024} KiB (that product has ${range})`);
  }
}

/**
 * Longest span read in one Read Memory to get the flash-size register and the unique ID together; farther apart,
 * two reads. A second Read Memory costs 9 bytes out, 3 ACKs in and 3 reply turnarounds (AN3155 §3.4): at
 * 115200 baud, 11 bits a byte, that is ~1.1 ms of wire plus ~3 ms behind a USB-serial adapter (1 ms latency
 * timer), the wire time of ~43 bytes, before any host overhead. The single read carries the span minus the 14
 * bytes both reads fetch anyway, so it is the cheaper one up to a span of ~57 bytes on the wire alone and more
 * once host overhead counts; 64 is the round figure. (Every merged family in the database spans 36 bytes or
 * less; the next nearest, G0/G4/L4/WB/WL/L5, spans 82.)
 */
export const SIGNATURE_SPAN_LIMIT = 64;

/** The flash-size register and unique ID as read, each absent where the chip has none. */
interface SignatureBytes {
  sizeRegister?: Uint8Array;
  uniqueIdBytes?: Uint8Array;
}

/**
 * Reads the flash-size register and unique ID: with one Read Memory over both where they lie in the same
 * signature block within {@linkcode SIGNATURE_SPAN_LIMIT} bytes ({@linkcode signatureArea}), else one each.
 * A NACK (read protection) propagates, as from either single read.
 */
async function readSignature(bootloader: UsartBootloader, chip: ChipInfo): Promise<SignatureBytes> {
  const sizeAt = chip.flash.sizeRegister;
  const uidAt = chip.uniqueIdAddress;
  const uidSpan = uniqueIdSpan(chip);
  if (sizeAt !== undefined && uidAt !== undefined && signatureArea(chip)) {
    const start = Math.min(sizeAt, uidAt);
    const end = Math.max(sizeAt + FLASH_SIZE_BYTES, uidAt + uidSpan);
    if (end - start <= Math.min(SIGNATURE_SPAN_LIMIT, MAX_TRANSFER)) {
      const span = await bootloader.readMemory(start, end - start);
      return {
        sizeRegister: span.slice(sizeAt - start, sizeAt - start + FLASH_SIZE_BYTES),
        uniqueIdBytes: uniqueIdFromSpan(chip, span.subarray(uidAt - start)),
      };
    }
  }
  const sizeRegister = sizeAt === undefined ? undefined : await bootloader.readMemory(sizeAt, FLASH_SIZE_BYTES);
  const uniqueIdBytes = uidAt === undefined
    ? undefined
    : uniqueIdFromSpan(chip, await bootloader.readMemory(uidAt, uidSpan));
  return { sizeRegister, uniqueIdBytes };
}
