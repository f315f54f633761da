/**
 * PostgreSQL through the `postgres` npm client: one database for every station of a line. This module is loaded
 * only when a PostgreSQL URL is given (`open_store.ts` imports it dynamically), so other runs never load the
 * client.
 *
 * Transactions run at READ COMMITTED; the counter update takes the counter's row lock, so issuers of one counter
 * queue on it while the rest of the line carries on. A station name is claimed with a session advisory lock held
 * on a connection of its own for as long as the station runs; PostgreSQL drops it when that connection ends.
 *
 * @module
 */

import postgres from "postgres";
import type { SqlDriver, SqlRow, SqlTransaction, SqlValue } from "./sql_driver.ts";

/** Advisory-lock class for station names ("fstn"). */
const STATION_LOCK_CLASS = 0x6673746e;

/** Options of {@linkcode PostgresDriver.open}. */
export interface PostgresOptions {
  /** Connections the pool may open (one per slot that writes at the same moment, plus the station claim). */
  maxConnections?: number;
  /** Seconds to wait for a connection before the store counts as unreachable. */
  connectTimeoutSeconds?: number;
}

/** The PostgreSQL driver. */
export class PostgresDriver implements SqlDriver {
  readonly dialect = "postgres" as const;
  readonly #sql: postgres.Sql;

  private constructor(sql: postgres.Sql) {
    this.#sql = sql;
  }

  /** Connects to `url` (the first statement opens the connection). */
  static open(url: string, options: PostgresOptions = {}): PostgresDriver {
    const sql = postgres(url, {
      max: options.maxConnections ?? 4,
      connect_timeout: options.connectTimeoutSeconds ?? 5,
      idle_timeout: 60,
      onnotice: () => {},
      // The application name shows in pg_stat_activity, for a line's database administrator.
      connection: { application_name: "flashrecipe" },
    });
    return new PostgresDriver(sql);
  }

  async transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return await this.#sql.begin((tx) =>
      work({
        rows: async (sql, params) => [...await tx.unsafe(sql, (params ?? []) as SqlValue[])] as SqlRow[],
      })
    ) as T;
  }

  async claimStation(station: string): Promise<(() => Promise<void>) | undefined> {
    const connection = await this.#sql.reserve();
    try {
      const [row] = await connection.unsafe(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS claimed`, [
        STATION_LOCK_CLASS,
        station,
      ]);
      if (row.claimed !== true) {
        connection.release();
        return undefined;
      }
    } catch (error) {
      connection.release();
      throw error;
    }
    return async () => {
      try {
        await connection.unsafe(`SELECT pg_advisory_unlock($1, hashtext($2))`, [STATION_LOCK_CLASS, station]);
      } finally {
        connection.release();
      }
    };
  }

  async close(): Promise<void> {
    await this.#sql.end({ timeout: 5 });
  }
}
