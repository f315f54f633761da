/**
 * Faults a simulated bootloader can be told to commit, shared by the USART device (lib/sim/usart_device.ts) and
 * the DfuSe device (lib/sim/dfuse/): one spec type, one text form (`sim usart --fault ...`), one schedule that
 * says when a fault fires. A real bootloader does none of this on purpose; line noise, resets, worn flash and
 * unplugged cables do it to real hosts, and the host must then either succeed with the flash exactly right or stop
 * with a clear error.
 *
 * A fault names what goes wrong (`kind`), where (`at`: a command or request of the device's own protocol, by the
 * lower-case hyphenated name each device lists in its `FAULT_POINTS`) and when (`occurrence`: the n-th time that
 * point is reached, 1-based; `times`: how often it fires from then on). Devices ignore kinds that make no sense
 * for them and say so in their list of supported kinds.
 *
 * Text form, for command lines: `KIND[@AT][:key=value,...]`, e.g. `corrupt-reply@get-id:byte=2,bit=2`,
 * `noise-before-sync:ms=500`, `nack-once@write-memory:occurrence=3`, `slow-erase:factor=4`,
 * `stuck-bit:address=0x08000400,bit=3`, `protect-pages:pages=4-7`.
 *
 * @module
 */

import { InputError } from "../errors.ts";

/**
 * What can go wrong on a bootloader's link and in its flash: every kind the USART device (usart_device.ts) commits.
 * The DfuSe device commits several of them too (lib/sim/dfuse/faults.ts lists which).
 */
export const USART_FAULT_KINDS = [
  /**
   * A reply byte arrives with a bit flipped (`byte`: index in the reply, default 0; `bit`, default 0). On a link
   * that carries parity (the simulated 8E1 board over the memory pipe) the byte arrives with a parity error, as a
   * single flipped bit does on a real UART; on a pty it arrives silently.
   */
  "corrupt-reply",
  /** The reply never leaves the device (the host times out); the device then waits for the next command. */
  "drop-reply",
  /** The device refuses once (USART NACK; DFU: an error status), as a transient failure would. */
  "nack-once",
  /** Bytes arrive before the bootloader listens: `ms` of noise (an application printing, a GPS on RX). */
  "noise-before-sync",
  /** The link goes away (adapter unplugged): the device stops answering and closes its end. */
  "hang-up",
  /** The chip resets in the middle of the command: the rest is lost, its bootloader waits for a new sync. */
  "reset",
  /** Erases take `factor` times the datasheet's typical time (default 3). */
  "slow-erase",
  /** A write is acknowledged but programs nothing (worn or failing flash, a bootloader bug). */
  "skip-write",
  /** One flash bit at `address` reads as 0 whatever is programmed (`bit`, default 0). */
  "stuck-bit",
  /** Pages (`pages`) are write-protected from power-up: erases and writes there are refused. */
  "protect-pages",
] as const;

/** What goes wrong in DFU requests only (the DfuSe device); the USART bootloader has no such answers. */
export const DFU_REQUEST_FAULT_KINDS = [
  /** DFU: the device stalls the control request (the DFU engineer's kinds follow the same spec). */
  "stall",
  /** DFU: the device reports an error status (`status`: the bStatus code) for the request. */
  "error-status",
  /** DFU: an erase is acknowledged but erases nothing (the page keeps what it held). */
  "skip-erase",
] as const;

/** What can go wrong: every kind of fault, in the order usage messages list them. */
export const FAULT_KINDS = [...USART_FAULT_KINDS, ...DFU_REQUEST_FAULT_KINDS] as const;

/** A kind of fault. */
export type FaultKind = typeof FAULT_KINDS[number];

/** One fault to inject. */
export interface FaultSpec {
  /** What goes wrong. */
  kind: FaultKind;
  /**
   * Where: a fault point of the device (USART: `get`, `get-id`, `read-memory`, `write-memory`, `erase`,
   * `get-checksum`, `go`, ...; DFU: its request names). Absent: the first point the kind applies to.
   */
  at?: string;
  /** Fire at the n-th time the point is reached (1-based, default 1). */
  occurrence?: number;
  /** How many times it fires from then on (default 1; `Infinity` for always). */
  times?: number;
  /** `corrupt-reply`: index of the byte in the reply (default 0). */
  byte?: number;
  /** `corrupt-reply`, `stuck-bit`: which bit (0-7, default 0). */
  bit?: number;
  /** `stuck-bit`: the flash address. */
  address?: number;
  /** `protect-pages`: page indexes. */
  pages?: number[];
  /** `noise-before-sync`: how long the noise lasts, ms (default 500). */
  ms?: number;
  /** `slow-erase`: how many times slower than typical (default 3). */
  factor?: number;
  /** `error-status`: the status code to report. */
  status?: number;
  /** Seed of the pseudo-random bytes a fault makes up (noise), for reproducible runs. */
  seed?: number;
}

/**
 * Decides when faults fire: each device calls {@linkcode FaultSchedule.take} with the kind and the point it has
 * reached; the schedule counts visits per point and hands out a fault when its occurrence comes.
 */
export class FaultSchedule {
  readonly #faults: { spec: FaultSpec; visits: number; fired: number }[];

  constructor(faults: readonly FaultSpec[] = []) {
    this.#faults = faults.map((spec) => ({ spec, visits: 0, fired: 0 }));
  }

  /** Whether any fault is configured. */
  get empty(): boolean {
    return this.#faults.length === 0;
  }

  /** The faults as given. */
  get specs(): FaultSpec[] {
    return this.#faults.map((f) => f.spec);
  }

  /**
   * The fault of `kind` due at `point` now, if any: counts this visit (per fault) and fires when the visit number
   * reaches the fault's occurrence, up to its `times`.
   */
  take(kind: FaultKind, point: string): FaultSpec | undefined {
    for (const fault of this.#faults) {
      if (fault.spec.kind !== kind) continue;
      if (fault.spec.at !== undefined && fault.spec.at !== point) continue;
      fault.visits++;
      const due = fault.visits >= (fault.spec.occurrence ?? 1) && fault.fired < (fault.spec.times ?? 1);
      if (due) {
        fault.fired++;
        return fault.spec;
      }
    }
    return undefined;
  }

  /** The standing fault of `kind` (one that holds all the time, e.g. `stuck-bit`, `protect-pages`), if any. */
  standing(kind: FaultKind): FaultSpec[] {
    return this.#faults.filter((f) => f.spec.kind === kind).map((f) => f.spec);
  }
}

/**
 * Parses the text form (see the module text), e.g. `corrupt-reply@get-id:byte=2,bit=2`. A mistake is a usage
 * error naming the option.
 */
export function parseFaultSpec(text: string, option = "--fault"): FaultSpec {
  const usage = (why: string) =>
    new InputError("E_USAGE", `${option} '${text}': ${why}`, {
      hint: `KIND[@POINT][:key=value,...] with KIND one of ${FAULT_KINDS.join(", ")}`,
    });
  const [head, params = ""] = splitOnce(text.trim(), ":");
  const [kindText, at] = splitOnce(head, "@");
  if (!(FAULT_KINDS as readonly string[]).includes(kindText)) throw usage(`unknown fault '${kindText}'`);
  const spec: FaultSpec = { kind: kindText as FaultKind };
  if (at) spec.at = at;
  for (const pair of params.split(",").filter((p) => p.length > 0)) {
    const [key, value] = splitOnce(pair, "=");
    if (value === undefined || value === "") throw usage(`'${key}' needs a value`);
    if (key === "pages") {
      spec.pages = parsePages(value, usage);
      continue;
    }
    const number = Number(value);
    if (!Number.isFinite(number) && value !== "Infinity") throw usage(`'${key}' must be a number, not '${value}'`);
    switch (key) {
      case "occurrence":
      case "times":
      case "byte":
      case "bit":
      case "address":
      case "ms":
      case "factor":
      case "status":
      case "seed":
        spec[key] = number;
        break;
      default:
        throw usage(`unknown parameter '${key}'`);
    }
  }
  return spec;
}

function parsePages(value: string, usage: (why: string) => Error): number[] {
  const pages: number[] = [];
  for (const part of value.split("+")) {
    const [from, to] = splitOnce(part, "-").map(Number);
    const last = Number.isNaN(to) || to === undefined ? from : to;
    if (!Number.isInteger(from) || !Number.isInteger(last) || last < from || last - from > 65535) {
      throw usage(`pages must look like 4-7 or 1+3, not '${value}'`);
    }
    for (let page = from; page <= last; page++) pages.push(page);
  }
  return pages;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
