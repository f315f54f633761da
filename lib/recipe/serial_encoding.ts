/**
 * How a serial number becomes bytes in flash: 32- or 64-bit little-endian integers, ASCII digits, or packed BCD.
 *
 * @module
 */

/** Encodings the `serial-number` step offers. */
export const SERIAL_ENCODINGS = ["u32le", "u64le", "ascii", "bcd"] as const;

/** One of {@linkcode SERIAL_ENCODINGS}. */
export type SerialEncoding = (typeof SERIAL_ENCODINGS)[number];

/** A serial number that does not fit its field, with the reason. */
export class SerialFitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SerialFitError";
  }
}

/** Bytes a field takes: fixed for integers, `length` for text and BCD. */
export function fieldSize(encoding: SerialEncoding, length?: number): number {
  if (encoding === "u32le") return 4;
  if (encoding === "u64le") return 8;
  if (length === undefined) throw new SerialFitError(`the ${encoding} encoding needs 'length' (bytes)`);
  return length;
}

/**
 * Encodes `value` (a number or text) into its field. Throws {@linkcode SerialFitError} when it does not fit:
 * too large for the integer, too many characters or digits, or not digits where BCD needs them.
 */
export function encodeSerial(value: number | string, encoding: SerialEncoding, length?: number): Uint8Array {
  const size = fieldSize(encoding, length);
  const text = String(value);
  switch (encoding) {
    case "u32le":
    case "u64le": {
      if (!/^\d+$/.test(text)) throw new SerialFitError(`'${text}' is not a whole number`);
      const big = BigInt(text);
      const limit = 1n << BigInt(size * 8);
      if (big >= limit) throw new SerialFitError(`${text} does not fit ${size * 8} bits (largest ${limit - 1n})`);
      const out = new Uint8Array(size);
      for (let i = 0; i < size; i++) out[i] = Number((big >> BigInt(i * 8)) & 0xffn);
      return out;
    }
    case "ascii": {
      // Numbers are zero-padded to the field; other text is padded with NUL bytes.
      const padded = /^\d+$/.test(text) ? text.padStart(size, "0") : text;
      const bytes = new TextEncoder().encode(padded);
      if (bytes.length > size) throw new SerialFitError(`'${text}' needs ${bytes.length} bytes, the field has ${size}`);
      if (bytes.some((b) => b > 0x7e || b < 0x20)) throw new SerialFitError(`'${text}' is not printable ASCII`);
      const out = new Uint8Array(size);
      out.set(bytes);
      return out;
    }
    case "bcd": {
      if (!/^\d+$/.test(text)) throw new SerialFitError(`'${text}' is not all digits, as BCD needs`);
      if (text.length > size * 2) {
        throw new SerialFitError(`${text} has ${text.length} digits, the field holds ${size * 2}`);
      }
      const digits = text.padStart(size * 2, "0");
      const out = new Uint8Array(size);
      for (let i = 0; i < size; i++) out[i] = (Number(digits[2 * i]) << 4) | Number(digits[2 * i + 1]);
      return out;
    }
  }
}
