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

/**
 * What a failed verify leaves to check. The verify does not know whether this run erased the flash first (the
 * write one-shot and `erase: needed` do), so the hint names every cause rather than "erase first", which misleads
 * right after the tool's own erase (issue 14 #9, the same rule as the DFU status hints).
 */
const VERIFY_HINT = "the flash does not hold what was written: a block lost or not programmed (link fault, failing " +
  "flash), write protection (WRP option bytes), or flash not erased before the write; run again, and if it fails " +
  "at the same address check the write-protection option bytes";

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
          hint: VERIFY_HINT,
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
          { hint: VERIFY_HINT },
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
