/**
 * The firmware identity a station logs: sha256 of the bytes the recipe writes, so the log says exactly what went
 * into each board whatever the file format (the same firmware as .hex, .elf or .bin gives the same value).
 *
 * Definition: sha256 over the data of every image the recipe plans to write (`Recipe.planned`, in recipe order),
 * each image's segments in address order, concatenated with nothing between them. For an image that is one
 * contiguous block this equals `sha256sum` of that block as a raw `.bin`.
 *
 * @module
 */

import type { MemoryImage } from "../../image/memory_image.ts";

/** sha256 of the planned images' bytes as lower-case hex; the hash of nothing when the recipe writes nothing. */
export async function firmwareSha256(planned: readonly MemoryImage[]): Promise<string> {
  const parts = planned.flatMap((image) => image.segments.map((segment) => segment.data));
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}
