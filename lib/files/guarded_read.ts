/**
 * The one way input files are read: {@linkcode readGuarded} refuses anything that is not a regular file — a folder,
 * a FIFO (named pipe), a character or block device such as `/dev/zero`, a socket — before opening it, so a FIFO
 * with no writer cannot block the run and a device cannot stream gigabytes into memory. Each kind of file has a size
 * cap ({@linkcode FILE_SIZE_LIMITS}) checked on the file's metadata and again while reading, so a file that grows
 * while it is read is refused too.
 *
 * Every refusal is an `E_FILE` {@linkcode InputError} naming the path and what it is: nothing was sent to a device.
 *
 * What is left: `stat` then `open` is not atomic. A regular file swapped for a FIFO in between would still block in
 * `open`; Deno offers no `O_NONBLOCK` open. After opening, the open file's own metadata is checked again, which
 * catches every other swap.
 *
 * @module
 */

import { InputError } from "../errors.ts";

/** What a file is read as; decides its size cap and the words of messages. */
export type InputFileKind = "recipe" | "include" | "firmware" | "flash-file";

/**
 * Largest file of each kind, in bytes. Recipes and includes are hand-written text: 4 MiB is some 100000 lines.
 * Firmware: the largest STM32 flash is 4 MiB, an Intel HEX of it about 12 MiB; an ELF with full debug information
 * can be much larger than its loadable bytes, hence 256 MiB. A simulator's flash file is one whole flash (its own exact size is checked by the simulator).
 */
export const FILE_SIZE_LIMITS: Readonly<Record<InputFileKind, number>> = {
  recipe: 4 * 1024 * 1024,
  include: 4 * 1024 * 1024,
  firmware: 256 * 1024 * 1024,
  "flash-file": 64 * 1024 * 1024,
};

/** Words used for each kind in messages. */
const KIND_NAMES: Readonly<Record<InputFileKind, string>> = {
  recipe: "recipe",
  include: "included file",
  firmware: "firmware file",
  "flash-file": "flash file",
};

/** Options of {@linkcode readGuarded}. */
export interface GuardedReadOptions {
  /** A lower cap than the kind's {@linkcode FILE_SIZE_LIMITS} entry, e.g. a simulated part's flash size. */
  maxBytes?: number;
}

/** What a non-regular file is, for messages: `a folder`, `a FIFO (named pipe)`, `a character device`... */
export function describeFileType(info: Deno.FileInfo): string {
  if (info.isFile) return "a regular file";
  if (info.isDirectory) return "a folder";
  if (info.isFifo) return "a FIFO (named pipe)";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  if (info.isSymlink) return "a symbolic link";
  return "not a regular file";
}

/** Why a file-system call failed, in words: `no such file`, `permission denied`... */
export function fileErrorReason(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "it is a folder";
  if (error instanceof Deno.errors.NotADirectory) return "a part of the path is a file, not a folder";
  if (error instanceof Deno.errors.FilesystemLoop) return "the path loops through symbolic links";
  return error instanceof Error ? error.message : String(error);
}

/** Options of {@linkcode GuardedReadError}. */
interface GuardedReadErrorOptions {
  /** The underlying error of the file system, if any. */
  cause?: unknown;
  /** True when the file does not exist (callers may treat that as "use the default"). */
  missing?: boolean;
}

/** An `E_FILE` error from {@linkcode readGuarded}; `missing` tells a file that does not exist from other problems. */
export class GuardedReadError extends InputError {
  /** True when the file does not exist. */
  readonly missing: boolean;
  /** The path as the caller named it. */
  readonly path: string;
  /** The problem without the path, e.g. `it is a FIFO (named pipe), not a regular file`. */
  readonly reason: string;

  constructor(path: string, kind: InputFileKind, reason: string, hint: string, options: GuardedReadErrorOptions = {}) {
    super("E_FILE", `cannot read ${KIND_NAMES[kind]} ${quotePath(path)}: ${reason}`, {
      hint,
      cause: options.cause,
    });
    this.missing = options.missing ?? false;
    this.path = path;
    this.reason = reason;
  }
}

/**
 * Reads a whole input file of `kind` after checking that it is a regular file no larger than its cap. Throws a
 * {@linkcode GuardedReadError} (`E_FILE`, exit 2) naming the path otherwise: missing (`missing: true`), a folder,
 * FIFO, device or socket, too large, or unreadable.
 */
export async function readGuarded(
  path: string,
  kind: InputFileKind,
  options: GuardedReadOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const limit = Math.min(FILE_SIZE_LIMITS[kind], options.maxBytes ?? Infinity);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    throw failure(path, kind, error);
  }
  checkInfo(path, kind, info, limit);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    throw failure(path, kind, error);
  }
  try {
    // The open file itself, in case the path changed since the stat.
    const opened = await file.stat();
    checkInfo(path, kind, opened, limit);
    // Sized by the metadata, plus one byte to see the end. A file that holds more than it said (it grows, or it is
    // a /proc file that says 0) is read on, up to one byte past the cap, which is then refused.
    let buffer = new Uint8Array(Math.min(opened.size, limit) + 1);
    let filled = 0;
    for (;;) {
      if (filled === buffer.length) {
        if (filled > limit) throw tooLarge(path, kind, limit);
        const grown = new Uint8Array(Math.min(Math.max(filled * 2, 4096), limit + 1));
        grown.set(buffer);
        buffer = grown;
      }
      const count = await file.read(buffer.subarray(filled));
      if (count === null) break;
      filled += count;
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    if (error instanceof GuardedReadError) throw error;
    throw failure(path, kind, error);
  } finally {
    file.close();
  }
}

/** {@linkcode readGuarded} decoded as UTF-8 text (a byte-order mark is kept for the caller to see). */
export async function readGuardedText(
  path: string,
  kind: InputFileKind,
  options: GuardedReadOptions = {},
): Promise<string> {
  return new TextDecoder().decode(await readGuarded(path, kind, options));
}

function checkInfo(path: string, kind: InputFileKind, info: Deno.FileInfo, limit: number): void {
  if (!info.isFile) {
    throw new GuardedReadError(
      path,
      kind,
      `it is ${describeFileType(info)}, not a regular file`,
      info.isDirectory ? "name a file inside the folder" : "name a regular file; devices and pipes are not read",
    );
  }
  if (info.size > limit) throw tooLarge(path, kind, limit, info.size);
}

function tooLarge(path: string, kind: InputFileKind, limit: number, size?: number): GuardedReadError {
  const has = size === undefined ? "grew past" : `has ${size} bytes, more than`;
  return new GuardedReadError(
    path,
    kind,
    `it ${has} the ${limit} a ${KIND_NAMES[kind]} may have`,
    "check that it is the right file",
  );
}

function failure(path: string, kind: InputFileKind, error: unknown): GuardedReadError {
  const missing = error instanceof Deno.errors.NotFound;
  return new GuardedReadError(
    path,
    kind,
    fileErrorReason(error),
    missing ? "check the path" : "check the path and its permissions",
    { cause: error, missing },
  );
}

/**
 * A path as messages show it: in single quotes, with control characters (a newline in a file name would split the
 * one error line) written as JSON escapes.
 */
export function quotePath(path: string): string {
  // deno-lint-ignore no-control-regex
  const safe = path.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return `'${safe}'`;
}
