/**
 * The XOR checksums of AN3155: a single byte is sent with its complement (§2), and multi-byte frames end with
 * the XOR of all their bytes (§3.4 address frame, §3.6 data frame).
 *
 * @module
 */

/** XOR of all bytes of `bytes`. */
export function xorChecksum(bytes: Uint8Array | readonly number[]): number {
  let sum = 0;
  for (const b of bytes) sum ^= b;
  return sum & 0xff;
}

/** A frame followed by its XOR checksum. */
export function withChecksum(bytes: readonly number[] | Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = xorChecksum(bytes);
  return out;
}

/** A command byte followed by its complement, the way every command is sent (AN3155 §2). */
export function commandFrame(code: number): Uint8Array {
  return new Uint8Array([code, code ^ 0xff]);
}

/** A 32-bit address, most significant byte first, followed by its XOR checksum (AN3155 §3.4). */
export function addressFrame(address: number): Uint8Array {
  return withChecksum([(address >>> 24) & 0xff, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff]);
}
