/**
 * Checking that flash holds given data: by the bootloader's CRC (AN3155 Get Checksum) where it offers one and the
 * piece is whole words, otherwise by reading it back. Shared by the `verify` step and the `write` one-shot.
 *
 * @module
 */

import { formatAddress } from "../chips/format.ts";
import { DeviceError } from "../errors.ts";
import { stm32Crc } from "../protocol/usart/stm32_crc.ts";
import type { ProgressCallback, Target } from "./target.ts";
import type { Piece } from "./unchanged_pages.ts";

/** Options of {@linkcode verifyPieces}. */
export interface VerifyOptions {
  /** Use Get Checksum where offered (default true); false always reads back. */
  useChecksum?: boolean;
  /** Progress in bytes over all pieces. */
  progress?: ProgressCallback;
}

/** How many bytes each method checked. */
export interface VerifyResult {
  /** Bytes checked by CRC. */
  crcBytes: number;
  /** Bytes read back. */
  readBytes: number;
}

/** Checks every piece; throws `E_VERIFY` naming the first difference. */
export async function verifyPieces(
  target: Target,
  pieces: readonly Piece[],
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const total = pieces.reduce((sum, piece) => sum + piece.data.length, 0);
  const result: VerifyResult = { crcBytes: 0, readBytes: 0 };
  let before = 0;
  for (const { address, data } of pieces) {
    const aligned = address % 4 === 0 && data.length % 4 === 0;
    const crc = (options.useChecksum ?? true) && aligned ? await target.checksum?.(address, data.length) : undefined;
    if (crc !== undefined) {
      if (crc !== stm32Crc(data)) {
        throw new DeviceError("E_VERIFY", `verify failed: CRC of ${formatAddress(address)}+${data.length} differs`, {
          hint: "the flash does not hold the image: erase and write again",
        });
      }
      result.crcBytes += data.length;
    } else {
      const actual = await target.readMemory(address, data.length, (done) => options.progress?.(before + done, total));
      const at = actual.findIndex((byte, i) => byte !== data[i]);
      if (at >= 0) {
        throw new DeviceError(
          "E_VERIFY",
          `verify failed at ${formatAddress(address + at)}: expected 0x${hex2(data[at])}, read 0x${hex2(actual[at])}`,
          { hint: "was the flash erased before writing? is it write-protected?" },
        );
      }
      result.readBytes += data.length;
    }
    before += data.length;
    options.progress?.(before, total);
  }
  return result;
}

/** Names the methods a result used: `CRC`, `read-back`, or `CRC and read-back`. */
export function verifiedBy(result: VerifyResult): "CRC" | "read-back" | "CRC and read-back" {
  if (result.readBytes === 0) return "CRC";
  return result.crcBytes > 0 ? "CRC and read-back" : "read-back";
}

function hex2(value: number): string {
  return value.toString(16).padStart(2, "0");
}
