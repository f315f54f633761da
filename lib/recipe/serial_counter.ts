/**
 * A serial-number counter kept in a file, shared by every run on a station: no number is ever issued twice, even
 * when the process is killed.
 *
 * The file holds the next number in decimal. Issuing a number first records it in a journal beside the file
 * (`FILE.pending`, written with fsync); when the board passes, the counter advances past it (write to a temporary
 * file, fsync, rename) and the journal goes. When the board fails, the journal goes and the number is issued again
 * to the next board. When the process dies in between, nobody knows whether the number reached a board that
 * shipped, so the next run skips it.
 *
 * @module
 */

import { dirname } from "./paths.ts";
import { DeviceError, InputError } from "../errors.ts";
import { GuardedReadError, quotePath, readGuardedText } from "../files/guarded_read.ts";

/** A number issued from a counter file, to be committed or released. */
export interface IssuedSerial {
  /** The number. */
  value: number;
  /** A number the journal showed as possibly used by a killed run, now skipped. */
  skipped?: number;
}

/** Reads the counter's next number; a missing file means `start`. */
export async function readCounter(path: string, start: number): Promise<number> {
  const text = await readCounterText(path);
  if (text === undefined) return start;
  if (!/^\d{1,15}$/.test(text)) {
    throw new InputError(
      "E_SERIAL_COUNTER",
      `serial counter ${quotePath(path)} does not hold a number (${JSON.stringify(text.slice(0, 40))})`,
      { hint: "the file must contain the next serial number in decimal" },
    );
  }
  return Number(text);
}

async function readPending(path: string): Promise<number | undefined> {
  const text = await readCounterText(`${path}.pending`);
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/** The trimmed text of a counter file, `undefined` when it does not exist; a folder, device or FIFO is refused. */
async function readCounterText(path: string): Promise<string | undefined> {
  try {
    return (await readGuardedText(path, "counter")).trim();
  } catch (error) {
    if (error instanceof GuardedReadError && error.missing) return undefined;
    throw error;
  }
}

/** Writes `text` to `path` atomically: temporary file, fsync, rename, then fsync of the folder. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp-${Deno.pid}`;
  const file = await Deno.open(temporary, { write: true, create: true, truncate: true });
  try {
    await file.write(new TextEncoder().encode(text));
    await file.sync();
  } finally {
    file.close();
  }
  await Deno.rename(temporary, path);
  await syncFolder(dirname(path));
}

async function syncFolder(path: string): Promise<void> {
  // Makes the rename itself durable; not every platform lets a folder be opened, which only weakens that.
  let folder: Deno.FsFile | undefined;
  try {
    folder = await Deno.open(path, { read: true });
    await folder.sync();
  } catch (error) {
    if (!(error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotSupported)) {
      if (Deno.build.os !== "windows") throw error;
    }
  } finally {
    folder?.close();
  }
}

/** Runs `work` holding an exclusive lock on `PATH.lock`, so stations sharing the counter take turns. */
async function withLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  const lock = await Deno.open(`${path}.lock`, { read: true, write: true, create: true });
  try {
    await lock.lock(true);
    return await work();
  } finally {
    lock.close();
  }
}

/** Issues the next number: journals it first, so a kill can never lead to issuing it twice. */
export function issueSerial(path: string, start: number): Promise<IssuedSerial> {
  return withLock(path, async () => {
    let next = await readCounter(path, start);
    const pending = await readPending(path);
    let skipped: number | undefined;
    if (pending !== undefined && pending >= next) {
      skipped = pending;
      next = pending + 1;
      await writeFileAtomic(path, `${next}\n`);
    }
    await writeFileAtomic(`${path}.pending`, `${next}\n`);
    return { value: next, skipped };
  });
}

/** The board with `value` passed: the counter moves past it and the journal is cleared. */
export function commitSerial(path: string, value: number): Promise<void> {
  return withLock(path, async () => {
    const next = await readCounter(path, value);
    if (next > value + 1) {
      throw new DeviceError("E_SERIAL_COUNTER", `serial counter '${path}' moved past ${value} during this run`, {
        hint: "two stations wrote the same counter without the lock; check the log for duplicates",
      });
    }
    await writeFileAtomic(path, `${value + 1}\n`);
    await Deno.remove(`${path}.pending`).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  });
}

/** The board with `value` failed: the number is free for the next board. */
export function releaseSerial(path: string): Promise<void> {
  return withLock(path, async () => {
    await Deno.remove(`${path}.pending`).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  });
}
