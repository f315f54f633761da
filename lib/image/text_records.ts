/**
 * Shared reading of line-based hex record files (Intel HEX, Motorola S-record): splitting bytes into lines
 * without decoding the whole file to a string, decoding hex digit pairs, and the errors both formats report the
 * same way.
 *
 * @module
 */

import { ImageError } from "./errors.ts";

/** Value of each ASCII hex digit, -1 for other bytes. */
const HEX_VALUE: Int8Array = (() => {
  const table = new Int8Array(256).fill(-1);
  for (let i = 0; i < 10; i++) table[0x30 + i] = i;
  for (let i = 0; i < 6; i++) {
    table[0x41 + i] = 10 + i;
    table[0x61 + i] = 10 + i;
  }
  return table;
})();

/** One non-blank line of a record file: `[start, end)` into the file's bytes, without line ending or blanks. */
export interface RecordLine {
  /** 1-based line number. */
  line: number;
  /** Offset of the first character. */
  start: number;
  /** Offset one past the last character (trailing CR, spaces and tabs removed). */
  end: number;
  /** True when this is the last line of the file and it has no line ending (a cut-off file looks like this). */
  last: boolean;
}

/** True for space, tab, CR, LF, form feed and the DOS end-of-file mark 0x1A some old tools append. */
function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a || byte === 0x0c || byte === 0x1a;
}

/** Yields the non-blank lines of `bytes` (LF or CRLF endings; a UTF-8 byte-order mark is skipped). */
export function* recordLines(bytes: Uint8Array): Generator<RecordLine> {
  let position = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let line = 0;
  while (position < bytes.length) {
    line++;
    let newline = bytes.indexOf(0x0a, position);
    const last = newline < 0;
    if (newline < 0) newline = bytes.length;
    let start = position;
    let end = newline;
    while (start < end && isBlank(bytes[start])) start++;
    while (end > start && isBlank(bytes[end - 1])) end--;
    position = newline + 1;
    if (start < end) yield { line, start, end, last };
  }
}

/**
 * Decodes `count` bytes of hex digit pairs starting at `offset` into `target`. Throws `E_IMAGE_RECORD` naming the
 * column of the first character that is not a hex digit.
 */
export function decodeHex(
  bytes: Uint8Array,
  offset: number,
  count: number,
  target: Uint8Array,
  where: { file: string; line: number; lineStart: number },
): void {
  for (let i = 0; i < count; i++) {
    const high = HEX_VALUE[bytes[offset + 2 * i]];
    const low = HEX_VALUE[bytes[offset + 2 * i + 1]];
    if (high < 0 || low < 0) {
      const column = offset + 2 * i + (high < 0 ? 0 : 1) - where.lineStart + 1;
      const character = String.fromCharCode(bytes[offset + 2 * i + (high < 0 ? 0 : 1)]);
      throw new ImageError("E_IMAGE_RECORD", `${JSON.stringify(character)} is not a hex digit`, {
        location: { file: where.file, line: where.line, column },
      });
    }
    target[i] = (high << 4) | low;
  }
}

/** Two upper-case hex digits, as record files write them. */
export function hex2(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, "0");
}

/** A line of a record file, for error locations. */
export interface RecordLocation {
  /** The file's path. */
  file: string;
  /** 1-based line number. */
  line: number;
}

/** `E_IMAGE_RECORD` for a record after the end record (`endRecord` names it, e.g. `end-of-file record`). */
export function recordAfterEndError(location: RecordLocation, endRecord: string, endLine: number): ImageError {
  return new ImageError("E_IMAGE_RECORD", `record after the ${endRecord} on line ${endLine}`, {
    location,
    hint: "the file has trailing content; it may be two files joined together",
  });
}

/**
 * A record shorter than it should be: `E_IMAGE_TRUNCATED` when it is the file's unterminated `last` line (the file
 * was cut off), else `E_IMAGE_RECORD`.
 */
export function shortRecordError(location: RecordLocation, last: boolean, message: string): ImageError {
  return last
    ? new ImageError("E_IMAGE_TRUNCATED", `file ends inside a record: ${message}`, {
      location,
      hint: "the file is cut off; rebuild or re-copy it",
    })
    : new ImageError("E_IMAGE_RECORD", message, { location });
}

/** Throws `E_IMAGE_CHECKSUM` unless the record's `stored` checksum byte equals the one its bytes give. */
export function checkRecordChecksum(stored: number, computed: number, location: RecordLocation): void {
  if (stored !== computed) {
    throw new ImageError(
      "E_IMAGE_CHECKSUM",
      `checksum is 0x${hex2(stored)}, the record's bytes give 0x${hex2(computed)}`,
      { location, hint: "the file is corrupt; rebuild or re-download it" },
    );
  }
}

/** `E_IMAGE_TRUNCATED` for a file without its end record; `message` names the record, e.g. `no termination record`. */
export function missingEndRecordError(file: string, message: string): ImageError {
  return new ImageError("E_IMAGE_TRUNCATED", message, {
    location: { file },
    hint: "the file is cut off; rebuild or re-copy it",
  });
}

/** ASCII codes of the upper-case hex digits. */
const HEX_DIGITS = new TextEncoder().encode("0123456789ABCDEF");

/**
 * Builds a record file's text directly as bytes: one growing buffer instead of a string per record joined at the
 * end, so writing a large image takes about the output's size in memory (twice at most, while growing).
 */
export class RecordTextWriter {
  #bytes: Uint8Array;
  #length = 0;

  /** `estimate`: the expected output size in bytes; the buffer grows past it when needed. */
  constructor(estimate: number) {
    this.#bytes = new Uint8Array(Math.max(64, Math.ceil(estimate)));
  }

  /** Makes room for `count` more bytes. */
  #reserve(count: number): void {
    if (this.#length + count <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(this.#length + count, this.#bytes.length * 2));
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }

  /** Appends ASCII text (record marks such as `:` or `S3`, line endings). */
  text(ascii: string): void {
    this.#reserve(ascii.length);
    for (let i = 0; i < ascii.length; i++) this.#bytes[this.#length++] = ascii.charCodeAt(i);
  }

  /** Appends a byte as two upper-case hex digits. */
  hexByte(value: number): void {
    this.#reserve(2);
    this.#bytes[this.#length++] = HEX_DIGITS[(value >> 4) & 0xf];
    this.#bytes[this.#length++] = HEX_DIGITS[value & 0xf];
  }

  /** The text written, as bytes. */
  finish(): Uint8Array {
    const spare = this.#bytes.length - this.#length;
    return spare > this.#length / 8 ? this.#bytes.slice(0, this.#length) : this.#bytes.subarray(0, this.#length);
  }
}
