/**
 * Where a family keeps its device electronic signature (flash-size register and 96-bit unique ID) as one block of
 * read-only memory, so that both can be fetched with one Read Memory.
 *
 * The USART bootloader checks only the start address of a Read Memory before it sends the N bytes that follow
 * (AN3155 §3.4, "Read Memory command: device side"): a read that starts at the lower of the two registers and ends
 * with the higher stays inside the block listed here, memory the chip maps and the bootloader already reads from
 * when it reads either register alone. Only families whose reference manual puts both registers in the same
 * block are listed; on the others (the registers in different areas, or no citable block) the host reads them
 * one by one.
 *
 * Families left out, and why:
 * - G0, G4, L4, WB, WL, L5 (82 bytes from the unique ID to the end of the flash-size register), U5 (162), H74x/H72x
 *   (130): more than a second command costs (`SIGNATURE_SPAN_LIMIT` in `usart_target.ts`), nothing to gain.
 * - H7A3/H7B3 (unique ID 0x08FFF800, flash size 0x08FFF80C, 14 bytes): the area is not confirmed from RM0455
 *   here; two reads until it is.
 * - L0, L1: the flash-size register and the unique ID lie in the factory information block beside the option
 *   bytes (RM0377 §28, RM0038 §30), not confirmed here as one readable block; separate reads (the unique ID's
 *   third word lies apart from the first two, at offset 0x14: `ChipInfo.uniqueIdWordOffsets`).
 *
 * @module
 */

import type { ChipInfo } from "./types.ts";

/** A block of read-only memory holding a family's flash-size register and unique ID. */
export interface SignatureArea {
  /** First address of the block. */
  start: number;
  /** Address after the block's last byte. */
  end: number;
  /** What the reference manual calls the memory the block lies in. */
  name: string;
  /** Where the facts come from. */
  source: string;
}

/**
 * The signature blocks per family (`ChipInfo.family`). Each range is one the reference manual assigns to a single
 * memory area; a product's own two registers must both lie inside one range for it to count.
 */
export const SIGNATURE_AREAS: Readonly<Record<string, readonly SignatureArea[]>> = {
  F0: [{
    // The smallest F0 system memory (0x1FFFEC00, F03x/F05x) to its end; the signature is its last bytes.
    start: 0x1fff_ec00,
    end: 0x1fff_f800,
    name: "system memory",
    source: "RM0091 §33: the electronic signature is stored in the system memory area (UID 0x1FFFF7AC, " +
      "flash size 0x1FFFF7CC); AN2606: F0 system memory ends at 0x1FFFF7FF",
  }],
  F1: [{
    start: 0x1fff_f000,
    end: 0x1fff_f800,
    name: "system memory",
    source: "RM0008 §30: the electronic signature is stored in the system memory area (flash size 0x1FFFF7E0, " +
      "UID 0x1FFFF7E8); RM0008 §3.3.3: system memory 0x1FFFF000-0x1FFFF7FF (larger on F105/F107 and XL)",
  }],
  F3: [{
    start: 0x1fff_d800,
    end: 0x1fff_f800,
    name: "system memory",
    source: "RM0316 §34, RM0313 §32: the electronic signature is stored in the system memory area (UID " +
      "0x1FFFF7AC, flash size 0x1FFFF7CC); RM0316 Table 4: system memory 0x1FFFD800-0x1FFFF7FF",
  }],
  F2: [{
    start: 0x1fff_7a10,
    end: 0x1fff_7a24,
    name: "flash information block, signature after the OTP area",
    source: "RM0033 §32 (UID 0x1FFF7A10, F_SIZE 0x1FFF7A22); RM0033 §2.3: OTP area ends at 0x1FFF7A0F",
  }],
  F4: [{
    start: 0x1fff_7a10,
    end: 0x1fff_7a24,
    name: "flash information block, signature after the OTP area",
    source: "RM0090 §39: the electronic signature is stored in the flash memory area (UID 0x1FFF7A10, F_SIZE " +
      "0x1FFF7A22); RM0090 §3.3 Table 5: OTP area 0x1FFF7800-0x1FFF7A0F",
  }],
  F7: [{
    start: 0x1ff0_7a10,
    end: 0x1ff0_7a24,
    name: "flash information block, signature after the OTP area (F72x/F73x)",
    source: "RM0431 §35: the electronic signature is stored in the flash memory area (UID 0x1FF07A10, " +
      "F_SIZE 0x1FF07A22)",
  }, {
    start: 0x1ff0_f420,
    end: 0x1ff0_f444,
    name: "flash information block, signature after the OTP area (F74x-F77x)",
    source: "RM0385 §41, RM0410 §45: the electronic signature is stored in the flash memory area (UID " +
      "0x1FF0F420, F_SIZE 0x1FF0F442); RM0385 §3.3 Table 3: OTP area ends at 0x1FF0F41F",
  }],
};

/** Bytes of the flash-size register (16-bit, in KiB). */
export const FLASH_SIZE_BYTES = 2;

/** Bytes of the unique device ID (96 bits). */
export const UNIQUE_ID_BYTES = 12;

/** Byte offsets from `uniqueIdAddress` of the unique ID's three 32-bit words, lowest first. */
export function uniqueIdWordOffsets(chip: ChipInfo): readonly number[] {
  return chip.uniqueIdWordOffsets ?? [0, 4, 8];
}

/** Bytes from `uniqueIdAddress` through the unique ID's last word: what one Read Memory must cover to get it. */
export function uniqueIdSpan(chip: ChipInfo): number {
  return Math.max(...uniqueIdWordOffsets(chip)) + 4;
}

/** The 12 unique-ID bytes, lowest word first, out of `span` read from `uniqueIdAddress` ({@linkcode uniqueIdSpan}). */
export function uniqueIdFromSpan(chip: ChipInfo, span: Uint8Array): Uint8Array {
  const id = new Uint8Array(UNIQUE_ID_BYTES);
  uniqueIdWordOffsets(chip).forEach((offset, word) => id.set(span.subarray(offset, offset + 4), word * 4));
  return id;
}

/**
 * The signature block holding both this chip's flash-size register and its unique ID, or `undefined` when it has
 * not both or the database lists no block containing the two.
 */
export function signatureArea(chip: ChipInfo): SignatureArea | undefined {
  const size = chip.flash.sizeRegister;
  const uid = chip.uniqueIdAddress;
  if (size === undefined || uid === undefined) return undefined;
  const inside = (area: SignatureArea, address: number, length: number) =>
    address >= area.start && address + length <= area.end;
  return (SIGNATURE_AREAS[chip.family] ?? []).find((area) =>
    inside(area, size, FLASH_SIZE_BYTES) && inside(area, uid, uniqueIdSpan(chip))
  );
}
