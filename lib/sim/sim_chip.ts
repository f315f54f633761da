/**
 * A simulated STM32 as its ROM bootloader sees it: main flash, SRAM, system memory, option bytes, the
 * flash-size register and unique ID, with read and write protection enforced as the parts do it.
 * Protocol front ends (USART, DfuSe) drive this model; it knows nothing of either protocol.
 *
 * @module
 */

import { flashPages } from "../chips/layout.ts";
import { FlashMemory } from "./flash_memory.ts";
import {
  completeOptionBytes,
  rdpOffset,
  withoutWriteProtection,
  withWriteProtection,
  writeProtectedPages,
} from "./option_bytes.ts";
import type { SimulatedPart } from "./parts.ts";
import { SIGNATURE_AREAS, uniqueIdSpan, uniqueIdWordOffsets } from "../chips/signature_area.ts";

/** Why the simulated chip refused an access; the protocol front end turns it into a NACK or DFU status. */
export class AccessError extends Error {
  /** `protected`: RDP/WRP; `unmapped`: no memory there; `program`: flash not erased. */
  readonly reason: "protected" | "unmapped" | "program";
  constructor(reason: "protected" | "unmapped" | "program", message: string) {
    super(message);
    this.name = "AccessError";
    this.reason = reason;
  }
}

/** A chip state change that resets the device (option-byte programming, protection commands). */
export type ResetCause =
  | "option-bytes"
  | "readout-protect"
  | "readout-unprotect"
  | "write-protect"
  | "write-unprotect"
  | "fault";

/** Options of {@linkcode SimulatedChip}. */
export interface SimulatedChipOptions {
  /** Initial flash contents (e.g. from a `--flash-file`). */
  flash?: Uint8Array;
  /** Initial option bytes; defaults to the factory values. */
  optionBytes?: Uint8Array;
  /** 12-byte unique device ID; defaults to one derived from the part name. */
  uniqueId?: Uint8Array;
  /** Called after every change of flash or option bytes (e.g. to save a `--flash-file`). */
  onChange?: () => void;
}

/** The memory and protection state of one simulated chip. */
export class SimulatedChip {
  /** The part being simulated. */
  readonly part: SimulatedPart;
  /** Main flash. */
  readonly flash: FlashMemory;
  /** SRAM contents. */
  readonly ram: Uint8Array;
  /** Option bytes as the bootloader reads them. */
  readonly optionBytes: Uint8Array;
  /** 96-bit unique device ID. */
  readonly uniqueId: Uint8Array;
  /** Resets since power-on, with their causes, newest last. */
  readonly resets: ResetCause[] = [];
  readonly #onChange?: () => void;

  constructor(part: SimulatedPart, options: SimulatedChipOptions = {}) {
    this.part = part;
    const { chip } = part;
    this.flash = new FlashMemory({
      pages: flashPages(chip, part.part.flashSize),
      programUnit: chip.flash.programUnit,
      singleProgramPerErase: chip.flash.programUnit > 4,
      programOverDataClearsBits: chip.flash.programOverData === "and",
    });
    if (options.flash) this.flash.load(options.flash);
    this.ram = new Uint8Array(chip.ram.size);
    this.optionBytes = new Uint8Array(chip.optionBytes.size).fill(0xff);
    this.optionBytes.set(options.optionBytes ?? part.factoryOptionBytes);
    this.uniqueId = options.uniqueId ?? new TextEncoder().encode(part.part.part.padEnd(12, "0").slice(0, 12));
    this.#onChange = options.onChange;
  }

  /** True while read protection (RDP level 1 or 2) is active. */
  get readProtected(): boolean {
    return this.optionBytes[rdpOffset(this.part.chip)] !== this.part.optionModel.rdpLevel0;
  }

  /** Indices of the flash pages write protection covers now. */
  writeProtectedPages(): Set<number> {
    return writeProtectedPages(this.part.chip, this.part.optionModel, this.optionBytes);
  }

  /** Reads any mapped memory; throws {@linkcode AccessError} when protected or unmapped. */
  read(address: number, length: number): Uint8Array {
    if (this.readProtected) throw new AccessError("protected", "read protection is active");
    if (this.flash.contains(address, length)) return this.flash.read(address, length);
    const bytes = this.#fixedRead(address, length);
    if (bytes) return bytes;
    throw new AccessError("unmapped", `nothing readable at 0x${address.toString(16)}`);
  }

  /**
   * Writes flash (which must be erased and not write-protected), SRAM, or option bytes. Returns the reset the
   * write caused, if any (option-byte programming resets the device, AN3155 §3.6).
   */
  write(address: number, data: Uint8Array): ResetCause | undefined {
    if (this.readProtected) throw new AccessError("protected", "read protection is active");
    const { chip } = this.part;
    if (this.flash.contains(address, data.length)) {
      const wrp = this.writeProtectedPages();
      for (const page of this.flash.pages) {
        const overlaps = page.start < address + data.length && page.start + page.size > address;
        if (overlaps && wrp.has(page.index)) {
          throw new AccessError("protected", `page ${page.index} is write-protected`);
        }
      }
      try {
        this.flash.program(address, data);
      } catch (error) {
        throw new AccessError("program", error instanceof Error ? error.message : String(error));
      } finally {
        this.#onChange?.();
      }
      return undefined;
    }
    if (address >= chip.ram.base && address + data.length <= chip.ram.base + chip.ram.size) {
      this.ram.set(data, address - chip.ram.base);
      return undefined;
    }
    const ob = chip.optionBytes;
    if (address >= ob.address && address + data.length <= ob.address + ob.size) {
      const next = this.optionBytes.slice();
      next.set(data, address - ob.address);
      return this.programOptionBytes(next);
    }
    throw new AccessError("unmapped", `nothing writable at 0x${address.toString(16)}`);
  }

  /**
   * Replaces the option bytes as the option-byte programming sequence does (the hardware completes complements
   * and `_CUR` copies), then resets. Leaving read protection mass-erases the flash first (RM0008 §2.4.1: "the
   * Flash memory is erased when read protection is removed"; RM0090 §3.7.3; RM0394 §3.5.1).
   */
  programOptionBytes(next: Uint8Array): ResetCause {
    const wasProtected = this.readProtected;
    this.optionBytes.set(completeOptionBytes(this.part.chip, this.part.optionModel, next));
    if (wasProtected && !this.readProtected) this.flash.eraseAll();
    this.#onChange?.();
    return this.reset("option-bytes");
  }

  /** Erases the given pages; throws {@linkcode AccessError} when protected. */
  erasePages(pages: readonly number[]): void {
    if (this.readProtected) throw new AccessError("protected", "read protection is active");
    const wrp = this.writeProtectedPages();
    for (const page of pages) {
      if (page < 0 || page >= this.flash.pages.length) throw new AccessError("unmapped", `no page ${page}`);
      if (wrp.has(page)) throw new AccessError("protected", `page ${page} is write-protected`);
    }
    for (const page of pages) this.flash.erasePage(page);
    this.#onChange?.();
  }

  /** Erases all of flash (fails if any page is write-protected, as the hardware's mass erase does). */
  massErase(): void {
    this.erasePages(this.flash.pages.map((page) => page.index));
  }

  /** Sets RDP level 1 and resets (AN3155 §3.11). */
  readoutProtect(): ResetCause {
    const next = this.optionBytes.slice();
    next[rdpOffset(this.part.chip)] = this.part.optionModel.rdpLevel1;
    this.programOptionBytes(next);
    return this.#replaceLastReset("readout-protect");
  }

  /** Back to RDP level 0, which mass-erases flash, then resets (AN3155 §3.12). */
  readoutUnprotect(): ResetCause {
    const next = this.optionBytes.slice();
    next[rdpOffset(this.part.chip)] = this.part.optionModel.rdpLevel0;
    this.flash.eraseAll();
    this.programOptionBytes(next);
    return this.#replaceLastReset("readout-unprotect");
  }

  /**
   * Protects the given sectors (WRP bit numbers, or pages where the family keeps WRP areas) and resets
   * (AN3155 §3.9). Codes the option bytes cannot express raise {@linkcode AccessError} (the device NACKs).
   */
  writeProtect(codes: readonly number[]): ResetCause {
    const { chip } = this.part;
    const next = withWriteProtection(chip, this.part.optionModel, this.optionBytes, codes);
    if (!next) throw new AccessError("unmapped", `write protection cannot cover sectors ${codes.join(", ")}`);
    this.programOptionBytes(next);
    return this.#replaceLastReset("write-protect");
  }

  /** Removes all write protection and resets (AN3155 §3.10). */
  writeUnprotect(): ResetCause {
    this.programOptionBytes(withoutWriteProtection(this.part.chip, this.part.optionModel, this.optionBytes));
    return this.#replaceLastReset("write-unprotect");
  }

  /** Records a system reset: SRAM is not kept by the model. */
  reset(cause: ResetCause): ResetCause {
    this.resets.push(cause);
    return cause;
  }

  #replaceLastReset(cause: ResetCause): ResetCause {
    this.resets[this.resets.length - 1] = cause;
    return cause;
  }

  /**
   * Reads outside flash: system memory, the signature block, option bytes, flash-size register, unique ID, SRAM.
   * The flash-size register and unique ID show through wherever a read of system memory or of the family's
   * signature block ({@linkcode SIGNATURE_AREAS}) covers them, as on the parts, where they are words of that
   * read-only memory.
   */
  #fixedRead(address: number, length: number): Uint8Array | undefined {
    const { chip } = this.part;
    const registers: Region[] = [];
    if (chip.flash.sizeRegister !== undefined) {
      const kib = this.part.part.flashSize / 1024;
      registers.push({ start: chip.flash.sizeRegister, bytes: new Uint8Array([kib & 0xff, kib >> 8]) });
    }
    const uid = chip.uniqueIdAddress;
    if (uid !== undefined) {
      // Word by word: on L0/L1 the third word lies apart from the first two.
      uniqueIdWordOffsets(chip).forEach((offset, word) =>
        registers.push({ start: uid + offset, bytes: this.uniqueId.subarray(word * 4, word * 4 + 4) })
      );
    }
    // Read-only memory the registers live in (blank where the model has no contents for it).
    const readOnly: Region[] = [
      ...(SIGNATURE_AREAS[chip.family] ?? []).map((a) => ({
        start: a.start,
        bytes: new Uint8Array(a.end - a.start).fill(0xff),
      })),
      { start: chip.systemMemory.base, bytes: systemMemoryImage(chip.systemMemory.size) },
      // Between the unique ID's words (L0/L1) lies other factory data, which the model does not have: blank.
      ...(uid === undefined ? [] : [{ start: uid, bytes: new Uint8Array(uniqueIdSpan(chip)).fill(0xff) }]),
    ];
    const within = (r: Region) => address >= r.start && address + length <= r.start + r.bytes.length;
    const host = readOnly.find(within);
    if (host) {
      const out = host.bytes.slice(address - host.start, address - host.start + length);
      for (const r of registers) {
        for (let i = 0; i < r.bytes.length; i++) {
          const at = r.start + i - address;
          if (at >= 0 && at < length) out[at] = r.bytes[i];
        }
      }
      return out;
    }
    // Small registers alone (where no listed block holds them), then the writable areas.
    const region = [...registers, { start: chip.ram.base, bytes: this.ram }, {
      start: chip.optionBytes.address,
      bytes: this.optionBytes,
    }].find(within);
    return region?.bytes.slice(address - region.start, address - region.start + length);
  }
}

/** A run of memory the simulator answers reads from. */
interface Region {
  start: number;
  bytes: Uint8Array;
}

/** Stand-in contents of the ROM: a fixed pattern (the real ROM is ST's code and is not reproduced). */
function systemMemoryImage(size: number): Uint8Array {
  return new Uint8Array(size).map((_, i) => (i * 0x9e + 0x37) & 0xff);
}
