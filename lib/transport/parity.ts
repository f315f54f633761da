/**
 * Parity errors on received bytes. AN3155 gives device-to-host bytes no checksum: an ACK, a product ID or a byte
 * of Read Memory data with one bit flipped on the wire is taken as it arrives. The link's even parity (8E1, §2) is
 * the only check, and a single flipped bit always breaks it — if the host looks. POSIX hosts look with INPCK and
 * learn which byte with PARMRK (termios(3): a byte received with a parity or framing error arrives as the three
 * bytes 0xFF 0x00 X, a true 0xFF as 0xFF 0xFF); Windows reports CE_RXPARITY / CE_FRAME from ClearCommError. Either
 * way the read that took the byte fails with {@linkcode ParityError}, which the protocol layers treat as a
 * transient fault: the command is retried once the session is back in sync.
 *
 * @module
 */

import { DeviceError } from "../errors.ts";

/** A byte arrived with a parity or framing error (the read that took it fails). */
export class ParityError extends DeviceError {
  constructor(detail = "") {
    super("E_PARITY", `a byte arrived with a parity or framing error${detail}`, {
      hint: "noise on the line, a wrong baud rate or parity setting, or a loose ground; shorten the wires or " +
        "lower the baud rate",
    });
  }
}

/** What {@linkcode ParmrkDecoder.decode} made of a chunk. */
export interface DecodedChunk {
  /** The received bytes, each marked byte once (with its received value). */
  data: Uint8Array;
  /** Offsets in `data` of bytes received with a parity or framing error (or a break, as a 0x00 byte). */
  errors: number[];
}

/**
 * Decodes input read with PARMRK set and IGNPAR, ISTRIP clear: `0xFF 0xFF` is one 0xFF byte, `0xFF 0x00 X` is the
 * byte X received with an error (`0xFF 0x00 0x00` may also be a break). A marking split across reads is carried to
 * the next chunk, so the decoder keeps state: one per port.
 */
export class ParmrkDecoder {
  /** The bytes of an escape begun at the end of the last chunk: [] or [0xFF] or [0xFF, 0x00]. */
  #pending: number[] = [];

  /** Decodes `chunk` (see the class text). */
  decode(chunk: Uint8Array): DecodedChunk {
    // Most chunks hold no 0xFF at all: nothing to undo.
    if (this.#pending.length === 0 && chunk.indexOf(0xff) < 0) return { data: chunk, errors: [] };
    const bytes = this.#pending.length > 0 ? Uint8Array.from([...this.#pending, ...chunk]) : chunk;
    this.#pending = [];
    const data = new Uint8Array(bytes.length);
    let length = 0;
    const errors: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte !== 0xff) {
        data[length++] = byte;
        continue;
      }
      if (i + 1 >= bytes.length) {
        this.#pending = [0xff];
        break;
      }
      const next = bytes[i + 1];
      if (next === 0xff) {
        data[length++] = 0xff;
        i++;
      } else if (next === 0x00) {
        if (i + 2 >= bytes.length) {
          this.#pending = [0xff, 0x00];
          break;
        }
        errors.push(length);
        data[length++] = bytes[i + 2];
        i += 2;
      } else {
        // Not a marking the driver makes; keep the bytes as they came.
        data[length++] = 0xff;
      }
    }
    return { data: data.subarray(0, length), errors };
  }
}
