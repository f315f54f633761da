/**
 * Mulberry32, a small seeded 32-bit generator: the same seed gives the same numbers on every run and machine, so
 * simulated faults' made-up bytes, benchmark images and fuzz cases are reproducible. Plenty for filler data and test
 * cases; never for anything secret.
 *
 * @module
 */

/** A generator of 32-bit unsigned integers from `seed` (mulberry32). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A generator of bytes from `seed`: the low byte of each {@linkcode mulberry32} number. */
export function seededBytes(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() & 0xff;
}
