/**
 * What an image holds, for the `image FILE [--json]` command: its segments with SHA-256 digests and a human
 * table.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { hexAddress } from "./errors.ts";
import type { ImageFormat } from "./load.ts";
import type { MemoryImage } from "./memory_image.ts";

/** One segment of an {@linkcode ImageSummary}. */
export interface SegmentSummary {
  /** First address. */
  address: number;
  /** Number of bytes. */
  length: number;
  /** SHA-256 of the bytes, lower-case hex. */
  sha256: string;
}

/** A description of an image, suitable for JSON output. */
export interface ImageSummary {
  /** The format the image was read from. */
  format: ImageFormat;
  /** Segments in address order. */
  segments: SegmentSummary[];
  /** Total bytes in all segments. */
  totalSize: number;
  /** Entry point recorded by the file, if any. */
  entry?: number;
}

/**
 * Lower-case hex SHA-256 of `bytes`. `node:crypto`'s synchronous hash, not Web Crypto: an image may have 100000+
 * segments, and one awaited `crypto.subtle.digest` per segment (each copying it) took seconds where this takes
 * milliseconds.
 */
export function sha256Hex(bytes: Uint8Array): Promise<string> {
  return Promise.resolve(createHash("sha256").update(bytes).digest("hex"));
}

/** Describes an image: each segment's address, length and SHA-256, the total size and the entry point. */
export async function describeImage(image: MemoryImage, format: ImageFormat): Promise<ImageSummary> {
  const segments: SegmentSummary[] = [];
  for (const segment of image.segments) {
    segments.push({ address: segment.address, length: segment.data.length, sha256: await sha256Hex(segment.data) });
  }
  const summary: ImageSummary = { format, segments, totalSize: image.size };
  if (image.entry !== undefined) summary.entry = image.entry;
  return summary;
}

/**
 * Formats a summary as a table:
 * ```
 * format hex, 2 segments, 340 bytes, entry 0x08000043
 * address     end         length  sha256
 * 0x08000000  0x08000134     308  9f86d0…
 * ```
 */
export function formatImageSummary(summary: ImageSummary): string {
  return [...imageSummaryChunks(summary)].join("\n");
}

/** Rows of the table per chunk of {@linkcode imageSummaryChunks}. */
const ROWS_PER_CHUNK = 4096;

/**
 * The table of {@linkcode formatImageSummary} in chunks of lines (joined by newlines, none at the end), so that a
 * file of 100000s of segments is printed without its whole table (tens of MB) in memory at once.
 */
export function* imageSummaryChunks(summary: ImageSummary): Generator<string> {
  const count = summary.segments.length;
  const entry = summary.entry === undefined ? "" : `, entry ${hexAddress(summary.entry)}`;
  let lengthWidth = 6;
  for (const segment of summary.segments) lengthWidth = Math.max(lengthWidth, String(segment.length).length);
  let lines = [
    `format ${summary.format}, ${count} segment${count === 1 ? "" : "s"}, ${summary.totalSize} bytes${entry}`,
    `address     end         ${"length".padStart(lengthWidth)}  sha256`,
  ];
  for (const segment of summary.segments) {
    const end = hexAddress(segment.address + segment.length);
    lines.push(
      `${hexAddress(segment.address)}  ${end}  ${String(segment.length).padStart(lengthWidth)}  ${segment.sha256}`,
    );
    if (lines.length >= ROWS_PER_CHUNK) {
      yield lines.join("\n");
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join("\n");
}
