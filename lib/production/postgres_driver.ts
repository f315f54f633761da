/**
 * PostgreSQL through the `pg` npm client (node-postgres): one database for every station of a line. This module
 * is loaded only when a PostgreSQL URL is given (`open_store.ts` imports it dynamically), so other runs never load
 * the client.
 *
 * Transactions run at READ COMMITTED; the counter update takes the counter's row lock, so issuers of one counter
 * queue on it while the rest of the line carries on. A station name is claimed with a session advisory lock held
 * on a connection of its own for as long as the station runs; PostgreSQL drops it when that connection ends.
 *
 * A connection the server drops (restart, network) is discarded and the next transaction opens a new one; the
 * client's error events are handled here, so a database going away is an `E_STORE` error, never a crash.
 *
 * @module
 */

// @ts-types="@types/pg"
import pg from "pg";
import type { SqlDriver, SqlRow, SqlTransaction, SqlValue, StationClaim } from "./sql_driver.ts";

/** Advisory-lock class for station names ("fstn"). */
const STATION_LOCK_CLASS = 0x6673746e;

/** Options of {@linkcode PostgresDriver.open}. */
export interface PostgresOptions {
  /** Connections the pool may open (one per slot that writes at the same moment). */
  maxConnections?: number;
  /** Seconds to wait for a connection before the store counts as unreachable. */
  connectTimeoutSeconds?: number;
}

/** The PostgreSQL driver. */
export class PostgresDriver implements SqlDriver {
  readonly dialect = "postgres" as const;
  readonly #pool: pg.Pool;
  readonly #options: pg.ClientConfig;

  private constructor(pool: pg.Pool, options: pg.ClientConfig) {
    this.#pool = pool;
    this.#options = options;
  }

  /** Prepares a pool for `url` (the first transaction opens a connection). */
  static open(url: string, options: PostgresOptions = {}): PostgresDriver {
    const config: pg.ClientConfig = {
      connectionString: url,
      connectionTimeoutMillis: (options.connectTimeoutSeconds ?? 5) * 1000,
      // The application name shows in pg_stat_activity, for a line's database administrator.
      application_name: "flashrecipe",
    };
    const pool = new pg.Pool({ ...config, max: options.maxConnections ?? 4, idleTimeoutMillis: 60_000 });
    // An idle connection the server closed: the pool drops it; the next transaction opens a new one.
    pool.on("error", () => {});
    return new PostgresDriver(pool, config);
  }

  async transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: unknown;
    const onError = (error: unknown) => (broken = error);
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      const result = await work({
        rows: async (sql, params) => (await client.query(sql, (params ?? []) as SqlValue[])).rows as SqlRow[],
      });
      await client.query("COMMIT");
      return result;
    } catch (error) {
      broken ??= await client.query("ROLLBACK").then(() => undefined, (rollback: unknown) => rollback);
      throw error;
    } finally {
      client.off("error", onError);
      // A connection that failed is closed rather than handed to the next transaction.
      client.release(broken instanceof Error ? broken : broken === undefined ? undefined : true);
    }
  }

  async claimStation(station: string): Promise<StationClaim | undefined> {
    let client = await this.#lockStation(station);
    if (!client) return undefined;
    let lost = false;
    const watch = (connection: pg.Client) => {
      // The claim's connection ended (server restart, network): the lock went with it; held() takes it again.
      connection.on("error", () => (lost = true));
      connection.on("end", () => (lost = true));
    };
    watch(client);
    return {
      held: async () => {
        if (!lost) return true;
        const again = await this.#lockStation(station);
        if (!again) return false;
        client = again;
        lost = false;
        watch(again);
        return true;
      },
      release: async () => {
        // Closing the session releases its advisory locks.
        await client?.end().catch(() => {});
      },
    };
  }

  /** A new connection holding the station's advisory lock; `undefined` when another session holds it. */
  async #lockStation(station: string): Promise<pg.Client | undefined> {
    const client = new pg.Client(this.#options);
    client.on("error", () => {});
    try {
      await client.connect();
      const result = await client.query(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS claimed`, [
        STATION_LOCK_CLASS,
        station,
      ]);
      if (result.rows[0]?.claimed === true) return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    await client.end().catch(() => {});
    return undefined;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
