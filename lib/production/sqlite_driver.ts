/**
 * SQLite through Deno's built-in `node:sqlite`: the embedded store of one PC.
 *
 * Correct for any number of processes on one PC: the database is in WAL mode (readers never block the writer),
 * every transaction begins `IMMEDIATE` (it holds the write lock from its first statement, so two stations can never
 * read the same counter value), a busy timeout makes a station wait its turn instead of failing, and
 * `synchronous=FULL` makes each commit durable before the next board starts. Inside one process the slots share
 * one connection and their transactions take turns through a queue.
 *
 * A station name is claimed by holding an exclusive lock on a small file beside the database
 * (`DB.station-NAME.lock`): the operating system drops it when the process ends, however it ends.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import type { SqlDriver, SqlRow, SqlTransaction, SqlValue, StationClaim } from "./sql_driver.ts";

/** How long a statement waits for another process's transaction, ms. */
export const BUSY_TIMEOUT_MS = 10_000;

/** The SQLite driver. */
export class SqliteDriver implements SqlDriver {
  readonly dialect = "sqlite" as const;
  readonly #db: DatabaseSync;
  readonly #path: string | undefined;
  readonly #statements = new Map<string, ReturnType<DatabaseSync["prepare"]>>();
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(db: DatabaseSync, path: string | undefined) {
    this.#db = db;
    this.#path = path;
  }

  /** Opens (creating it when missing) the database at `path`; `undefined` for a throwaway in-memory one. */
  static open(path: string | undefined): SqliteDriver {
    const db = new DatabaseSync(path ?? ":memory:");
    try {
      db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      if (path !== undefined) {
        db.exec("PRAGMA journal_mode = WAL");
        db.exec("PRAGMA synchronous = FULL");
      }
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteDriver(db, path);
  }

  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    const run = async () => {
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        const result = await work({ rows: (sql, params) => Promise.resolve(this.#rows(sql, params ?? [])) });
        this.#db.exec("COMMIT");
        return result;
      } catch (error) {
        if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
        throw error;
      }
    };
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => {});
    return next;
  }

  claimStation(station: string): Promise<StationClaim | undefined> {
    if (this.#path === undefined) {
      return Promise.resolve({
        held: () => Promise.resolve(true),
        release: () => Promise.resolve(),
      });
    }
    const lock = new DatabaseSync(`${this.#path}.station-${fileSafe(station)}.lock`);
    try {
      // No waiting: a lock another process holds means that station is running now.
      lock.exec("PRAGMA busy_timeout = 0");
      lock.exec("BEGIN EXCLUSIVE");
    } catch (error) {
      lock.close();
      if (error instanceof Error && /locked|busy/i.test(error.message)) return Promise.resolve(undefined);
      throw error;
    }
    // The operating system holds the lock for as long as the process keeps the file open.
    return Promise.resolve({
      held: () => Promise.resolve(true),
      release() {
        lock.close();
        return Promise.resolve();
      },
    });
  }

  close(): Promise<void> {
    return this.#queue.then(() => {
      if (this.#db.isOpen) this.#db.close();
    });
  }

  #rows(sql: string, params: readonly SqlValue[]): SqlRow[] {
    let statement = this.#statements.get(sql);
    if (!statement) {
      // `$1` placeholders become SQLite's numbered `?1`, bound by position.
      statement = this.#db.prepare(sql.replace(/\$(\d+)/g, "?$1"));
      this.#statements.set(sql, statement);
    }
    return statement.all(...params) as SqlRow[];
  }
}

/** `name` as part of a file name: kept when plain, else hex-encoded. */
function fileSafe(name: string): string {
  if (/^[A-Za-z0-9_.-]{1,64}$/.test(name) && !name.startsWith(".")) return name;
  return "x" +
    Array.from(new TextEncoder().encode(name), (b) => b.toString(16).padStart(2, "0")).join("").slice(0, 120);
}
