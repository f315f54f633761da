/**
 * `verify`: check that flash holds what this run wrote — by the bootloader's CRC where it offers Get Checksum,
 * otherwise by reading everything back.
 *
 * @module
 */

import { z } from "zod";
import { DeviceError } from "../../errors.ts";
import { stm32Crc } from "../../protocol/usart/stm32_crc.ts";
import { hex32 } from "../params.ts";
import { defineStep } from "../step.ts";
import { requireTarget } from "./require_target.ts";
import { unchangedOn } from "./unchanged_record.ts";

/** The parts of `[address, address + data.length)` outside the `skip` ranges, with their data. */
function outside(
  address: number,
  data: Uint8Array,
  skip: readonly { start: number; size: number }[],
): { address: number; data: Uint8Array }[] {
  let pieces = [{ address, data }];
  for (const range of skip) {
    const end = range.start + range.size;
    pieces = pieces.flatMap((piece) => {
      const pieceEnd = piece.address + piece.data.length;
      if (range.start >= pieceEnd || end <= piece.address) return [piece];
      const kept = [];
      if (range.start > piece.address) {
        kept.push({ address: piece.address, data: piece.data.subarray(0, range.start - piece.address) });
      }
      if (end < pieceEnd) kept.push({ address: end, data: piece.data.subarray(end - piece.address) });
      return kept;
    });
  }
  return pieces;
}

/** The `verify` step. */
export const verifyStep = defineStep({
  name: "verify",
  summary: "check that flash holds every image written so far in this run (CRC where offered, else read back)",
  usage: "verify: {} | verify: { method: readback }",
  schema: z.strictObject({
    method: z.enum(["auto", "readback"]).default("auto").describe(
      "auto: CRC when the bootloader offers it, else read back; readback: always read back",
    ),
  }),
  async run(params, context) {
    const target = requireTarget(context, "verify");
    if (context.written.length === 0) {
      throw new DeviceError("E_VERIFY", "nothing to verify: no image was written before this step", {
        hint: "put 'verify' after a 'write' step",
      });
    }
    const total = context.written.reduce((sum, image) => sum + image.size, 0);
    // Pages `erase: needed` proved to hold the images were neither erased nor written since (any step that could
    // change them forgets the proof): checking them again would only repeat that comparison.
    const record = unchangedOn(target);
    const proven = record ? record.pages.filter((page) => record.unchanged.has(page.index)) : [];
    let before = 0;
    let crcChecked = 0;
    let provenBytes = 0;
    for (const image of context.written) {
      for (const segment of image.segments) {
        const pieces = outside(segment.address, segment.data, proven);
        provenBytes += segment.data.length - pieces.reduce((sum, piece) => sum + piece.data.length, 0);
        for (const { address, data } of pieces) {
          const aligned = address % 4 === 0 && data.length % 4 === 0;
          const crc = params.method === "auto" && aligned ? await target.checksum?.(address, data.length) : undefined;
          if (crc !== undefined) {
            if (crc !== stm32Crc(data)) {
              throw new DeviceError("E_VERIFY", `verify failed: CRC of ${hex32(address)}+${data.length} differs`, {
                hint: "the flash does not hold the image: erase and write again",
              });
            }
            crcChecked += data.length;
          } else {
            const actual = await target.readMemory(
              address,
              data.length,
              (done) => context.progress(before + done, total),
            );
            const at = actual.findIndex((b, i) => b !== data[i]);
            if (at >= 0) {
              throw new DeviceError(
                "E_VERIFY",
                `verify failed at ${hex32(address + at)}: expected 0x${data[at].toString(16).padStart(2, "0")}, ` +
                  `read 0x${actual[at].toString(16).padStart(2, "0")}`,
                { hint: "was the flash erased before writing? is it write-protected?" },
              );
            }
          }
          before += data.length;
        }
        context.progress(before, total);
      }
    }
    const checked = total - provenBytes;
    const how = checked === 0
      ? "all in pages found unchanged before the erase"
      : crcChecked === checked
      ? "by CRC"
      : crcChecked > 0
      ? "by CRC and read-back"
      : "by read-back";
    const note = provenBytes > 0 && checked > 0
      ? ` (${provenBytes} bytes in pages found unchanged before the erase)`
      : "";
    return { summary: `verified ${total} bytes ${how}${note}`, bytes: checked - crcChecked };
  },
});
