/**
 * What the production store needs from a database: transactions with parameterised statements, and a claim on a
 * station name that lasts as long as the process. SQLite (`sqlite_driver.ts`) and PostgreSQL
 * (`postgres_driver.ts`) provide it; `sql_store.ts` holds the one implementation of the store over either.
 *
 * Statements are written once with `$1`, `$2`… placeholders; values only ever travel as parameters.
 *
 * @module
 */

/** A value bound to a statement parameter. */
export type SqlValue = string | number | null;

/** A result row, column name to value (numbers may arrive as strings or bigints from some drivers). */
export type SqlRow = Record<string, unknown>;

/** Statements inside one transaction. */
export interface SqlTransaction {
  /** Runs a statement and returns its rows. */
  rows(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
}

/** A connection (or pool) to one database. */
export interface SqlDriver {
  /** Which SQL the statements may use where the two differ (DDL types). */
  readonly dialect: "sqlite" | "postgres";
  /**
   * Runs `work` in one transaction that holds the write lock from its first statement (SQLite `BEGIN IMMEDIATE`;
   * PostgreSQL row locks taken by the statements), commits when it resolves and rolls back when it throws.
   */
  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /**
   * Claims `station` for this process until the returned release is called or the process ends; `undefined` when
   * a live process holds it.
   */
  claimStation(station: string): Promise<(() => Promise<void>) | undefined>;
  /** Closes the connection. */
  close(): Promise<void>;
}
