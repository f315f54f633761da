/**
 * Intel HEX reader. Record layout and address arithmetic follow Intel's "Hexadecimal Object File Format
 * Specification" Rev A (1988): `:LLAAAATT<data>CC`, checksum = two's complement of the sum of all other bytes.
 *
 * Record types: 00 data, 01 end of file, 02 extended segment address (base = value × 16), 03 start segment
 * address (CS:IP), 04 extended linear address (base = value << 16), 05 start linear address (EIP).
 *
 * A data record whose bytes would cross a 64 KiB boundary is refused: the specification wraps the offset within
 * the segment for type 02 and tools disagree for type 04, so such a file has no single meaning.
 *
 * @module
 */

import { ImageError } from "./errors.ts";
import { MemoryImage, MemoryImageBuilder } from "./memory_image.ts";
import {
  checkRecordChecksum,
  decodeHex,
  hex2,
  missingEndRecordError,
  recordAfterEndError,
  recordLines,
  type RecordLocation,
  RecordTextWriter,
  shortRecordError,
} from "./text_records.ts";

/** Intel HEX record types (Intel HEX spec Rev A, "Record types"). */
export const IntelHexRecordType = {
  data: 0x00,
  endOfFile: 0x01,
  extendedSegmentAddress: 0x02,
  startSegmentAddress: 0x03,
  extendedLinearAddress: 0x04,
  startLinearAddress: 0x05,
} as const;

/**
 * Parses an Intel HEX file into a {@linkcode MemoryImage}. `name` (the file's path) is used in messages, which
 * name the offending line: bad checksum (`E_IMAGE_CHECKSUM`), malformed or unknown record (`E_IMAGE_RECORD`),
 * missing end-of-file record or cut-off last line (`E_IMAGE_TRUNCATED`), data past 0xFFFFFFFF or across a 64 KiB
 * boundary (`E_IMAGE_WRAP`), self-overlap with different data (`E_IMAGE_OVERLAP`), no data (`E_IMAGE_EMPTY`).
 * The start address (type 03 or 05) becomes the image's `entry`.
 */
export function parseIntelHex(bytes: Uint8Array, name: string): MemoryImage {
  const builder = new MemoryImageBuilder(name);
  let base = 0;
  let entry: number | undefined;
  let endLine: number | undefined;
  const header = new Uint8Array(1);
  // One buffer for every record (at most 255 data bytes + 5): the builder copies what it keeps.
  const scratch = new Uint8Array(260);

  for (const { line, start, end, last } of recordLines(bytes)) {
    const location = { file: name, line };
    if (endLine !== undefined) throw recordAfterEndError(location, "end-of-file record", endLine);
    if (bytes[start] !== 0x3a) {
      throw new ImageError("E_IMAGE_RECORD", "line does not start with ':'", {
        location: { ...location, column: 1 },
        hint: "not an Intel HEX record",
      });
    }
    const where = { file: name, line, lineStart: start };
    const digits = end - start - 1;
    if (digits < 2) throw truncatedRecord(location, last, digits, 10);
    decodeHex(bytes, start + 1, 1, header, where);
    const count = header[0];
    const expected = 2 * (count + 5);
    if (digits !== expected) {
      if (digits < expected) throw truncatedRecord(location, last, digits, expected);
      throw new ImageError(
        "E_IMAGE_RECORD",
        `record has ${digits} hex digits, its byte count 0x${hex2(count)} says ${expected}`,
        {
          location,
        },
      );
    }
    const record = scratch.subarray(0, count + 5);
    decodeHex(bytes, start + 1, count + 5, record, where);
    let sum = 0;
    for (let i = 0; i < count + 4; i++) sum += record[i];
    checkRecordChecksum(record[count + 4], (0x100 - (sum & 0xff)) & 0xff, location);
    const offset = readBigEndian16(record, 1);
    const type = record[3];
    const value = record.subarray(4, 4 + count);
    switch (type) {
      case IntelHexRecordType.data:
        if (offset + count > 0x10000) {
          throw new ImageError(
            "E_IMAGE_WRAP",
            `data record at offset 0x${offset.toString(16)} crosses a 64 KiB boundary`,
            { location, hint: "tools disagree on where such bytes go; regenerate the file with objcopy or srec_cat" },
          );
        }
        builder.add(base + offset, value, line);
        break;
      case IntelHexRecordType.endOfFile:
        expectLength(count, 0, type, location);
        endLine = line;
        break;
      case IntelHexRecordType.extendedSegmentAddress:
        expectLength(count, 2, type, location);
        base = readBigEndian16(value, 0) * 16;
        break;
      case IntelHexRecordType.startSegmentAddress:
        expectLength(count, 4, type, location);
        entry = readBigEndian16(value, 0) * 16 + readBigEndian16(value, 2); // CS:IP
        break;
      case IntelHexRecordType.extendedLinearAddress:
        expectLength(count, 2, type, location);
        base = readBigEndian16(value, 0) * 0x10000;
        break;
      case IntelHexRecordType.startLinearAddress:
        expectLength(count, 4, type, location);
        entry = readBigEndian32(value);
        break;
      default:
        throw new ImageError("E_IMAGE_RECORD", `unknown record type 0x${hex2(type)}`, {
          location,
          hint: "Intel HEX defines types 00 to 05",
        });
    }
  }
  if (endLine === undefined) throw missingEndRecordError(name, "no end-of-file record (:00000001FF)");
  return builder.build({ entry });
}

/** A record shorter than its byte count says: truncated when it is the file's unterminated last line. */
function truncatedRecord(location: RecordLocation, last: boolean, digits: number, expected: number): ImageError {
  return shortRecordError(location, last, `record has ${digits} hex digits, its byte count says ${expected}`);
}

/** Throws `E_IMAGE_RECORD` unless a record of `type` carries `expected` data bytes. */
function expectLength(count: number, expected: number, type: number, location: RecordLocation) {
  if (count !== expected) {
    throw new ImageError("E_IMAGE_RECORD", `record type 0x${hex2(type)} must hold ${expected} bytes, not ${count}`, {
      location,
    });
  }
}

/** Reads a big-endian 16-bit unsigned value at `at`. */
function readBigEndian16(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

/** Reads a big-endian 32-bit unsigned value. */
function readBigEndian32(value: Uint8Array): number {
  return value[0] * 0x1000000 + ((value[1] << 16) | (value[2] << 8) | value[3]);
}

/** Options of {@linkcode writeIntelHex}. */
export interface IntelHexWriteOptions {
  /** Data bytes per record: 16 (objcopy's default) or 32. */
  bytesPerRecord?: 16 | 32;
}

/**
 * Writes an image as Intel HEX: a type 04 record whenever the upper 16 address bits change, type 00 data
 * records that never cross a 64 KiB boundary, a type 05 record for the entry point if the image has one, and the
 * type 01 end-of-file record. Lines end in LF.
 */
export function writeIntelHex(image: MemoryImage, options: IntelHexWriteOptions = {}): Uint8Array {
  const perRecord = options.bytesPerRecord ?? 16;
  // ~2 text bytes per data byte plus 12 per record; a type 04 record per 64 KiB.
  const out = new RecordTextWriter(image.size * 2 + (image.size / perRecord + image.segments.length) * 12 + 64);
  let upper = 0;
  for (const segment of image.segments) {
    let address = segment.address;
    const end = segment.address + segment.data.length;
    while (address < end) {
      const high = Math.floor(address / 0x10000);
      if (high !== upper) {
        writeRecord(out, 0, IntelHexRecordType.extendedLinearAddress, [high >> 8, high & 0xff]);
        upper = high;
      }
      const offset = address % 0x10000;
      const length = Math.min(perRecord, end - address, 0x10000 - offset);
      const from = address - segment.address;
      writeRecord(out, offset, IntelHexRecordType.data, segment.data.subarray(from, from + length));
      address += length;
    }
  }
  if (image.entry !== undefined) {
    const e = image.entry;
    writeRecord(out, 0, IntelHexRecordType.startLinearAddress, [
      Math.floor(e / 0x1000000),
      (e >>> 16) & 0xff,
      (e >>> 8) & 0xff,
      e & 0xff,
    ]);
  }
  writeRecord(out, 0, IntelHexRecordType.endOfFile, []);
  return out.finish();
}

/** Writes one record with its checksum and a LF. */
function writeRecord(out: RecordTextWriter, offset: number, type: number, data: ArrayLike<number>): void {
  let sum = data.length + (offset >> 8) + (offset & 0xff) + type;
  out.text(":");
  out.hexByte(data.length);
  out.hexByte(offset >> 8);
  out.hexByte(offset & 0xff);
  out.hexByte(type);
  for (let i = 0; i < data.length; i++) {
    sum += data[i];
    out.hexByte(data[i]);
  }
  out.hexByte((0x100 - (sum & 0xff)) & 0xff);
  out.text("\n");
}
