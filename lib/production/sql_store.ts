/**
 * The production store over a {@linkcode SqlDriver}: the same statements on SQLite and PostgreSQL, every write one
 * transaction, every value a parameter.
 *
 * Serial numbers: a counter row holds the next number; issuing reads the board's existing number on that counter
 * (the same unique ID gets the same number back), else takes the next one and moves the counter past it, inserts
 * the (counter, number, board) binding and writes the number into the board's record — all in one transaction.
 * The database enforces that no number is bound twice and no board holds two numbers of one counter. A number is
 * never released: a board that failed after it was written keeps it, and gets it again when flashed again.
 *
 * @module
 */

import { DeviceError, InputError } from "../errors.ts";
import type { BoardOutcome, BoardResult, BoardStart, ProductionRecord, StepTiming } from "./record.ts";
import { migrate } from "./schema.ts";
import type { SqlDriver, SqlRow, SqlValue, StationClaim } from "./sql_driver.ts";
import type {
  BoardInProgress,
  IssuedSerial,
  ProductionStore,
  RecordFilter,
  SerialRequest,
  StationSession,
} from "./store.ts";
import { storeError } from "./store_error.ts";

/** What an interrupted board's record says. */
export const INTERRUPTED_MESSAGE =
  "the station stopped mid-board (killed or power lost); the board's state is unknown: flash it again";

/** Options of {@linkcode SqlStore.open}. */
export interface SqlStoreOptions {
  /** The store's kind, for messages and `--simulate`. */
  kind: ProductionStore["kind"];
  /** Where it is, without a password. */
  location: string;
  /** Strings never to show (the password), removed from every message. */
  secrets?: readonly (string | undefined)[];
  /** The clock; injectable for tests. */
  now?: () => Date;
}

/** The production store over SQL. */
export class SqlStore implements ProductionStore {
  readonly location: string;
  readonly kind: ProductionStore["kind"];
  readonly #driver: SqlDriver;
  readonly #secrets: readonly (string | undefined)[];
  readonly #now: () => Date;

  private constructor(driver: SqlDriver, options: SqlStoreOptions) {
    this.#driver = driver;
    this.location = options.location;
    this.kind = options.kind;
    this.#secrets = options.secrets ?? [];
    this.#now = options.now ?? (() => new Date());
  }

  /** Migrates the schema and returns the store; a failure closes the driver. */
  static async open(driver: SqlDriver, options: SqlStoreOptions): Promise<SqlStore> {
    const store = new SqlStore(driver, options);
    try {
      await migrate(driver, options.location);
    } catch (error) {
      await driver.close().catch(() => {});
      if (error instanceof InputError) throw error;
      throw storeError("open", options.location, "prepare its tables", error, store.#secrets);
    }
    return store;
  }

  async openSession(station: string): Promise<StationSession> {
    const claim = await this.#guard("open", "claim the station name", () => this.#driver.claimStation(station));
    if (!claim) {
      throw new InputError("E_STATION_BUSY", `station '${station}' is already running on ${this.location}`, {
        hint: "give each station process its own name with --station NAME (one process can run several slots)",
      });
    }
    try {
      const recovered = await this.#guard(
        "open",
        "recover interrupted boards",
        () =>
          this.#driver.transaction(async (tx) =>
            (await tx.rows(
              `UPDATE flashrecipe_boards SET result = 'INTERRUPTED', finished_at = $1, error_code = 'E_INTERRUPTED',
               error = $2 WHERE station = $3 AND result = 'IN_PROGRESS' RETURNING *`,
              [this.#now().toISOString(), INTERRUPTED_MESSAGE, station],
            )).map(recordOf).sort((a, b) => a.id - b.id)
          ),
      );
      return new SqlSession(this, station, recovered, claim);
    } catch (error) {
      await claim.release().catch(() => {});
      throw error;
    }
  }

  async records(filter: RecordFilter = {}): Promise<ProductionRecord[]> {
    const all: ProductionRecord[] = [];
    for await (const record of this.eachRecord(filter)) all.push(record);
    return all;
  }

  async *eachRecord(filter: RecordFilter = {}, pageSize = 1000): AsyncIterable<ProductionRecord> {
    // Fixed fragments only; every value is a parameter.
    const where: string[] = [];
    const params: SqlValue[] = [];
    const add = (fragment: string, value: SqlValue) => {
      params.push(value);
      where.push(fragment.replace("?", `$${params.length}`));
    };
    if (filter.since) add("started_at >= ?", filter.since.toISOString());
    if (filter.serial !== undefined) add("serial_number = ?", filter.serial);
    if (filter.board !== undefined) add("lower(board_uid) = lower(?)", filter.board);
    if (filter.station !== undefined) add("station = ?", filter.station);
    if (filter.limit !== undefined) {
      // The newest N: the id of the oldest of them bounds the pages from below.
      const sql = `SELECT min(id) AS first FROM (SELECT id FROM flashrecipe_boards${
        where.length ? ` WHERE ${where.join(" AND ")}` : ""
      } ORDER BY id DESC LIMIT $${params.length + 1}) AS newest`;
      const first = await this.#read("read records", sql, [...params, filter.limit]);
      if (first[0]?.first === null || first[0]?.first === undefined) return;
      add("id >= ?", Number(first[0].first));
    }
    let after = 0;
    for (;;) {
      const conditions = [...where, `id > $${params.length + 1}`];
      const sql = `SELECT * FROM flashrecipe_boards WHERE ${conditions.join(" AND ")} ORDER BY id LIMIT $${
        params.length + 2
      }`;
      const rows = await this.#read("read records", sql, [...params, after, pageSize]);
      for (const row of rows) yield recordOf(row);
      if (rows.length < pageSize) return;
      after = Number(rows[rows.length - 1].id);
    }
  }

  #read(what: string, sql: string, params: SqlValue[]): Promise<SqlRow[]> {
    return this.#guard("open", what, () => this.#driver.transaction((tx) => tx.rows(sql, params)));
  }

  close(): Promise<void> {
    return this.#driver.close();
  }

  /** Begins a board (used by {@linkcode SqlSession}). */
  async beginBoard(station: string, claim: StationClaim, start: BoardStart): Promise<BoardInProgress> {
    if (!await this.#guard("shift", "check the station's claim", () => claim.held())) {
      throw new DeviceError(
        "E_STATION_BUSY",
        `station '${station}' lost its name on ${this.location} to another process`,
        {
          hint: "the database dropped this station's connection and another process took the name; stop one of them",
        },
      );
    }
    const id = await this.#guard("shift", "record the start of a board", () =>
      this.#driver.transaction(async (tx) => {
        const rows = await tx.rows(
          `INSERT INTO flashrecipe_boards (started_at, station, operator, lot, recipe, recipe_sha256, tool_version,
             firmware_sha256, vars, result) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'IN_PROGRESS') RETURNING id`,
          [
            this.#now().toISOString(),
            station,
            start.operator,
            start.lot,
            start.recipe,
            start.recipeSha256,
            start.toolVersion,
            start.firmwareSha256,
            JSON.stringify(start.vars),
          ],
        );
        return Number(rows[0].id);
      }));
    return new SqlBoard(this, id, station);
  }

  /** Issues a serial number to board `id` (used by {@linkcode SqlBoard}). */
  issueSerial(id: number, station: string, request: SerialRequest): Promise<IssuedSerial> {
    return this.#guard(
      "shift",
      `issue a number of counter '${request.name}'`,
      () =>
        this.#driver.transaction(async (tx) => {
          const uid = request.boardUid || null;
          let value: number | undefined;
          let reissued = false;
          if (uid !== null) {
            const held = await tx.rows(
              `SELECT value FROM flashrecipe_serials WHERE counter = $1 AND board_uid = $2`,
              [request.name, uid],
            );
            if (held.length > 0) {
              value = Number(held[0].value);
              reissued = true;
            }
          }
          if (value === undefined) {
            await tx.rows(
              `INSERT INTO flashrecipe_counters (name, next_value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
              [request.name, request.start],
            );
            // The row lock this update takes makes every other issuer of this counter wait for our commit.
            const next = await tx.rows(
              `UPDATE flashrecipe_counters SET next_value = next_value + 1 WHERE name = $1 RETURNING next_value`,
              [request.name],
            );
            value = Number(next[0].next_value) - 1;
            if (!Number.isSafeInteger(value)) {
              throw new DeviceError("E_SERIAL_COUNTER", `counter '${request.name}' is past the largest safe number`);
            }
            const taken = await tx.rows(
              `SELECT board_uid FROM flashrecipe_serials WHERE counter = $1 AND value = $2`,
              [request.name, value],
            );
            if (taken.length > 0) {
              throw new DeviceError(
                "E_SERIAL_COUNTER",
                `counter '${request.name}' would issue ${value}, which board ${taken[0].board_uid ?? "(no ID)"} holds`,
                {
                  hint: "the counter was set back by hand; set flashrecipe_counters.next_value past the issued numbers",
                },
              );
            }
            await tx.rows(
              `INSERT INTO flashrecipe_serials (counter, value, board_uid, record_id, station, issued_at)
               VALUES ($1, $2, $3, $4, $5, $6)`,
              [request.name, value, uid, id, station, this.#now().toISOString()],
            );
          }
          await tx.rows(
            `UPDATE flashrecipe_boards SET serial_number = $1, counter = $2,
             board_uid = CASE WHEN $3 = '' THEN board_uid ELSE $3 END WHERE id = $4`,
            [String(value), request.name, uid ?? "", id],
          );
          return { value, reissued };
        }),
    );
  }

  /** Completes board `id` (used by {@linkcode SqlBoard}). */
  finishBoard(id: number, outcome: BoardOutcome): Promise<ProductionRecord> {
    return this.#guard("shift", "record the end of a board", () =>
      this.#driver.transaction(async (tx) => {
        const rows = await tx.rows(
          `UPDATE flashrecipe_boards SET finished_at = $1, chip = $2,
             board_uid = CASE WHEN $3 = '' THEN board_uid ELSE $3 END,
             serial_number = CASE WHEN $4 = '' THEN serial_number ELSE $4 END,
             steps = $5, duration_ms = $6, result = $7, error_code = $8, error = $9
           WHERE id = $10 RETURNING *`,
          [
            this.#now().toISOString(),
            outcome.chip ?? "",
            outcome.boardUid ?? "",
            outcome.serialNumber ?? "",
            JSON.stringify(outcome.steps),
            Math.round(outcome.durationMs),
            outcome.result,
            outcome.errorCode ?? "",
            outcome.error ?? "",
            id,
          ],
        );
        if (rows.length === 0) throw new Error(`record ${id} is missing`);
        return recordOf(rows[0]);
      }));
  }

  /** Runs `work`, turning a database failure into `E_STORE` without the password; typed errors pass. */
  async #guard<T>(phase: "open" | "shift", what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof InputError || error instanceof DeviceError) throw error;
      throw storeError(phase, this.location, what, error, this.#secrets);
    }
  }
}

class SqlSession implements StationSession {
  readonly station: string;
  readonly recovered: readonly ProductionRecord[];
  readonly #store: SqlStore;
  #claim: StationClaim | undefined;

  constructor(store: SqlStore, station: string, recovered: ProductionRecord[], claim: StationClaim) {
    this.#store = store;
    this.station = station;
    this.recovered = recovered;
    this.#claim = claim;
  }

  beginBoard(start: BoardStart): Promise<BoardInProgress> {
    if (!this.#claim) return Promise.reject(new Error("the station session is closed"));
    return this.#store.beginBoard(this.station, this.#claim, start);
  }

  async close(): Promise<void> {
    const claim = this.#claim;
    this.#claim = undefined;
    await claim?.release();
  }
}

class SqlBoard implements BoardInProgress {
  readonly id: number;
  readonly #store: SqlStore;
  readonly #station: string;

  constructor(store: SqlStore, id: number, station: string) {
    this.#store = store;
    this.id = id;
    this.#station = station;
  }

  issueSerial(request: SerialRequest): Promise<IssuedSerial> {
    return this.#store.issueSerial(this.id, this.#station, request);
  }

  finish(outcome: BoardOutcome): Promise<ProductionRecord> {
    return this.#store.finishBoard(this.id, outcome);
  }
}

/** A row of `flashrecipe_boards` as a record. */
function recordOf(row: SqlRow): ProductionRecord {
  const text = (name: string) => (row[name] === null || row[name] === undefined ? "" : String(row[name]));
  return {
    id: Number(row.id),
    started_at: text("started_at"),
    finished_at: text("finished_at"),
    station: text("station"),
    operator: text("operator"),
    lot: text("lot"),
    recipe: text("recipe"),
    recipe_sha256: text("recipe_sha256"),
    tool_version: text("tool_version"),
    chip: text("chip"),
    board_uid: text("board_uid"),
    firmware_sha256: text("firmware_sha256"),
    serial_number: text("serial_number"),
    counter: text("counter"),
    vars: parseJson(text("vars"), {}) as Record<string, string>,
    steps: parseJson(text("steps"), []) as StepTiming[],
    duration_ms: Number(row.duration_ms ?? 0),
    result: text("result") as BoardResult,
    error_code: text("error_code"),
    error: text("error"),
  };
}

function parseJson(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A row edited by hand still exports; the field then shows what the database holds.
    return text === "" ? fallback : text;
  }
}
