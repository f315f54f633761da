/**
 * Copies a folder tree (the example recipes with their firmware and includes) for the fuzz tests.
 *
 * @module
 */

/** Copies every file under `from` into `to`, creating folders as needed. */
export async function copy(from: URL, to: string): Promise<void> {
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) {
      await Deno.mkdir(`${to}/${entry.name}`, { recursive: true });
      await copy(new URL(`${entry.name}/`, from), `${to}/${entry.name}`);
    } else if (entry.isFile) {
      await Deno.copyFile(new URL(entry.name, from), `${to}/${entry.name}`);
    }
  }
}
