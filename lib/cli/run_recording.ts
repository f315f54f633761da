/**
 * `run`'s record of its one board: the store the command line names, the station session (`--station`, default
 * `HOST-run`) and the board's `IN_PROGRESS` row, written before the board is touched. Loaded only when the board is
 * recorded.
 *
 * @module
 */

import type { ParsedArgs } from "./args.ts";
import { parseAssignments } from "./args.ts";
import { operatorAndLot } from "./production_flags.ts";
import { firmwareSha256 } from "./station/firmware_hash.ts";
import { VERSION } from "./version.ts";
import type { Recipe } from "../recipe/load.ts";
import { BoardRecording } from "../production/board_recording.ts";
import { sha256Hex } from "../production/hash.ts";
import { openStore } from "../production/open_store.ts";
import type { ProductionRecord } from "../production/record.ts";

/** A recorded run: the board's recording and how to let go of the store. */
export interface RunRecording {
  /** The board's record in progress. */
  board: BoardRecording;
  /** Boards this station's previous process left in progress, now marked `INTERRUPTED`. */
  recovered: readonly ProductionRecord[];
  /** Releases the station name and closes the store. */
  close(): Promise<void>;
}

/** Opens the store (`spec`; `undefined`: in memory) and begins the board's record. */
export async function beginRunRecording(
  args: ParsedArgs,
  recipe: Recipe,
  spec: string | undefined,
): Promise<RunRecording> {
  const store = await openStore(spec);
  let session;
  try {
    const station = (args.options.station as string | undefined) ?? `${Deno.hostname()}-run`;
    session = await store.openSession(station);
    const board = await BoardRecording.begin(session, {
      station,
      ...operatorAndLot(args),
      recipe: recipe.header.name,
      recipeSha256: await sha256Hex(await Deno.readFile(recipe.file)),
      toolVersion: VERSION,
      firmwareSha256: await firmwareSha256(recipe.planned),
      vars: parseAssignments(args.options.set as string[] | undefined),
    });
    const opened = session;
    return {
      board,
      recovered: opened.recovered,
      async close() {
        await opened.close().catch(() => {});
        await store.close();
      },
    };
  } catch (error) {
    await session?.close().catch(() => {});
    await store.close().catch(() => {});
    throw error;
  }
}
