/**
 * Changing read and write protection through the bootloader (AN3155 §3.9-3.12), shared by the `protect` and
 * `unprotect` recipe steps and the one-shot commands of the same names, and what a read-protected chip refuses.
 *
 * @module
 */

import { DeviceError } from "../errors.ts";
import type { ProtectionRequest, Target } from "./target.ts";

/** Applies `request`; resolves once the chip has reset and the link is back in sync. */
export async function changeProtection(target: Target, request: ProtectionRequest): Promise<void> {
  if (!target.protect) {
    throw new DeviceError("E_UNSUPPORTED", `this link cannot change protection (${request.kind})`, {
      hint: "use the other interface (USART or DFU) for this step",
    });
  }
  await target.protect(request);
}

/** What each protection request does, for a step's or a command's summary. */
export function describeProtection(request: ProtectionRequest): string {
  switch (request.kind) {
    case "readout-protect":
      return "read protection (RDP level 1) set";
    case "readout-unprotect":
      return "read protection removed (flash erased)";
    case "write-protect":
      return `write protection set on sector(s) ${request.pages.join(", ")}`;
    case "write-unprotect":
      return "write protection removed";
  }
}

/**
 * The `E_READ_PROTECTED` error for `chipName`: its flash can be neither read, erased page by page nor written while
 * read protection (RDP level 1) is on. `unlock` says how to remove the protection where the user is (the exact
 * command, or the recipe step); removing it mass-erases the flash, and the hint says so.
 */
export function readProtectedError(chipName: string, unlock: string, cause?: unknown): DeviceError {
  return new DeviceError(
    "E_READ_PROTECTED",
    `the ${chipName} is read-protected (RDP level 1): the bootloader refuses to read, erase or write its flash`,
    { hint: `${unlock}; that removes the protection by a MASS ERASE: everything in flash is lost`, cause },
  );
}

/** True when `error` is the `E_READ_PROTECTED` error of {@linkcode readProtectedError}. */
export function isReadProtectedError(error: unknown): error is DeviceError {
  return error instanceof DeviceError && error.code === "E_READ_PROTECTED";
}

/**
 * Throws {@linkcode DeviceError} `E_READ_PROTECTED` when the connected chip is known to be read-protected (AN3155
 * §3.4-3.8 NACK its flash reads, erases and writes; a DfuSe device answers them errVENDOR, AN3156). `unlock` says how
 * to remove the protection where the user is.
 */
export function assertNotReadProtected(target: Target, unlock: string): void {
  if (!target.identity.readProtected) return;
  throw readProtectedError(target.identity.chip.name, unlock);
}
