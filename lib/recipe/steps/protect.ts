/**
 * `protect` and `unprotect`: read protection (RDP level 1) and write protection, through the bootloader's
 * protection commands (AN3155 §3.9-3.12). Each makes the chip reset; the tool re-syncs.
 *
 * @module
 */

import { z } from "zod";
import { readoutUnprotectWithProgress } from "../../target/erase_progress.ts";
import { changeProtection } from "../../target/protection.ts";
import type { ProgressCallback, ProtectionRequest, Target } from "../../target/target.ts";
import { defineStep } from "../step.ts";
import { requireTarget } from "./require_target.ts";
import type { FlashLedger } from "../../flash/ledger.ts";

async function apply(
  target: Target,
  request: ProtectionRequest,
  ledger: FlashLedger | undefined,
  progress?: ProgressCallback,
): Promise<void> {
  // Protection changes can erase the flash (readout unprotect) or hide it: what `erase: needed` proved is void.
  ledger?.forget();
  if (request.kind === "readout-unprotect" && progress) {
    // The chip mass-erases its flash on the way out of read protection: show it as an erase.
    await readoutUnprotectWithProgress(target, () => changeProtection(target, request), progress);
  } else await changeProtection(target, request);
}

/** The `protect` step. */
export const protectStep = defineStep({
  name: "protect",
  summary: "turn on read protection (RDP level 1) or write-protect sectors; the chip resets",
  usage: "protect: { read: true } | protect: { write: [0, 1] }",
  // RDP level 1 (AN3155 §3.11): the bootloader refuses Read and Write Memory afterwards, until `unprotect: read`.
  flow: (params) => (params.read ? { readProtection: true } : {}),
  schema: z.strictObject({
    read: z.literal(true).optional().describe("RDP level 1: flash can no longer be read through the bootloader"),
    write: z.array(z.number().int().min(0).max(255)).min(1).optional().describe(
      "sector (write-protection group) numbers as the bootloader counts them",
    ),
  }).refine((p) => p.read || p.write, "give 'read: true' or 'write: [...]'"),
  async run(params, context) {
    const target = requireTarget(context, "protect");
    const done: string[] = [];
    if (params.write) {
      await apply(target, { kind: "write-protect", pages: params.write }, context.flash);
      done.push(`write protection on sector(s) ${params.write.join(", ")}`);
    }
    if (params.read) {
      await apply(target, { kind: "readout-protect" }, context.flash);
      done.push("read protection (RDP level 1)");
    }
    return { summary: `${done.join(" and ")} set; the chip reset and the link re-synced` };
  },
});

/** The `unprotect` step. */
export const unprotectStep = defineStep({
  name: "unprotect",
  summary: "remove read protection (this ERASES all flash) and/or write protection; the chip resets",
  usage: "unprotect: all | read | write",
  flow: (params) => (params === "write" ? {} : { readProtection: false }),
  schema: z.enum(["all", "read", "write"]).describe("read: removes RDP (mass erase); write: removes WRP"),
  async run(params, context) {
    const target = requireTarget(context, "unprotect");
    const done: string[] = [];
    if (params === "read" || params === "all") {
      await apply(
        target,
        { kind: "readout-unprotect" },
        context.flash,
        (done, total) => context.progress(done, total, "pages"),
      );
      done.push("read protection removed (flash erased)");
    }
    if (params === "write" || params === "all") {
      await apply(target, { kind: "write-unprotect" }, context.flash);
      done.push("write protection removed");
    }
    return { summary: `${done.join("; ")}; the chip reset and the link re-synced` };
  },
});
