/**
 * What every station run — one board at a time or a gang — opens before its first board and closes at the end
 * whatever happens: the production store with the station's session and the flat log; and what it says about them
 * (the `station-start` event, the records line, the `station-end` summary).
 *
 * @module
 */

import { parseAssignments, type ParsedArgs } from "../args.ts";
import type { Colours } from "../colour.ts";
import type { Console } from "../command.ts";
import type { JsonEventWriter } from "../json_reporter.ts";
import { DEFAULT_DB, interruptedWarning, operatorAndLot, storeErrorPolicy, storeSpec } from "../production_flags.ts";
import { VERSION } from "../version.ts";
import { firmwareSha256 } from "./firmware_hash.ts";
import { StationLog } from "./log_writer.ts";
import { formatTally, type StationTally } from "./tally.ts";
import type { Recipe } from "../../recipe/load.ts";
import { sha256Hex } from "../../production/hash.ts";
import { openStore, type OpenStoreOptions } from "../../production/open_store.ts";
import type { BoardStart } from "../../production/record.ts";
import type { ProductionStore, StationSession } from "../../production/store.ts";
import type { StoreErrorPolicy } from "../../production/store_retry.ts";

/** The default log file, in the current folder. */
export const DEFAULT_STATION_LOG = "flashrecipe-station.csv";

/** A station's production records: its store and session, its flat log, and what every board's record starts with. */
export interface StationRecords {
  /** The station's name (`--station`, default the host name). */
  station: string;
  /** sha256 of the firmware the recipe writes. */
  firmwareSha256: string;
  /** `--on-db-error`. */
  policy: StoreErrorPolicy;
  /** What every board's record starts with. */
  start: BoardStart;
  /** The production store. */
  store: ProductionStore;
  /** The station's session in it. */
  session: StationSession;
  /** The flat per-board log. */
  log: StationLog;
  /** Closes the log, the session and the store (errors closing the store are not the station's result). */
  close(): Promise<void>;
}

/** Where a station's records go: the store's options beyond `--db`. */
export interface StationRecordsOptions {
  /** Simulated boards: a throwaway in-memory store unless `--db` is given. */
  simulate: boolean;
  /** Warns of the boards the station's last run left in progress (now marked `INTERRUPTED`). */
  warn(message: string): void;
  /** Options of the store (a gang's PostgreSQL pool has a connection per slot). */
  store?: OpenStoreOptions;
}

/**
 * Opens the production store (`--db`), the station's session and the log (`--log`) before any board; closes what
 * it opened when a later one fails. Bad options (`--on-db-error`, `--set`) are refused before anything is opened.
 */
export async function openStationRecords(
  args: ParsedArgs,
  recipe: Recipe,
  options: StationRecordsOptions,
): Promise<StationRecords> {
  const station = (args.options.station as string | undefined) ?? Deno.hostname();
  const firmware = await firmwareSha256(recipe.planned);
  const policy = storeErrorPolicy(args);
  const start = {
    station,
    ...operatorAndLot(args),
    recipe: recipe.header.name,
    recipeSha256: await sha256Hex(await Deno.readFile(recipe.file)),
    toolVersion: VERSION,
    firmwareSha256: firmware,
    vars: parseAssignments(args.options.set as string[] | undefined),
  };
  const spec = storeSpec(args, { simulate: options.simulate, fallback: DEFAULT_DB });
  const store = await openStore(spec, options.store);
  let session;
  let log;
  try {
    session = await store.openSession(station);
    log = await StationLog.open((args.options.log as string | undefined) ?? DEFAULT_STATION_LOG);
  } catch (error) {
    await session?.close();
    await store.close();
    throw error;
  }
  for (const board of session.recovered) options.warn(interruptedWarning(board));
  // The closure below sees the opened session and log (the narrowing above does not reach into it).
  const opened = { session, log };
  return {
    station,
    firmwareSha256: firmware,
    policy,
    start,
    store,
    session,
    log,
    async close() {
      opened.log.close();
      await opened.session.close().catch(() => {});
      await store.close().catch(() => {});
    },
  };
}

/** The `station-start` event's fields every station has (a gang adds its slots). */
export function stationStartEvent(
  records: StationRecords,
  recipe: Recipe,
  source: string,
): { event: "station-start"; [key: string]: string } {
  return {
    event: "station-start",
    station: records.station,
    recipe: recipe.header.name,
    file: recipe.file,
    log: records.log.path,
    store: records.store.location,
    firmwareSha256: records.firmwareSha256,
    source,
  };
}

/** The line under a station's heading: the firmware, the store and the log. */
export function recordsLine(records: StationRecords): string {
  return `firmware sha256 ${records.firmwareSha256}; records in ${records.store.location}; logging to ${records.log.path}`;
}

/** Prints the station's end — the counts and yield — and returns its exit code (1 when any board failed). */
export function reportStationEnd(
  console: Console,
  json: JsonEventWriter | undefined,
  options: { station: string; tally: StationTally; colour: Colours; logPath: string },
): number {
  const { station, tally, colour, logPath } = options;
  if (json) {
    json.emit({
      event: "station-end",
      boards: tally.total,
      passed: tally.passed,
      failed: tally.failed,
      yieldPercent: tally.yieldPercent ?? null,
      log: logPath,
    });
  } else {
    console.out(`station ${station} stopped — ${formatTally(tally, colour)}; log: ${logPath}`);
  }
  return tally.failed > 0 ? 1 : 0;
}
