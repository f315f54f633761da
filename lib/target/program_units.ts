/**
 * Pieces of an image that share a flash program unit must go to the chip as one write: flash with ECC programs a
 * unit (a double-word on L4/G4/L5/WB/G0, RM0394 §3.3.7) once per erase, so two writes into the same unit — two
 * image segments a few bytes apart, say — leave the second refused (PROGERR) or, on a bootloader that pads the
 * unit itself, the first one's bytes overwritten with 0xFF. Joining them, with 0xFF in the gap (what erased flash
 * holds), programs each unit once.
 *
 * @module
 */

import type { Piece } from "./unchanged_pages.ts";

/**
 * `pieces` (in address order, not overlapping) with those that touch a common unit of `unit` bytes joined into
 * one, the gap between them filled with 0xFF. Pieces in units of their own are returned as they are.
 */
export function joinSharedUnits(pieces: readonly Piece[], unit: number): Piece[] {
  if (unit <= 1) return [...pieces];
  const out: Piece[] = [];
  let group: Piece[] = [];
  const flush = () => {
    if (group.length === 1) out.push(group[0]);
    else if (group.length > 1) {
      const first = group[0];
      const last = group[group.length - 1];
      const data = new Uint8Array(last.address + last.data.length - first.address).fill(0xff);
      for (const piece of group) data.set(piece.data, piece.address - first.address);
      out.push({ address: first.address, data });
    }
    group = [];
  };
  for (const piece of pieces) {
    const previous = group[group.length - 1];
    const previousLastUnit = previous && Math.floor((previous.address + previous.data.length - 1) / unit);
    if (previous && Math.floor(piece.address / unit) > previousLastUnit) flush();
    group.push(piece);
  }
  flush();
  return out;
}
