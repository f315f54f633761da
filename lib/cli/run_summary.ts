/**
 * The summary printed at the end of a run: one row per step with its duration and the bytes it moved, the chip's
 * identity, and the result line.
 *
 * @module
 */

import { printable } from "./render.ts";
import { formatPid } from "../chips/database.ts";
import { formatSize } from "../chips/format.ts";
import type { RunResult } from "../recipe/reporter.ts";
import type { TargetIdentity } from "../target/target.ts";
import type { Colours } from "./colour.ts";
import { formatDuration } from "./units.ts";

/** Total bytes the steps of a run moved over the link. */
export function bytesMoved(result: RunResult): number {
  return result.steps.reduce((sum, s) => sum + (s.outcome?.bytes ?? 0), 0);
}

/**
 * What the identity's `uniqueId` is: the 96-bit unique ID read from the chip over USART; over DFU the USB serial
 * string, which the ROM derives from it but which is not the ID itself (AN2606 says nothing of the derivation).
 */
export function idLabel(identity: TargetIdentity): string {
  return identity.transport === "dfu" ? "USB serial" : "unique ID";
}

/** One line naming a chip: `STM32F10xxx medium-density (0x410), bootloader 2.2, 64 KiB flash, unique ID ...`. */
export function describeIdentity(identity: TargetIdentity): string {
  const parts = [`${identity.chip.name}${identity.pid === undefined ? "" : ` (${formatPid(identity.pid)})`}`];
  if (identity.bootloaderVersion) parts.push(`bootloader ${identity.bootloaderVersion}`);
  parts.push(`${formatSize(identity.flashSize)} flash`);
  if (identity.uniqueId) parts.push(`${idLabel(identity)} ${identity.uniqueId}`);
  parts.push(`over ${identity.transport === "dfu" ? "USB DFU" : "USART"}`);
  return parts.join(", ");
}

/** The last line of a run: `done on CHIP: N bytes moved in T` or `FAILED ...`. */
export function resultLine(result: RunResult, colour: Colours): string {
  const chip = result.identity
    ? ` on ${result.identity.chip.name}${
      result.identity.pid === undefined ? "" : ` (${formatPid(result.identity.pid)})`
    }`
    : "";
  const status = !result.ok
    ? colour.red("FAILED")
    : result.unverified
    ? colour.yellow("done, UNVERIFIED")
    : colour.green("done");
  const error = result.error ? ` [${result.error.code}]` : "";
  const unverified = result.ok && result.unverified ? `: ${result.unverified}` : "";
  return `${status}${chip}: ${bytesMoved(result)} bytes moved in ${
    formatDuration(result.durationMs)
  }${error}${unverified}`;
}

/** The summary table, the chip line and the result line. */
export function formatRunSummary(result: RunResult, colour: Colours): string[] {
  const rows = result.steps.map((s) => [
    `${s.step.index + 1}`,
    printable(s.step.label),
    s.error ? `FAILED ${s.error.code}` : "ok",
    formatDuration(s.durationMs),
    `${s.outcome?.bytes ?? 0}`,
  ]);
  // "moved": bytes carried over the link, what the result line adds up; an erase moves none whatever it erased, a
  // CRC verify none whatever it checked — a column called "bytes" beside "erased 2048 bytes" read as a contradiction.
  const header = ["#", "step", "result", "time", "moved"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // Numbers right-aligned, text left-aligned.
  const right = [true, false, false, true, true];
  const line = (cells: string[]) =>
    cells.map((c, i) => right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])).join("  ").trimEnd();
  const lines = [colour.dim(line(header)), ...rows.map(line)];
  if (result.identity) lines.push(`chip: ${describeIdentity(result.identity)}`);
  if (result.serialNumber !== undefined) lines.push(`serial number: ${result.serialNumber}`);
  lines.push(resultLine(result, colour));
  return lines;
}
