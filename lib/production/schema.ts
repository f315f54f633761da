/**
 * The store's tables, created and migrated by the tool. `flashrecipe_schema` holds the version; each migration
 * runs once, in a transaction, and several stations starting at once on an empty database agree on one result.
 * Table names carry a `flashrecipe_` prefix so the tables can live in a database a factory already runs.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import type { SqlDriver, SqlTransaction } from "./sql_driver.ts";

/** The schema version this tool writes. */
export const SCHEMA_VERSION = 1;

/** A PostgreSQL advisory-lock key for migrations ("flsh"), so concurrent first starts take turns. */
const MIGRATION_LOCK = 0x666c7368;

/** Statements of each migration, by the version it leads to. */
function migrations(dialect: SqlDriver["dialect"]): readonly (readonly string[])[] {
  const id = dialect === "sqlite" ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
  return [
    [
      `CREATE TABLE flashrecipe_counters (name TEXT PRIMARY KEY, next_value BIGINT NOT NULL)`,
      `CREATE TABLE flashrecipe_boards (
        id ${id},
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL DEFAULT '',
        station TEXT NOT NULL,
        operator TEXT NOT NULL DEFAULT '',
        lot TEXT NOT NULL DEFAULT '',
        recipe TEXT NOT NULL DEFAULT '',
        recipe_sha256 TEXT NOT NULL DEFAULT '',
        tool_version TEXT NOT NULL DEFAULT '',
        chip TEXT NOT NULL DEFAULT '',
        board_uid TEXT NOT NULL DEFAULT '',
        firmware_sha256 TEXT NOT NULL DEFAULT '',
        serial_number TEXT NOT NULL DEFAULT '',
        counter TEXT NOT NULL DEFAULT '',
        vars TEXT NOT NULL DEFAULT '{}',
        steps TEXT NOT NULL DEFAULT '[]',
        duration_ms BIGINT NOT NULL DEFAULT 0,
        result TEXT NOT NULL,
        error_code TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT ''
      )`,
      // One number per board per counter, and never one number twice: the database enforces both.
      `CREATE TABLE flashrecipe_serials (
        counter TEXT NOT NULL,
        value BIGINT NOT NULL,
        board_uid TEXT,
        record_id BIGINT NOT NULL,
        station TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        PRIMARY KEY (counter, value),
        UNIQUE (counter, board_uid)
      )`,
      `CREATE INDEX flashrecipe_boards_station_result ON flashrecipe_boards (station, result)`,
      `CREATE INDEX flashrecipe_boards_board_uid ON flashrecipe_boards (board_uid)`,
      `CREATE INDEX flashrecipe_boards_serial_number ON flashrecipe_boards (serial_number)`,
      `CREATE INDEX flashrecipe_boards_started_at ON flashrecipe_boards (started_at)`,
    ],
  ];
}

/** Brings the database to {@linkcode SCHEMA_VERSION}; refuses a database a newer tool has migrated. */
export async function migrate(driver: SqlDriver, location: string): Promise<void> {
  await driver.transaction(async (tx) => {
    if (driver.dialect === "postgres") await tx.rows(`SELECT pg_advisory_xact_lock($1)`, [MIGRATION_LOCK]);
    await tx.rows(`CREATE TABLE IF NOT EXISTS flashrecipe_schema (version INTEGER NOT NULL)`);
    const current = await schemaVersion(tx);
    if (current > SCHEMA_VERSION) {
      throw new InputError(
        "E_STORE_SCHEMA",
        `production store ${location} has schema version ${current}; this flashrecipe knows up to ${SCHEMA_VERSION}`,
        { hint: "a newer flashrecipe migrated this database; use that version on every station of the line" },
      );
    }
    const steps = migrations(driver.dialect);
    for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
      for (const statement of steps[version - 1]) await tx.rows(statement);
    }
    if (current === 0) await tx.rows(`INSERT INTO flashrecipe_schema (version) VALUES ($1)`, [SCHEMA_VERSION]);
    else if (current < SCHEMA_VERSION) await tx.rows(`UPDATE flashrecipe_schema SET version = $1`, [SCHEMA_VERSION]);
  });
}

/** The version recorded in the database; 0 for a new one. */
export async function schemaVersion(tx: SqlTransaction): Promise<number> {
  const rows = await tx.rows(`SELECT max(version) AS version FROM flashrecipe_schema`);
  return Number(rows[0]?.version ?? 0);
}
