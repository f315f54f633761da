/**
 * The fastest a write+verify can be on the USART link, whatever the host: the bytes AN3155 puts on the wire, the
 * adapter's turnaround latency for every reply, and the device's own erase and program times (the datasheet
 * figures the simulator uses, lib/sim/timing.ts).
 *
 *   limit = (bytesOut + bytesIn) × bitsPerByte / baud      wire time (8E1: 11 bits a byte)
 *         + replies × latency                             one adapter turnaround per reply
 *         + Σ eraseMs(page to erase)                      page/sector erase (datasheet, typical)
 *         + Σ ⌈chunk / programUnit⌉ × programUnitUs       programming (datasheet, typical)
 *
 * counting, with the fewest commands the protocol allows (AN3155 §3):
 *   connect   0x7F → ACK; Get → ACK n v cmds… ACK; Get ID → ACK n pid pid ACK        (3 replies)
 *   erase     one Erase 0x43 (1 + P + 1 bytes) or Extended Erase 0x44 (2 + 2P + 1) for the P pages to erase
 *             (2 replies), none when P is 0. Every row starts from a blank chip (a fresh simulator), where a page the
 *             image fills needs no erase on chips whose flash refuses or ANDs a program over data
 *             (`ChipInfo.flash.programOverData`; lib/target/blank_pages.ts): the verify, which reads every byte
 *             of such a page anyway, proves it. A page the image fills only in part is erased, which is cheaper
 *             than reading back the rest of it (an F1 page erase, 20 ms, against ~24 ms per 256 bytes read).
 *   write     per 256-byte block holding anything but 0xFF: cmd 2, address 5, N-1 + data + XOR      (3 replies)
 *   verify    Get Checksum over the image when listed (cmd 2, address 5, size 5, polynomial 5, initial value 5 →
 *             5 ACKs + CRC 5: 5 replies);
 *             else Read Memory per 256 bytes: cmd 2, address 5, length 2 → ACK, ACK, ACK + data    (3 replies)
 *   compare   (re-flash) proving the flash already holds the image costs the verify traffic, and nothing else.
 *
 * @module
 */

import { flashPages } from "../../lib/chips/layout.ts";
import { simulatedPart } from "../../lib/sim/parts.ts";
import { SimulatedChip } from "../../lib/sim/sim_chip.ts";
import { familyTiming, typicalTiming, uartTransferMs } from "../../lib/sim/timing.ts";
import { nonBlankChunks } from "./images.ts";

/** Link parameters of a USART bench row. */
export interface UsartLink {
  /** Baud rate. */
  baud: number;
  /** Bits per byte on the wire (11 for 8E1). */
  bitsPerByte: number;
  /** Adapter turnaround latency per reply, ms. */
  latencyMs: number;
}

/** The limit and what it is made of, in milliseconds. */
export interface UsartLimit {
  /** The whole limit. */
  totalMs: number;
  /** Wire time. */
  wireMs: number;
  /** Turnaround latency. */
  latencyMs: number;
  /** Erase time. */
  eraseMs: number;
  /** Program time. */
  programMs: number;
}

/** The limit for `image` at the start of flash of `chipName`; `reflash`: the flash already holds the image. */
export function usartLimit(chipName: string, image: Uint8Array, link: UsartLink, reflash = false): UsartLimit {
  const part = simulatedPart(chipName);
  const { commands } = part.usart;
  const pages = flashPages(part.chip, part.part.flashSize);
  const timing = typicalTiming(familyTiming(part.chip));
  const programUnit = new SimulatedChip(part).flash.programUnit;
  let out = 0, input = 0, replies = 0, eraseMs = 0, programMs = 0;
  // connect: sync, Get, Get ID
  out += 1 + 2 + 2;
  input += 1 + (4 + commands.length) + 5;
  replies += 3;
  // verify (or, for a re-flash, the comparison that proves nothing needs writing)
  if (commands.includes(0xa1)) {
    // One Get Checksum over the image (AN3155 Rev 20 §3.13): cmd 2, address 5, size 5, polynomial 5, initial
    // value 5 → 5 ACKs + CRC 4 + XOR; 5 replies (the last ACK and the CRC come together).
    out += 22;
    input += 5 + 5;
    replies += 5;
  } else {
    const reads = Math.ceil(image.length / 256);
    out += reads * 9;
    input += reads * 3 + image.length;
    replies += reads * 3;
  }
  if (!reflash) {
    const offset = (p: { start: number }) => p.start - part.chip.flash.base;
    const touched = pages.filter((p) => offset(p) < image.length);
    const blankSkips = part.chip.flash.programOverData !== undefined;
    const toErase = touched.filter((p) => !(blankSkips && offset(p) + p.size <= image.length));
    if (toErase.length > 0) {
      const extended = !commands.includes(0x43);
      out += 2 + (extended ? 3 + 2 * toErase.length : 2 + toErase.length);
      input += 2;
      replies += 2;
    }
    eraseMs = toErase.reduce((sum, p) => sum + timing.eraseMs(p.size), 0);
    for (const size of nonBlankChunks(image)) {
      out += 2 + 5 + size + 2;
      input += 3;
      replies += 3;
      programMs += (Math.ceil(size / programUnit) * timing.programUnitUs) / 1000;
    }
  }
  const wireMs = uartTransferMs(out + input, link.baud, link.bitsPerByte);
  const latencyMs = replies * link.latencyMs;
  return { totalMs: wireMs + latencyMs + eraseMs + programMs, wireMs, latencyMs, eraseMs, programMs };
}
