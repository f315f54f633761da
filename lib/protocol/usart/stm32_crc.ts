/**
 * The CRC the STM32 CRC peripheral computes, which the bootloader's Get Checksum command returns (AN3155 Rev 20 §3.13):
 * CRC-32 polynomial 0x04C11DB7, initial value 0xFFFFFFFF, fed 32-bit little-endian words MSB first, no reflection
 * and no final XOR (RM0008 §4 "CRC calculation unit").
 *
 * @module
 */

/** The STM32 CRC unit's default polynomial (RM0008 §4.2), what the bootloader's Get Checksum host sends. */
export const STM32_CRC_POLYNOMIAL = 0x04c1_1db7;

/** Initial value of the STM32 CRC unit. */
export const STM32_CRC_INIT = 0xffff_ffff;

const tables = new Map<number, Uint32Array>();

/** The byte-at-a-time table of a non-reflected CRC-32 with `polynomial`, built once per polynomial. */
function tableFor(polynomial: number): Uint32Array {
  let table = tables.get(polynomial);
  if (table) return table;
  table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000_0000 ? (crc << 1) ^ polynomial : crc << 1;
    table[i] = crc >>> 0;
  }
  tables.set(polynomial, table);
  return table;
}

/**
 * Continues an STM32 CRC over `data`, whose length must be a multiple of 4 (the unit takes 32-bit words).
 * Each word is read little-endian, as the CPU reads it from memory, then shifted in MSB first. `polynomial`
 * defaults to the unit's reset value; Get Checksum (AN3155) lets the host choose another.
 */
export function stm32Crc(data: Uint8Array, crc = STM32_CRC_INIT, polynomial = STM32_CRC_POLYNOMIAL): number {
  if (data.length % 4 !== 0) throw new RangeError("the STM32 CRC works on whole 32-bit words");
  const table = tableFor(polynomial >>> 0);
  let value = crc >>> 0;
  for (let i = 0; i < data.length; i += 4) {
    // Little-endian word, fed from its most significant byte down.
    for (const b of [data[i + 3], data[i + 2], data[i + 1], data[i]]) {
      value = ((value << 8) ^ table[((value >>> 24) ^ b) & 0xff]) >>> 0;
    }
  }
  return value;
}
