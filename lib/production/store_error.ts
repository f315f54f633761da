/**
 * Errors of the production store. A store that cannot be reached or written is `E_STORE`: before the first board
 * nothing was sent to a device (exit 2); during a shift it stops or holds the line (exit 1).
 *
 * @module
 */

import { DeviceError, type FlashRecipeError, InputError } from "../errors.ts";
import { redactSecrets } from "./redact.ts";

/** When the store failed: before any board (`open`) or while boards were being run (`shift`). */
export type StorePhase = "open" | "shift";

/** A store failure as a user error, its message cleaned of `secrets`. */
export function storeError(
  phase: StorePhase,
  location: string,
  what: string,
  cause: unknown,
  secrets: readonly (string | undefined)[],
): FlashRecipeError {
  const detail = redactSecrets(cause instanceof Error ? cause.message : String(cause), secrets);
  const message = `production store ${location}: cannot ${what}: ${detail}`;
  const hint = phase === "open"
    ? "check --db (a file path or postgres://user@host/db), that the database server runs and accepts this user"
    : "no board is started until the store records again; check the database server and the network";
  // The cause is dropped on purpose: a driver's error object may carry the connection options, password included.
  return phase === "open"
    ? new InputError("E_STORE", message, { hint })
    : new DeviceError("E_STORE", message, { hint });
}
