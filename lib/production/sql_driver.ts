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

/** A station name held by this process. */
export interface StationClaim {
  /**
   * Whether the claim still holds, taking it again if the database dropped it (PostgreSQL: the claim's connection
   * ended); false when another process has taken the name meanwhile.
   */
  held(): Promise<boolean>;
  /** Lets the name go. */
  release(): Promise<void>;
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
   * Claims `station` for this process until it is released or the process ends; `undefined` when a live process
   * holds it.
   */
  claimStation(station: string): Promise<StationClaim | undefined>;
  /** Closes the connection. */
  close(): Promise<void>;
}
