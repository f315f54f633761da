/**
 * Device side of the STM32 USART bootloader protocol (ST AN3155), serving a {@linkcode SimulatedChip} over any
 * {@linkcode ByteStream}: an in-memory pipe for tests and `--simulate`, or a pseudo-terminal for `sim usart`,
 * where unmodified hosts such as stm32flash talk to it.
 *
 * @module
 */

import { type ByteStream, StreamClosedError } from "../transport/byte_stream.ts";
import { ACK, Command, MAX_TRANSFER, NACK, SYNC } from "../protocol/usart/commands.ts";
import { xorChecksum } from "../protocol/usart/checksum.ts";
import { stm32Crc } from "../protocol/usart/stm32_crc.ts";
import { FaultSchedule, type FaultSpec } from "./faults.ts";
import { seededBytes } from "./seeded_random.ts";
import { AccessError, type ResetCause, type SimulatedChip } from "./sim_chip.ts";
import { familyTiming, INSTANT, type SimClock, typicalTiming, uartTransferMs } from "./timing.ts";

/** Longest a read waits on the device side: the ROM waits forever; this is the largest timer value. */
const FOREVER_MS = 2 ** 31 - 1;

/** What the simulated bootloader is doing. */
export type UsartDeviceState = "awaiting-sync" | "command-loop" | "application" | "reset";

/**
 * Faults to inject, for tests of the host's error handling only: a real bootloader does none of this on purpose,
 * but line noise, resets and power loss do it to real hosts.
 */
export interface UsartFaults {
  /** Answer this command's command frame with these bytes instead of ACK (garbage in a reply). */
  garbleReplyTo?: { command: number; bytes: number[] };
  /** Reset after ACKing this command's command frame: the rest of the command is lost, a new sync is needed. */
  resetDuring?: number;
  /** Never answer anything, as a board without power or with BOOT0 low. */
  silent?: boolean;
}

/** Options of {@linkcode UsartBootloaderDevice}. */
export interface UsartDeviceOptions {
  /** Clock for link and flash timing; {@linkcode INSTANT} (the default) takes no time. */
  clock?: SimClock;
  /** Baud rate for byte timing, or a function giving the current one (a pty follows what its host set). */
  baudRate?: number | (() => number);
  /** Bits per frame for byte timing (11 for 8E1). */
  bitsPerByte?: number;
  /**
   * USB-serial adapter turnaround latency, ms, paid each time the traffic turns from host-to-device to
   * device-to-host: the reply waits in the adapter for its latency timer (see `ADAPTER_LATENCY_MS`). Host-to-device
   * bytes leave on the next USB frame, so the other turn costs nothing extra here. Default 0.
   */
  turnaroundMs?: number;
  /** Called on every reset; returns whether the bootloader starts again (BOOT0 high). Default: it does. */
  onReset?: (cause: ResetCause) => boolean;
  /** Called when Go starts the application. */
  onGo?: (address: number) => void;
  /** Faults to inject (tests only). */
  faults?: UsartFaults;
  /** Faults to inject, in the shared spec (lib/sim/faults.ts): tests and `sim usart --fault`. */
  inject?: readonly FaultSpec[];
  /**
   * Whether the link carries the UART's even parity to the host (default: where the link can, the in-memory
   * pipe). A one-bit corruption of a reply byte then arrives with a parity error, as on a real 8E1 line; without
   * it (a pty, which drops parity; `false` here) the corruption arrives silently.
   */
  lineParity?: boolean;
}

/** A link that can deliver bytes flagged with a parity error (the in-memory pipe). */
interface ParityLink extends ByteStream {
  writeWithLineErrors(data: Uint8Array, errorOffsets: readonly number[]): Promise<void>;
}

function carriesParity(link: ByteStream): link is ParityLink {
  return typeof (link as Partial<ParityLink>).writeWithLineErrors === "function";
}

/**
 * The fault points of the USART device (`FaultSpec.at`): each command by name, and `sync`. The erase commands
 * 0x43, 0x44 and 0x45 are all `erase`.
 */
export const USART_FAULT_POINTS: Readonly<Record<number, string>> = {
  [Command.Get]: "get",
  [Command.GetVersion]: "get-version",
  [Command.GetId]: "get-id",
  [Command.ReadMemory]: "read-memory",
  [Command.Go]: "go",
  [Command.WriteMemory]: "write-memory",
  [Command.NoStretchWriteMemory]: "write-memory",
  [Command.Erase]: "erase",
  [Command.ExtendedErase]: "erase",
  [Command.NoStretchErase]: "erase",
  [Command.WriteProtect]: "write-protect",
  [Command.NoStretchWriteProtect]: "write-protect",
  [Command.WriteUnprotect]: "write-unprotect",
  [Command.NoStretchWriteUnprotect]: "write-unprotect",
  [Command.ReadoutProtect]: "readout-protect",
  [Command.NoStretchReadoutProtect]: "readout-protect",
  [Command.ReadoutUnprotect]: "readout-unprotect",
  [Command.NoStretchReadoutUnprotect]: "readout-unprotect",
  [Command.GetChecksum]: "get-checksum",
};

/** Waits real time, whatever the simulation clock: a slow erase or noise must be slow for the host too. */
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Thrown inside the serve loop when a reset or boot-mode change cuts a command short. */
class Interrupted extends Error {}

/** The simulated ROM bootloader on a USART. */
export class UsartBootloaderDevice {
  /** The chip being served. */
  readonly chip: SimulatedChip;
  readonly #link: ByteStream;
  readonly #clock: SimClock;
  readonly #baudRate: () => number;
  readonly #bitsPerByte: number;
  readonly #turnaroundMs: number;
  /** Whether the last traffic went from the host to the device (so the next reply turns the line around). */
  #hostSpokeLast = true;
  readonly #onReset: (cause: ResetCause) => boolean;
  readonly #onGo?: (address: number) => void;
  readonly #faults: UsartFaults;
  readonly #schedule: FaultSchedule;
  readonly #lineParity: boolean;
  /** Offsets of the bytes of the reply being sent that were corrupted (a flipped bit breaks even parity). */
  #corrupted: number[] = [];
  /** The reply faults due in the command being served, and the bytes sent in it so far. */
  #replyFaults: FaultSpec[] = [];
  #sentInCommand = 0;
  /** Reset once this many bytes of the command were sent (the reset fault's `byte`). */
  #resetAfter: number | undefined;
  /** Whether the noise-before-sync fault has played. */
  #noiseDone = false;
  #state: UsartDeviceState = "awaiting-sync";
  /** Bumped on every reset or boot-mode change; a command started in an older generation is abandoned. */
  #generation = 0;
  #servingGeneration = 0;
  /** Bytes read by an abandoned command, to be seen again by the new state. */
  #pushback: number[] = [];

  constructor(chip: SimulatedChip, link: ByteStream, options: UsartDeviceOptions = {}) {
    this.chip = chip;
    this.#link = link;
    this.#clock = options.clock ?? INSTANT;
    const baud = options.baudRate ?? 115200;
    this.#baudRate = typeof baud === "number" ? () => baud : baud;
    this.#bitsPerByte = options.bitsPerByte ?? 11;
    this.#turnaroundMs = options.turnaroundMs ?? 0;
    this.#onReset = options.onReset ?? (() => true);
    this.#onGo = options.onGo;
    this.#faults = options.faults ?? {};
    this.#schedule = new FaultSchedule(options.inject ?? []);
    this.#lineParity = (options.lineParity ?? true) && carriesParity(link);
    this.#applyStuckBits();
  }

  /** Current state. */
  get state(): UsartDeviceState {
    return this.#state;
  }

  /** Serves the link until it is closed. */
  async serve(): Promise<void> {
    try {
      for (;;) {
        this.#servingGeneration = this.#generation;
        try {
          if (this.#state === "awaiting-sync") await this.#awaitSync();
          else if (this.#state === "command-loop") await this.#command();
          else await this.#receive(1); // In reset or in the application, bootloader traffic is ignored.
        } catch (error) {
          if (!(error instanceof Interrupted)) throw error;
        }
      }
    } catch (error) {
      if (error instanceof StreamClosedError) return;
      throw error;
    }
  }

  /** Starts the bootloader afresh, as after a reset with BOOT0 high. */
  restart(): void {
    this.#enter("awaiting-sync");
  }

  /** Holds the chip in reset (NRST low): nothing answers. */
  hold(): void {
    this.#enter("reset");
  }

  /** Starts the application, as after a reset with BOOT0 low. */
  runApplication(): void {
    this.#enter("application");
  }

  #enter(state: UsartDeviceState): void {
    this.#state = state;
    this.#generation++;
  }

  async #awaitSync(): Promise<void> {
    if (!this.#noiseDone) {
      this.#noiseDone = true;
      const noise = this.#schedule.take("noise-before-sync", "sync");
      if (noise) {
        // The application is still running when the host starts talking (on a pty: once a host has opened it):
        // its first byte goes unanswered and the noise begins.
        await this.#receive(1);
        await this.#emitNoise(noise);
      }
    }
    // Until the baud rate is measured the bootloader ignores everything but 0x7F (AN3155 §2).
    const [byte] = await this.#receive(1);
    if (byte === SYNC) {
      await this.#send([ACK]);
      this.#state = "command-loop";
    }
  }

  async #command(): Promise<void> {
    const [code] = await this.#receive(1);
    const [complement] = await this.#receive(1);
    this.#sentInCommand = 0;
    this.#resetAfter = undefined;
    this.#replyFaults = [];
    const listed = this.chip.part.usart.commands.includes(code);
    if ((code ^ complement) !== 0xff || !listed) return this.#nack();
    const point = USART_FAULT_POINTS[code] ?? "unknown";
    this.#replyFaults = [
      this.#schedule.take("corrupt-reply", point),
      this.#schedule.take("drop-reply", point),
    ].filter((f): f is FaultSpec => f !== undefined);
    const { garbleReplyTo, resetDuring } = this.#faults;
    if (garbleReplyTo?.command === code) return this.#send(garbleReplyTo.bytes);
    if (this.#schedule.take("nack-once", point)) return this.#nack();
    if (this.#schedule.take("hang-up", point)) {
      // The adapter is unplugged: nothing more arrives at the host, and its next read or write fails.
      await this.#link.close();
      return;
    }
    const reset = this.#schedule.take("reset", point);
    if (reset && (reset.byte ?? 1) > 1) {
      // Reset once the command has sent that many bytes (2: after the address ACK of a write), in the middle of
      // the command: what the host sends next reaches a bootloader that waits for a sync.
      this.#resetAfter = reset.byte ?? 1;
    } else if (resetDuring === code || reset) {
      await this.#send([ACK]);
      // The reset loses whatever the host sends next until it syncs again.
      await this.#link.discardInput();
      this.chip.reset("fault");
      this.#state = "awaiting-sync";
      return;
    }
    switch (code) {
      case Command.Get:
        return this.#send([
          ACK,
          this.chip.part.usart.commands.length,
          this.chip.part.usart.version,
          ...this.chip.part.usart.commands,
          ACK,
        ]);
      case Command.GetVersion:
        return this.#send([ACK, this.chip.part.usart.version, 0x00, 0x00, ACK]);
      case Command.GetId:
        return this.#send([ACK, 0x01, this.chip.part.chip.pid >> 8, this.chip.part.chip.pid & 0xff, ACK]);
      case Command.ReadMemory:
        return this.#readMemory();
      case Command.WriteMemory:
      case Command.NoStretchWriteMemory:
        return this.#writeMemory();
      case Command.Erase:
        return this.#erase();
      case Command.ExtendedErase:
      case Command.NoStretchErase:
        return this.#extendedErase();
      case Command.Go:
        return this.#go();
      case Command.WriteProtect:
      case Command.NoStretchWriteProtect:
        return this.#writeProtect();
      case Command.WriteUnprotect:
      case Command.NoStretchWriteUnprotect:
        return this.#protectionCommand(() => this.chip.writeUnprotect(), true);
      case Command.ReadoutProtect:
      case Command.NoStretchReadoutProtect:
        return this.#protectionCommand(() => this.chip.readoutProtect(), false);
      case Command.ReadoutUnprotect:
      case Command.NoStretchReadoutUnprotect:
        return this.#protectionCommand(() => this.chip.readoutUnprotect(), false, this.#massEraseMs());
      case Command.GetChecksum:
        return this.#getChecksum();
      default:
        return this.#nack();
    }
  }

  /** AN3155 §3.4: NACK at once under read protection; then address, then length. */
  async #readMemory(): Promise<void> {
    if (this.chip.readProtected) return this.#nack();
    await this.#send([ACK]);
    const address = await this.#receiveAddress();
    if (address === undefined) return this.#nack();
    if (!this.#readable(address, 1)) return this.#nack();
    await this.#send([ACK]);
    const [count, complement] = await this.#receive(2);
    if ((count ^ complement) !== 0xff || !this.#readable(address, count + 1)) return this.#nack();
    const data = this.chip.read(address, count + 1);
    await this.#send([ACK, ...data]);
  }

  /** AN3155 §3.6: address, then N-1, data and checksum; programming happens before the final ACK. */
  async #writeMemory(): Promise<void> {
    if (this.chip.readProtected) return this.#nack();
    await this.#send([ACK]);
    const address = await this.#receiveAddress();
    if (address === undefined || address % 4 !== 0 || !this.#writable(address)) return this.#nack();
    await this.#send([ACK]);
    const [count] = await this.#receive(1);
    const data = await this.#receive(count + 1);
    const [checksum] = await this.#receive(1);
    if ((xorChecksum(data) ^ count) !== checksum || count + 1 > MAX_TRANSFER) return this.#nack();
    if (this.#faultProtected(address, data.length)) return this.#nack();
    let reset: ResetCause | undefined;
    if (!this.#schedule.take("skip-write", "write-memory")) {
      try {
        reset = this.chip.write(address, data);
      } catch (error) {
        if (error instanceof AccessError) return this.#nack();
        throw error;
      }
      this.#applyStuckBits();
    }
    await this.#clock.sleep(this.#programMs(data.length));
    await this.#send([ACK]);
    if (reset) this.#afterReset(reset);
  }

  /** AN3155 §3.7: 0xFF 0x00 erases everything; otherwise N-1, page numbers, checksum. */
  async #erase(): Promise<void> {
    if (this.chip.readProtected) return this.#nack();
    await this.#send([ACK]);
    const [count] = await this.#receive(1);
    if (count === 0xff) {
      const [checksum] = await this.#receive(1);
      if (checksum !== 0x00) return this.#nack();
      return this.#eraseAndReply("all");
    }
    const pages = await this.#receive(count + 1);
    const [checksum] = await this.#receive(1);
    if ((xorChecksum(pages) ^ count) !== checksum) return this.#nack();
    return this.#eraseAndReply([...pages]);
  }

  /** AN3155 §3.8: two-byte N-1 (0xFFFF/0xFFFE/0xFFFD special), two-byte page numbers, checksum. */
  async #extendedErase(): Promise<void> {
    if (this.chip.readProtected) return this.#nack();
    await this.#send([ACK]);
    const head = await this.#receive(2);
    const count = (head[0] << 8) | head[1];
    if (count >= 0xfff0) {
      const [checksum] = await this.#receive(1);
      if ((head[0] ^ head[1]) !== checksum) return this.#nack();
      if (count === 0xffff) return this.#eraseAndReply("all");
      const bank = count === 0xfffe ? 0 : count === 0xfffd ? 1 : -1;
      const banks = this.chip.part.chip.flash.banks;
      if (bank < 0 || bank >= banks.length) return this.#nack();
      const pages = this.chip.flash.pages.filter((p) => p.bank === banks[bank].name).map((p) => p.index);
      return this.#eraseAndReply(pages);
    }
    const body = await this.#receive((count + 1) * 2);
    const [checksum] = await this.#receive(1);
    if ((xorChecksum(head) ^ xorChecksum(body)) !== checksum) return this.#nack();
    const pages: number[] = [];
    for (let i = 0; i < body.length; i += 2) pages.push((body[i] << 8) | body[i + 1]);
    return this.#eraseAndReply(pages);
  }

  async #eraseAndReply(pages: number[] | "all"): Promise<void> {
    const protectedPages = this.#protectedPages();
    const listed = pages === "all" ? this.chip.flash.pages.map((p) => p.index) : pages;
    if (listed.some((index) => protectedPages.has(index))) return this.#nack();
    try {
      if (pages === "all") this.chip.massErase();
      else this.chip.erasePages(pages);
    } catch (error) {
      if (error instanceof AccessError) return this.#nack();
      throw error;
    }
    this.#applyStuckBits();
    const timing = this.#timing();
    const ms = pages === "all"
      ? timing.massEraseMs
      : pages.reduce((sum, index) => sum + timing.eraseMs(this.chip.flash.pages[index]?.size ?? 0), 0);
    const slow = this.#schedule.take("slow-erase", "erase");
    // A slow erase takes real time, so that the host's timeout meets it; the datasheet time stays simulated.
    if (slow) await realSleep(ms * (slow.factor ?? 3));
    else await this.#clock.sleep(ms);
    await this.#send([ACK]);
  }

  /** AN3155 §3.5: the address must hold code (flash or SRAM); then the application runs. */
  async #go(): Promise<void> {
    if (this.chip.readProtected) return this.#nack();
    await this.#send([ACK]);
    const address = await this.#receiveAddress();
    const { chip } = this.chip.part;
    const executable = address !== undefined &&
      (this.chip.flash.contains(address) || (address >= chip.ram.base && address < chip.ram.base + chip.ram.size));
    if (!executable) return this.#nack();
    await this.#send([ACK]);
    this.#state = "application";
    this.#onGo?.(address);
  }

  /** AN3155 §3.9: N-1, sector codes, checksum; then the option bytes change and the device resets. */
  async #writeProtect(): Promise<void> {
    if (this.chip.readProtected) return this.#nack();
    await this.#send([ACK]);
    const [count] = await this.#receive(1);
    const sectors = await this.#receive(count + 1);
    const [checksum] = await this.#receive(1);
    if ((xorChecksum(sectors) ^ count) !== checksum) return this.#nack();
    let cause: ResetCause;
    try {
      cause = this.chip.writeProtect([...sectors]);
    } catch (error) {
      if (error instanceof AccessError) return this.#nack();
      throw error;
    }
    await this.#send([ACK]);
    this.#afterReset(cause);
  }

  /** AN3155 §3.10-3.12: ACK, the operation, a second ACK, then a system reset. */
  async #protectionCommand(operation: () => ResetCause, refusedUnderRdp: boolean, extraMs = 0): Promise<void> {
    if (refusedUnderRdp && this.chip.readProtected) return this.#nack();
    await this.#send([ACK]);
    const cause = operation();
    await this.#clock.sleep(extraMs);
    await this.#send([ACK]);
    this.#afterReset(cause);
  }

  /**
   * Get Checksum as AN3155 Rev 20 §3.13 specifies: start address, size in 32-bit words, CRC polynomial and CRC
   * initial value, each 4 bytes MSB first with an XOR byte and each ACKed; then the CRC, MSB first, and its XOR.
   * The ACK after the initial value is sent once the CRC is computed (the note's figure reads either way; the
   * host waits for it with the computation's timeout).
   */
  async #getChecksum(): Promise<void> {
    if (this.chip.readProtected) return this.#nack();
    await this.#send([ACK]);
    const address = await this.#receiveAddress();
    if (address === undefined || address % 4 !== 0) return this.#nack();
    await this.#send([ACK]);
    const words = await this.#receiveAddress();
    if (words === undefined || words === 0 || words > 0x3fff_ffff || !this.#readable(address, words * 4)) {
      return this.#nack();
    }
    await this.#send([ACK]);
    const polynomial = await this.#receiveAddress();
    if (polynomial === undefined) return this.#nack();
    await this.#send([ACK]);
    const initial = await this.#receiveAddress();
    if (initial === undefined) return this.#nack();
    const crc = stm32Crc(this.chip.read(address, words * 4), initial, polynomial);
    const bytes = [crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff];
    await this.#send([ACK, ...bytes, xorChecksum(bytes)]);
  }

  /** Plays the noise-before-sync fault: seeded bytes for `ms` of real time, everything received ignored. */
  async #emitNoise(fault: FaultSpec): Promise<void> {
    const next = seededBytes(fault.seed ?? 1);
    const deadline = Date.now() + (fault.ms ?? 500);
    while (Date.now() < deadline) {
      const chunk = new Uint8Array(8).map(() => next());
      await this.#link.write(chunk);
      await realSleep(2);
    }
    // The application stops (the reset into the bootloader); what the host sent meanwhile is gone.
    await this.#link.discardInput();
  }

  /** Pages the protect-pages fault holds write-protected. */
  #protectedPages(): Set<number> {
    return new Set(this.#schedule.standing("protect-pages").flatMap((f) => f.pages ?? []));
  }

  /** Whether `[address, address + length)` touches a page the protect-pages fault protects. */
  #faultProtected(address: number, length: number): boolean {
    const protectedPages = this.#protectedPages();
    if (protectedPages.size === 0) return false;
    return this.chip.flash.pages.some((page) =>
      protectedPages.has(page.index) && page.start < address + length && page.start + page.size > address
    );
  }

  /** The stuck-bit faults: those flash bits read 0 whatever was erased or programmed. */
  #applyStuckBits(): void {
    for (const fault of this.#schedule.standing("stuck-bit")) {
      const address = fault.address ?? this.chip.flash.base;
      if (!this.chip.flash.contains(address)) continue;
      this.chip.flash.bytes[address - this.chip.flash.base] &= ~(1 << (fault.bit ?? 0)) & 0xff;
    }
  }

  #afterReset(cause: ResetCause): void {
    this.#state = this.#onReset(cause) ? "awaiting-sync" : "application";
  }

  #readable(address: number, length: number): boolean {
    try {
      this.chip.read(address, length);
      return true;
    } catch (error) {
      if (error instanceof AccessError) return false;
      throw error;
    }
  }

  /** Flash, option bytes, or SRAM above the part the bootloader uses (AN2606 "RAM" rows). */
  #writable(address: number): boolean {
    const { chip } = this.chip.part;
    if (this.chip.flash.contains(address)) return true;
    if (address >= chip.ram.userStart && address < chip.ram.base + chip.ram.size) return true;
    return address >= chip.optionBytes.address && address < chip.optionBytes.address + chip.optionBytes.size;
  }

  async #receiveAddress(): Promise<number | undefined> {
    const frame = await this.#receive(5);
    if (xorChecksum(frame.subarray(0, 4)) !== frame[4]) return undefined;
    return ((frame[0] << 24) | (frame[1] << 16) | (frame[2] << 8) | frame[3]) >>> 0;
  }

  async #receive(length: number): Promise<Uint8Array> {
    const fromPushback = this.#pushback.splice(0, length);
    const rest = length - fromPushback.length;
    const data = new Uint8Array(length);
    data.set(fromPushback);
    if (rest > 0) data.set(await this.#link.read(rest, FOREVER_MS), fromPushback.length);
    if (this.#generation !== this.#servingGeneration) {
      // The chip was reset while this command waited: the bytes belong to whatever runs now.
      this.#pushback.unshift(...data);
      throw new Interrupted();
    }
    // The bytes were on the wire for their frame time; the device reacts once the last one is in.
    await this.#clock.sleep(uartTransferMs(length, this.#baudRate(), this.#bitsPerByte));
    this.#hostSpokeLast = true;
    return data;
  }

  async #send(bytes: number[]): Promise<void> {
    if (this.#faults.silent) return;
    if (this.#replyFaults.length > 0) bytes = this.#fault(bytes);
    this.#sentInCommand += bytes.length;
    if (bytes.length === 0) return;
    const turnaround = this.#hostSpokeLast ? this.#turnaroundMs : 0;
    this.#hostSpokeLast = false;
    await this.#clock.sleep(turnaround + uartTransferMs(bytes.length, this.#baudRate(), this.#bitsPerByte));
    const corrupted = this.#corrupted.filter((at) => at < bytes.length);
    this.#corrupted = [];
    if (corrupted.length > 0 && this.#lineParity && carriesParity(this.#link)) {
      await this.#link.writeWithLineErrors(new Uint8Array(bytes), corrupted);
    } else {
      await this.#link.write(new Uint8Array(bytes));
    }
    if (this.#resetAfter !== undefined && this.#sentInCommand >= this.#resetAfter) {
      this.#resetAfter = undefined;
      this.chip.reset("fault");
      this.#enter("awaiting-sync");
    }
  }

  /** Applies the reply faults of this command to the bytes about to leave: a flipped bit, or the rest dropped. */
  #fault(bytes: number[]): number[] {
    const out = [...bytes];
    for (const fault of this.#replyFaults) {
      const at = (fault.byte ?? 0) - this.#sentInCommand;
      if (fault.kind === "corrupt-reply" && at >= 0 && at < out.length) {
        out[at] ^= 1 << (fault.bit ?? 0);
        this.#corrupted.push(at);
      } else if (fault.kind === "drop-reply" && at < out.length) {
        // Everything from that byte on stays in the device: the bytes counted as sent stop there, so every later
        // reply of the command is dropped too.
        return out.slice(0, Math.max(0, at));
      }
    }
    return out;
  }

  #nack(): Promise<void> {
    return this.#send([NACK]);
  }

  #timing() {
    return typicalTiming(familyTiming(this.chip.part.chip));
  }

  #programMs(bytes: number): number {
    return (Math.ceil(bytes / this.chip.flash.programUnit) * this.#timing().programUnitUs) / 1000;
  }

  #massEraseMs(): number {
    return this.#timing().massEraseMs;
  }
}
