/**
 * The production store: where serial numbers are issued and every board is recorded, shared by every slot of a
 * station process and by every station process of a line.
 *
 * Use:
 *
 * ```ts
 * const store = await openStore("line3.db");                  // or "postgres://…"; see open_store.ts
 * const session = await store.openSession("bench-2");         // claims the station name, recovers killed boards
 * const board = await session.beginBoard(start);              // an IN_PROGRESS row, committed
 * const serial = await board.issueSerial({ name: "sn", start: 1000, boardUid }); // in one transaction
 * await board.finish(outcome);                                // the row completed, committed
 * await session.close(); await store.close();
 * ```
 *
 * Every method may be called from several slots of one process at once (each board has its own
 * {@linkcode BoardInProgress}); every write is one transaction, so any number of processes may share the store.
 * One process holds one {@linkcode StationSession} per station name and begins all its slots' boards through it;
 * with PostgreSQL, open the store with `maxConnections` at least the number of slots so no slot waits for another's
 * connection (SQLite: the slots share one connection and their transactions take turns, each well under a ms).
 *
 * @module
 */

import type { BoardOutcome, BoardStart, ProductionRecord } from "./record.ts";

/** A serial number issued to a board. */
export interface IssuedSerial {
  /** The number. */
  value: number;
  /** True when the board already had this number from an earlier run (the same unique ID on the same counter). */
  reissued: boolean;
}

/** Which counter to draw from, and for which board. */
export interface SerialRequest {
  /** The counter's name (from the recipe). */
  name: string;
  /** The first number when the counter does not exist yet. */
  start: number;
  /** The board's unique ID; a board seen before gets its number again. Without one, a fresh number is issued. */
  boardUid?: string;
}

/** Filters of {@linkcode ProductionStore.records}. */
export interface RecordFilter {
  /** Only boards started at or after this time. */
  since?: Date;
  /** Only boards with this serial number. */
  serial?: string;
  /** Only this board (unique ID, case-insensitive). */
  board?: string;
  /** Only this station. */
  station?: string;
  /** At most this many records (the newest ones). */
  limit?: number;
}

/** One board being run: its row is `IN_PROGRESS` until {@linkcode BoardInProgress.finish}. */
export interface BoardInProgress {
  /** The record's id. */
  readonly id: number;
  /**
   * Issues the next number of a counter to this board, or the number the board already has; the number and its
   * binding to the board are committed before this resolves, and the record shows it at once.
   */
  issueSerial(request: SerialRequest): Promise<IssuedSerial>;
  /** Completes the record (committed when this resolves); returns it. */
  finish(outcome: BoardOutcome): Promise<ProductionRecord>;
}

/** A station's claim on its name in a store: boards are begun through it. */
export interface StationSession {
  /** The station's name. */
  readonly station: string;
  /** Boards this station left `IN_PROGRESS` (killed, power lost), now marked `INTERRUPTED`. */
  readonly recovered: readonly ProductionRecord[];
  /** Writes the `IN_PROGRESS` row of a new board (committed when this resolves). */
  beginBoard(start: BoardStart): Promise<BoardInProgress>;
  /** Releases the station name. */
  close(): Promise<void>;
}

/** A production store. */
export interface ProductionStore {
  /** Where it is, for messages, with any password removed: `line3.db`, `postgres://flash@db1/line`. */
  readonly location: string;
  /** `sqlite`, `postgres` or `memory`. */
  readonly kind: "sqlite" | "postgres" | "memory";
  /**
   * Claims `station` (one live process per station name and store; a second is refused with `E_STATION_BUSY`) and
   * marks the boards the station's previous process left in progress as `INTERRUPTED`.
   */
  openSession(station: string): Promise<StationSession>;
  /** The records matching `filter`, oldest first. */
  records(filter?: RecordFilter): Promise<ProductionRecord[]>;
  /**
   * The records matching `filter`, oldest first, read a page at a time (keyset pagination on the id), so an export
   * of a whole line's history holds one page in memory, not the table.
   */
  eachRecord(filter?: RecordFilter, pageSize?: number): AsyncIterable<ProductionRecord>;
  /** Closes the store. */
  close(): Promise<void>;
}
