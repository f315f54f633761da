/**
 * Human-readable text about a chip (for the `info` subcommand) and option-byte helpers that read and set named
 * fields in the raw bytes the bootloader's Read Memory returns from the option-byte area.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import { formatPid } from "./database.ts";
import { flashPages } from "./layout.ts";
import { complementScheme } from "./option_layout.ts";
import type { ChipInfo, OptionField } from "./types.ts";

const KIB = 1024;
const MIB = 1024 * KIB;

/** Formats a byte count as `2 MiB`, `48 KiB` or `88 bytes`. */
export function formatSize(bytes: number): string {
  if (bytes >= MIB && bytes % MIB === 0) return `${bytes / MIB} MiB`;
  if (bytes >= KIB && bytes % KIB === 0) return `${bytes / KIB} KiB`;
  return `${bytes} bytes`;
}

/** Formats an address as eight upper-case hex digits, e.g. `0x08000000`. */
export function formatAddress(address: number): string {
  return `0x${address.toString(16).toUpperCase().padStart(8, "0")}`;
}

/** Formats a bootloader version byte as AN3155 §3.1 reads it, e.g. 0x22 -> `2.2`, 0xD1 -> `13.1`. */
export function formatBootloaderVersion(version: number): string {
  return `${version >> 4}.${version & 0xf}`;
}

/** `4 x 16 KiB + 1 x 64 KiB + 7 x 128 KiB` for the erase units of a part. */
function describePages(chip: ChipInfo, flashSize: number): string {
  const pages = flashPages(chip, flashSize);
  const runs: { size: number; count: number }[] = [];
  for (const page of pages) {
    const last = runs.at(-1);
    if (last && last.size === page.size) last.count++;
    else runs.push({ size: page.size, count: 1 });
  }
  const banks = new Set(pages.map((page) => page.bank)).size;
  const unit = runs.length > 1 || (runs[0]?.size ?? 0) >= 16 * KIB ? "sectors" : "pages";
  const list = runs.map((run) => `${run.count} x ${formatSize(run.size)}`).join(" + ");
  return `${list} ${unit} in ${banks === 1 ? "one bank" : `${banks} banks`}`;
}

/**
 * One paragraph describing a chip for a person: flash layout (for `flashSize` bytes when given, otherwise the
 * largest part of the product), program unit, RAM, system memory, bootloader versions, option bytes, erase command
 * and quirks.
 */
export function describeChip(chip: ChipInfo, flashSize?: number): string {
  const size = flashSize ?? chip.flash.maxSize;
  const sentences: string[] = [];
  let flash = `${chip.name} (product ID ${formatPid(chip.pid)}, ${chip.family} series): ${formatSize(size)} of flash ` +
    `at ${formatAddress(chip.flash.base)} as ${describePages(chip, size)}`;
  if (flashSize !== undefined && flashSize > chip.flash.maxSize) {
    flash += ` (more than the ${formatSize(chip.flash.maxSize)} the database knows for this product)`;
  } else if (size !== chip.flash.maxSize) flash += ` (up to ${formatSize(chip.flash.maxSize)} on this die)`;
  sentences.push(`${flash}, programmed in units of ${chip.flash.programUnit} bytes.`);

  const ramEnd = chip.ram.base + chip.ram.size;
  const ramFree = chip.ram.userStart < ramEnd
    ? `free for user code from ${formatAddress(chip.ram.userStart)}`
    : "none of it free for user code";
  sentences.push(`SRAM: ${formatSize(chip.ram.size)} at ${formatAddress(chip.ram.base)}, ${ramFree}.`);

  if (chip.systemMemory.size > 0) {
    const versions = chip.bootloaderVersions.map(formatBootloaderVersion).join(", ");
    sentences.push(
      `Bootloader: ${formatSize(chip.systemMemory.size)} of system memory at ` +
        `${formatAddress(chip.systemMemory.base)}${versions ? `, version ${versions}` : ""}.`,
    );
  }
  if (chip.optionBytes.size > 0) {
    const names = chip.optionBytes.fields.map((field) => field.name).join(", ");
    sentences.push(
      `Option bytes: ${formatSize(chip.optionBytes.size)} at ${formatAddress(chip.optionBytes.address)}` +
        `${names ? ` (${names})` : ""}.`,
    );
  }
  const ids: string[] = [];
  if (chip.uniqueIdAddress !== undefined) ids.push(`unique ID at ${formatAddress(chip.uniqueIdAddress)}`);
  if (chip.flash.sizeRegister !== undefined) {
    ids.push(`flash size register at ${formatAddress(chip.flash.sizeRegister)}`);
  }
  if (ids.length > 0) sentences.push(`${ids.join(", ")}.`.replace(/^./, (c) => c.toUpperCase()));
  sentences.push(
    chip.eraseCommand === 0x44 ? "Erases with Extended Erase (0x44)." : "Erases with Erase (0x43).",
  );
  if (chip.quirks.length > 0) sentences.push(`Quirks: ${chip.quirks.join(" ")}`);
  sentences.push(`Source: ${chip.source}.`);
  return sentences.join(" ");
}

/** One decoded option-byte field. */
export interface OptionValue {
  /** Field name, e.g. `RDP`. */
  name: string;
  /** Field value. */
  value: number;
  /** What the field does. */
  description: string;
}

function readWord(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

function writeWord(bytes: Uint8Array, offset: number, word: number): void {
  bytes[offset] = word & 0xff;
  bytes[offset + 1] = (word >>> 8) & 0xff;
  bytes[offset + 2] = (word >>> 16) & 0xff;
  bytes[offset + 3] = (word >>> 24) & 0xff;
}

/** Extracts a field from a 32-bit word (safe for width 32 and shift 31). */
function getBits(word: number, shift: number, width: number): number {
  return Math.floor(word / 2 ** shift) % 2 ** width;
}

/** Returns `word` with `width` bits at `shift` replaced by `value`. */
function setBits(word: number, shift: number, width: number, value: number): number {
  const old = getBits(word, shift, width);
  return (word - old * 2 ** shift + value * 2 ** shift) >>> 0;
}

function checkLength(chip: ChipInfo, bytes: Uint8Array, field: OptionField): void {
  if (field.offset + 4 > bytes.length) {
    throw new InputError(
      "E_OPTION_BYTES_SHORT",
      `option bytes of ${chip.name} are ${bytes.length} bytes long; field ${field.name} needs ${field.offset + 4}`,
      { hint: `read all ${chip.optionBytes.size} bytes from ${formatAddress(chip.optionBytes.address)}` },
    );
  }
}

/** Decodes every named field of the chip's family from the raw option bytes (as Read Memory returns them). */
export function decodeOptionBytes(chip: ChipInfo, bytes: Uint8Array): OptionValue[] {
  return chip.optionBytes.fields.map((field) => {
    checkLength(chip, bytes, field);
    return {
      name: field.name,
      value: getBits(readWord(bytes, field.offset), field.shift, field.width),
      description: field.description,
    };
  });
}

/** Finds a field by exact name, then case-insensitively; throws `E_OPTION_FIELD` listing the family's fields. */
function findField(chip: ChipInfo, name: string): OptionField {
  const fields = chip.optionBytes.fields;
  const field = fields.find((f) => f.name === name) ??
    fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (field) return field;
  const known = fields.map((f) => f.name).join(", ");
  throw new InputError("E_OPTION_FIELD", `${chip.name} has no option field "${name}"`, {
    hint: known ? `${chip.family} option fields: ${known}` : `no option fields are known for ${chip.family}`,
  });
}

/** Rewrites the complement of the value that `field` lives in, per the family's scheme (`option_layout.ts`). */
function updateComplement(chip: ChipInfo, out: Uint8Array, field: OptionField): void {
  const word = readWord(out, field.offset);
  switch (complementScheme(chip)) {
    case "byte": {
      // Value bytes are bits 7:0 and 23:16; their complements bits 15:8 and 31:24.
      let next = word;
      for (const valueShift of [0, 16]) {
        if (field.shift < valueShift + 8 && field.shift + field.width > valueShift) {
          next = setBits(next, valueShift + 8, 8, ~getBits(next, valueShift, 8) & 0xff);
        }
      }
      writeWord(out, field.offset, next);
      return;
    }
    case "halfword":
      writeWord(out, field.offset, setBits(word, 16, 16, ~word & 0xffff));
      return;
    case "word":
      if (field.offset + 8 <= out.length) writeWord(out, field.offset + 4, ~word >>> 0);
      return;
    case "none":
      return;
  }
}

/**
 * Returns a copy of the raw option bytes with the named field set to `value` and the matching complement updated,
 * ready for Write Memory. Throws `E_OPTION_FIELD` for a name the family does not have and `E_OPTION_VALUE` for a
 * value that is not a whole number or does not fit the field.
 */
export function encodeOptionField(chip: ChipInfo, bytes: Uint8Array, name: string, value: number): Uint8Array {
  const field = findField(chip, name);
  const limit = 2 ** field.width;
  if (!Number.isInteger(value) || value < 0 || value >= limit) {
    throw new InputError(
      "E_OPTION_VALUE",
      `value ${value} does not fit option field ${field.name} (${field.width} bit${field.width === 1 ? "" : "s"})`,
      { hint: `use a whole number from 0 to ${limit - 1} (0x${(limit - 1).toString(16).toUpperCase()})` },
    );
  }
  checkLength(chip, bytes, field);
  const out = new Uint8Array(bytes);
  writeWord(out, field.offset, setBits(readWord(out, field.offset), field.shift, field.width, value));
  updateComplement(chip, out, field);
  return out;
}
