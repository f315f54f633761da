/**
 * Benchmark images: reproducible pseudo-random data (a seeded generator, so every run and every machine writes the
 * same bytes) and one realistic firmware layout with erased (0xFF) gaps.
 *
 * @module
 */

import { mulberry32 } from "../../lib/sim/seeded_random.ts";

/** `size` pseudo-random bytes from `seed`; no 256-byte chunk is all 0xFF. */
export function randomImage(size: number, seed = 1): Uint8Array {
  const next = mulberry32(seed);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 4) {
    const word = next();
    for (let j = 0; j < 4 && i + j < size; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
  }
  return out;
}

/**
 * A 64 KiB firmware as a build lays it out: a 10 KiB bootloader, erased up to the application at 16 KiB, 22 KiB of
 * application code with short 0xFF alignment padding between functions, erased flash, then a 1 KiB configuration
 * page at 60 KiB. About half of it is erased (0xFF).
 */
export function realisticImage(seed = 7): Uint8Array {
  const KiB = 1024;
  const image = new Uint8Array(64 * KiB).fill(0xff);
  const code = randomImage(64 * KiB, seed);
  const place = (start: number, length: number) => image.set(code.subarray(start, start + length), start);
  place(0, 10 * KiB);
  // Application: functions of a few hundred bytes, each padded to 16 bytes with 0xFF.
  const next = mulberry32(seed + 1);
  for (let at = 16 * KiB; at < 38 * KiB;) {
    const length = 64 + (next() % 700);
    place(at, Math.min(length, 38 * KiB - at));
    at += Math.ceil(length / 16) * 16 + 16;
  }
  place(60 * KiB, 1 * KiB);
  return image;
}

/** Number of `chunk`-byte blocks (aligned to the image start) that hold something other than 0xFF. */
export function nonBlankChunks(image: Uint8Array, chunk = 256): number[] {
  const sizes: number[] = [];
  for (let at = 0; at < image.length; at += chunk) {
    const block = image.subarray(at, at + chunk);
    if (!block.every((b) => b === 0xff)) sizes.push(block.length);
  }
  return sizes;
}
