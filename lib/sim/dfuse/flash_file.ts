/**
 * Flash-file persistence for the virtual USB lab's `--flash-file`: the simulated main flash is loaded from a raw
 * binary image at start and saved back (atomically) when the lab asks, so a flashed image survives restarts.
 *
 * @module
 */

import { InputError } from "../../errors.ts";
import type { FlashMemory } from "../flash_memory.ts";
import { GuardedReadError, quotePath, readGuarded } from "../../files/guarded_read.ts";
import { outputPathProblem } from "../../files/output_path.ts";

/**
 * Reads a flash image. Returns `undefined` when the file does not exist (the flash starts erased). A file
 * larger than `flashSize` is an `InputError` (`E_FLASH_FILE`).
 */
export async function loadFlashFile(path: string, flashSize: number): Promise<Uint8Array | undefined> {
  const problem = await outputPathProblem(path);
  if (problem !== undefined) {
    throw new InputError("E_FLASH_FILE", `cannot write the flash file ${quotePath(path)}: ${problem}`, {
      hint: "name a file in an existing folder",
    });
  }
  let contents: Uint8Array;
  try {
    // One byte more than the flash, so that a larger file is told apart below.
    contents = await readGuarded(path, "flash-file", { maxBytes: flashSize + 1 });
  } catch (error) {
    if (error instanceof GuardedReadError && error.missing) return undefined;
    throw new InputError(
      "E_FLASH_FILE",
      error instanceof GuardedReadError ? error.message : `cannot read the flash file ${quotePath(path)}`,
      {
        hint: error instanceof GuardedReadError ? error.hint : undefined,
        cause: error,
      },
    );
  }
  if (contents.length > flashSize) {
    throw new InputError(
      "E_FLASH_FILE",
      `the flash file ${path} has ${contents.length} bytes; the flash has ${flashSize}`,
      {
        hint: "use a file made for this part, or delete it to start with erased flash",
      },
    );
  }
  return contents;
}

/** Saves the whole flash to `path`, writing a temporary file first and renaming it, so a crash leaves no half file. */
export async function saveFlashFile(path: string, flash: FlashMemory): Promise<void> {
  const temporary = `${path}.tmp-${Deno.pid}`;
  await Deno.writeFile(temporary, flash.bytes);
  await Deno.rename(temporary, path);
}
