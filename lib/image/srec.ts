/**
 * Motorola S-record reader and writer. Facts from the S-record format description (srec(5) of SRecord /
 * Motorola's M68000 family reference, appendix C): `S<type><count><address><data><checksum>` in hex digits, where
 * count = address + data + checksum bytes and checksum = ones' complement of the low byte of the sum of the
 * count, address and data bytes.
 *
 * Types: S0 header; S1/S2/S3 data with 16/24/32-bit addresses; S4 reserved; S5/S6 count of data records
 * (16/24-bit); S7/S8/S9 termination with a 32/24/16-bit start address.
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
  RecordTextWriter,
  shortRecordError,
} from "./text_records.ts";

/** Address field width in bytes of each record type; undefined for S4 (reserved) . */
const ADDRESS_BYTES: readonly (number | undefined)[] = [2, 2, 3, 4, undefined, 2, 3, 4, 3, 2];

/**
 * Parses a Motorola S-record file into a {@linkcode MemoryImage}. Errors name the line: bad checksum
 * (`E_IMAGE_CHECKSUM`), malformed or unknown record or a count record that disagrees (`E_IMAGE_RECORD`), missing
 * termination record or cut-off last line (`E_IMAGE_TRUNCATED`), data past 0xFFFFFFFF (`E_IMAGE_WRAP`),
 * self-overlap (`E_IMAGE_OVERLAP`), no data (`E_IMAGE_EMPTY`). The termination record's address becomes `entry`.
 */
export function parseSrec(bytes: Uint8Array, name: string): MemoryImage {
  const builder = new MemoryImageBuilder(name);
  let dataRecords = 0;
  let entry: number | undefined;
  let endLine: number | undefined;
  const header = new Uint8Array(1);
  // One buffer for every record (at most 255 bytes + 1): the builder copies what it keeps.
  const scratch = new Uint8Array(256);

  for (const { line, start, end, last } of recordLines(bytes)) {
    const location = { file: name, line };
    if (endLine !== undefined) throw recordAfterEndError(location, "termination record", endLine);
    const type = bytes[start + 1] - 0x30;
    if (bytes[start] !== 0x53 || end - start < 2 || !(type >= 0 && type <= 9)) {
      throw new ImageError("E_IMAGE_RECORD", "line does not start with S0 to S9", {
        location: { ...location, column: 1 },
        hint: "not a Motorola S-record",
      });
    }
    const addressBytes = ADDRESS_BYTES[type];
    if (addressBytes === undefined) {
      throw new ImageError("E_IMAGE_RECORD", `unknown record type S${type}`, {
        location,
        hint: "S4 is reserved; S-records use S0-S3 and S5-S9",
      });
    }
    const where = { file: name, line, lineStart: start };
    const digits = end - start - 2;
    if (digits < 4) throw shortRecordError(location, last, `record has ${digits} hex digits`);
    decodeHex(bytes, start + 2, 1, header, where);
    const count = header[0];
    if (count < addressBytes + 1) {
      throw new ImageError("E_IMAGE_RECORD", `byte count 0x${hex2(count)} is too small for an S${type} record`, {
        location,
      });
    }
    const expected = 2 * (count + 1);
    if (digits !== expected) {
      const message = `record has ${digits} hex digits, its byte count 0x${hex2(count)} says ${expected}`;
      if (digits < expected) throw shortRecordError(location, last, message);
      throw new ImageError("E_IMAGE_RECORD", message, { location });
    }
    const record = scratch.subarray(0, count + 1);
    decodeHex(bytes, start + 2, count + 1, record, where);
    let sum = 0;
    for (let i = 0; i < count; i++) sum += record[i];
    checkRecordChecksum(record[count], 0xff - (sum & 0xff), location);
    let address = 0;
    for (let i = 1; i <= addressBytes; i++) address = address * 256 + record[i];
    const data = record.subarray(1 + addressBytes, count);
    switch (type) {
      case 0:
        break; // header: free text, nothing to load
      case 1:
      case 2:
      case 3:
        builder.add(address, data, line);
        dataRecords++;
        break;
      case 5:
      case 6:
        if (address !== dataRecords) {
          throw new ImageError(
            "E_IMAGE_RECORD",
            `count record says ${address} data records precede it, there are ${dataRecords}`,
            { location, hint: "records are missing or duplicated; the file is damaged" },
          );
        }
        break;
      default: // 7, 8, 9: termination with start address
        entry = address;
        endLine = line;
    }
  }
  if (endLine === undefined) throw missingEndRecordError(name, "no termination record (S7, S8 or S9)");
  return builder.build({ entry });
}

/** Options of {@linkcode writeSrec}. */
export interface SrecWriteOptions {
  /** Data bytes per record: 16 or 32 (default 16). */
  bytesPerRecord?: 16 | 32;
  /** Text of the S0 header record (default `flashrecipe`). */
  header?: string;
}

/**
 * Writes an image as S-records: an S0 header, data records of the narrowest type that holds every address (S1,
 * S2 or S3), an S5/S6 count record, and the matching S9/S8/S7 termination record carrying the entry point (0
 * when the image has none).
 */
export function writeSrec(image: MemoryImage, options: SrecWriteOptions = {}): Uint8Array {
  const perRecord = options.bytesPerRecord ?? 16;
  const top = Math.max(image.end - 1, image.entry ?? 0);
  const dataType = top <= 0xffff ? 1 : top <= 0xffffff ? 2 : 3;
  // ~2 text bytes per data byte plus 16 per record.
  const out = new RecordTextWriter(image.size * 2 + (image.size / perRecord + image.segments.length) * 16 + 128);
  writeSrecRecord(out, 0, 0, new TextEncoder().encode(options.header ?? "flashrecipe"));
  let count = 0;
  for (const segment of image.segments) {
    for (let from = 0; from < segment.data.length; from += perRecord) {
      writeSrecRecord(out, dataType, segment.address + from, segment.data.subarray(from, from + perRecord));
      count++;
    }
  }
  if (count <= 0xffff) writeSrecRecord(out, 5, count, new Uint8Array());
  else if (count <= 0xffffff) writeSrecRecord(out, 6, count, new Uint8Array());
  writeSrecRecord(out, 10 - dataType, image.entry ?? 0, new Uint8Array());
  return out.finish();
}

/** Writes one S-record with its checksum and a LF. */
function writeSrecRecord(out: RecordTextWriter, type: number, address: number, data: Uint8Array): void {
  const addressBytes = ADDRESS_BYTES[type] ?? 4;
  const count = addressBytes + data.length + 1;
  let sum = count;
  out.text(`S${type}`);
  out.hexByte(count);
  for (let i = addressBytes - 1; i >= 0; i--) {
    const value = Math.floor(address / 256 ** i) % 256;
    sum += value;
    out.hexByte(value);
  }
  for (let i = 0; i < data.length; i++) {
    sum += data[i];
    out.hexByte(data[i]);
  }
  out.hexByte(0xff - (sum & 0xff));
  out.text("\n");
}
