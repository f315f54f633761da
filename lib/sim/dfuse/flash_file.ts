/**
 * Flash-file persistence for the virtual USB lab's `--flash-file`: the simulated main flash is loaded from a raw
 * binary image at start and saved back (atomically) when the lab asks, so a flashed image survives restarts.
 *
 * @module
 */

import { InputError } from "../../errors.ts";
import type { FlashMemory } from "../flash_memory.ts";

/**
 * Reads a flash image. Returns `undefined` when the file does not exist (the flash starts erased). A file
 * larger than `flashSize` is an `InputError` (`E_FLASH_FILE`).
 */
export async function loadFlashFile(path: string, flashSize: number): Promise<Uint8Array | undefined> {
  let contents: Uint8Array;
  try {
    contents = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new InputError("E_FLASH_FILE", `cannot read the flash file ${path}`, { cause: error });
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
