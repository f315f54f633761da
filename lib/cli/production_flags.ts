/**
 * The production-store options `run`, `station` and `records` share, and which store they name: `--db` (a SQLite
 * file or a PostgreSQL URL), else `FLASHRECIPE_DB`, else the command's default. A dry run (`--simulate`) uses a
 * throwaway in-memory store unless `--db` is given explicitly, so it never touches production data.
 *
 * @module
 */

import type { OptionSpec, ParsedArgs } from "./args.ts";
import { InputError } from "../errors.ts";
import type { ProductionRecord } from "../production/record.ts";
import { STORE_ERROR_POLICIES, type StoreErrorPolicy } from "../production/store_retry.ts";

/** The environment variable naming the store when `--db` is not given. */
export const DB_ENV = "FLASHRECIPE_DB";

/** The station's default store: a SQLite file in the current folder. */
export const DEFAULT_DB = "flashrecipe-station.db";

/** `--db`. */
export const DB_OPTION: OptionSpec = {
  name: "db",
  type: "string",
  valueName: "FILE|URL",
  description: `production store: SQLite file or postgres://user@host/db (${DB_ENV}; ${DEFAULT_DB})`,
};

/** The options of a command that records boards. */
export const RECORD_OPTIONS: readonly OptionSpec[] = [
  DB_OPTION,
  { name: "operator", type: "string", valueName: "NAME", description: "who runs the station, for the records" },
  { name: "lot", type: "string", valueName: "LOT", description: "lot or work order, for the records" },
];

/** `--on-db-error`. */
export const ON_DB_ERROR_OPTION: OptionSpec = {
  name: "on-db-error",
  type: "string",
  valueName: "wait|stop",
  description: "when the store cannot be written mid-shift: stop (default) or wait for it",
};

/** Which store the command line names: a spec for `openStore`, `undefined` for an in-memory one. */
export function storeSpec(
  args: ParsedArgs,
  options: { simulate: boolean; fallback: string | undefined; env?: (name: string) => string | undefined },
): string | undefined {
  const explicit = args.options.db as string | undefined;
  if (explicit !== undefined) {
    if (explicit.trim() === "") throw new InputError("E_USAGE", "--db needs a file path or a postgres:// URL");
    return explicit;
  }
  if (options.simulate) return undefined;
  const fromEnv = (options.env ?? ((name) => Deno.env.get(name)))(DB_ENV);
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : options.fallback;
}

/** `--on-db-error` as a policy (default `stop`). */
export function storeErrorPolicy(args: ParsedArgs): StoreErrorPolicy {
  const value = (args.options["on-db-error"] as string | undefined) ?? "stop";
  if (!(STORE_ERROR_POLICIES as readonly string[]).includes(value)) {
    throw new InputError("E_USAGE", `--on-db-error must be wait or stop, not '${value}'`);
  }
  return value as StoreErrorPolicy;
}

/** `--operator` and `--lot`, empty when not given. */
export function operatorAndLot(args: ParsedArgs): { operator: string; lot: string } {
  return {
    operator: (args.options.operator as string | undefined) ?? "",
    lot: (args.options.lot as string | undefined) ?? "",
  };
}

/** The warning for a board its station left in progress, now marked `INTERRUPTED`. */
export function interruptedWarning(record: ProductionRecord): string {
  const serial = record.serial_number ? `, serial ${record.serial_number}` : "";
  return `record ${record.id} (board ${record.board_uid || "not identified"}${serial}) was in progress when station ` +
    `${record.station} last stopped: marked INTERRUPTED; flash that board again`;
}
