/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, initial value 0xFFFFFFFF) and the DFU file variant.
 *
 * @module
 */

/** Byte-wise lookup table of the reflected polynomial 0xEDB88320. */
const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Runs the CRC register over `bytes` from `register` without the final inversion. */
function update(register: number, bytes: Uint8Array): number {
  let c = register;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c >>> 0;
}

/** The standard CRC-32 (as zlib's `crc32`, PNG, Ethernet): `crc32("123456789") === 0xCBF43926`. */
export function crc32(bytes: Uint8Array): number {
  return (update(0xffffffff, bytes) ^ 0xffffffff) >>> 0;
}

/**
 * The `dwCRC` of a DFU suffix: CRC-32 of every byte of the file before the field, with no final inversion
 * (DFU 1.1 Appendix B; dfu-util and DfuSe tools compute the same).
 */
export function dfuCrc(bytes: Uint8Array): number {
  return update(0xffffffff, bytes);
}
