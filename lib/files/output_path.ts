/**
 * Whether a file can be written where the user asked, checked before anything is sent to a device: a `read` step
 * or `read --output` that finds out only after reading the whole chip that its file goes into a missing folder has
 * wasted the board's time, and a step that writes after changing flash leaves the run half done.
 *
 * {@linkcode outputPathProblem} only looks (stat), it creates nothing, so `validate` can call it as well as `run`.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import { dirname } from "../recipe/paths.ts";
import { describeFileType, fileErrorReason, quotePath } from "./guarded_read.ts";

/**
 * Why a file could not be written at `path`, or `undefined` when it looks writable: the file may exist as a
 * regular file (it is replaced) or not exist in an existing folder. Problems named: the path is a folder, FIFO or
 * device; its folder is missing; a part of the folder path is a file; a file or folder that cannot be inspected.
 * The answer is in words that follow "cannot write '<path>': ".
 */
export async function outputPathProblem(path: string): Promise<string | undefined> {
  try {
    const info = await Deno.stat(path);
    return info.isFile ? undefined : `it is ${describeFileType(info)}`;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      if (error instanceof Deno.errors.NotADirectory) return await folderProblem(path);
      return fileErrorReason(error);
    }
  }
  return await folderProblem(path);
}

/** The problem with the folder `path` would be created in, if any. */
async function folderProblem(path: string): Promise<string | undefined> {
  const folder = dirname(path);
  try {
    const info = await Deno.stat(folder);
    if (!info.isDirectory) return `${quotePath(folder)} is ${describeFileType(info)}, not a folder`;
    return undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return `its folder ${quotePath(folder)} does not exist`;
    if (error instanceof Deno.errors.NotADirectory) {
      return `a part of ${quotePath(folder)} is a file, not a folder`;
    }
    return `its folder ${quotePath(folder)}: ${fileErrorReason(error)}`;
  }
}

/**
 * Throws an `E_FILE` {@linkcode InputError} (exit 2) unless a file can be written at `path` (see
 * {@linkcode outputPathProblem}). `what` names the file in the message, e.g. `the output file`.
 */
export async function assertWritableOutput(path: string, what = "output file"): Promise<void> {
  const problem = await outputPathProblem(path);
  if (problem === undefined) return;
  throw new InputError("E_FILE", `cannot write ${what} ${quotePath(path)}: ${problem}`, {
    hint: "name a file in an existing folder; nothing was read from or written to the chip",
  });
}

/**
 * Writes `bytes` to `path`; a file-system failure (the folder removed since the check, a full disk) becomes one
 * `E_FILE` line naming the path instead of an exception with a trace. `what` names the file, e.g. `the output file`.
 */
export async function writeOutputFile(path: string, bytes: Uint8Array, what = "output file"): Promise<void> {
  try {
    await Deno.writeFile(path, bytes);
  } catch (error) {
    throw new InputError("E_FILE", `cannot write ${what} ${quotePath(path)}: ${fileErrorReason(error)}`, {
      hint: "check the folder, its permissions and the free space",
      cause: error,
    });
  }
}
