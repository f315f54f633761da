/**
 * Opens the production store a `--db` value names: a PostgreSQL URL (`postgres://user@host/db`), a SQLite file
 * path, or nothing for a throwaway in-memory store (dry runs). The PostgreSQL client is imported here only when a
 * PostgreSQL URL is given.
 *
 * @module
 */

import { isPostgresUrl, passwordOf, redactUrl } from "./redact.ts";
import { SqliteDriver } from "./sqlite_driver.ts";
import { SqlStore } from "./sql_store.ts";
import type { ProductionStore } from "./store.ts";
import { storeError } from "./store_error.ts";

/** How an in-memory store is named in messages. */
export const MEMORY_LOCATION = "a throwaway in-memory store (dry run: nothing is kept)";

/** Options of {@linkcode openStore}. */
export interface OpenStoreOptions {
  /** PostgreSQL: connections in the pool (one per slot writing at once, plus one for the station claim). */
  maxConnections?: number;
  /** PostgreSQL: seconds to wait for a connection. */
  connectTimeoutSeconds?: number;
}

/** Opens the store `spec` names (`undefined`: in memory), creating or migrating its tables. */
export async function openStore(spec: string | undefined, options: OpenStoreOptions = {}): Promise<ProductionStore> {
  if (spec === undefined) {
    return await SqlStore.open(SqliteDriver.open(undefined), { kind: "memory", location: MEMORY_LOCATION });
  }
  if (isPostgresUrl(spec)) {
    const location = redactUrl(spec);
    const secrets = [passwordOf(spec)];
    let driver;
    try {
      const { PostgresDriver } = await import("./postgres_driver.ts");
      driver = PostgresDriver.open(spec, options);
    } catch (error) {
      throw storeError("open", location, "connect", error, secrets);
    }
    return await SqlStore.open(driver, { kind: "postgres", location, secrets });
  }
  let driver;
  try {
    driver = SqliteDriver.open(spec);
  } catch (error) {
    throw storeError("open", spec, "open the database file", error, []);
  }
  return await SqlStore.open(driver, { kind: "sqlite", location: spec });
}
