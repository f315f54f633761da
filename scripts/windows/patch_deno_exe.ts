/**
 * Makes a copy of the Windows deno.exe that starts under Wine 8.0:
 *
 *     deno run --allow-read --allow-write scripts/windows/patch_deno_exe.ts deno.exe deno-wine.exe
 *
 * V8 (src/base/platform/platform-win32.cc) looks up `VirtualAlloc2` in kernelbase.dll and, when found, reserves
 * address space with MEM_RESERVE_PLACEHOLDER. Wine 8.0 refuses that flag ("wrong alloc type flags (00042000)")
 * and Deno stops with "Fatal process out of memory: SegmentedTable::InitializeTable". Renaming the one
 * "VirtualAlloc2" string that sits beside L"kernelbase.dll" makes the lookup fail, and V8 takes its own path for
 * Windows versions that lack VirtualAlloc2. Nothing else changes; the copy is only for the Wine test leg.
 *
 * @module
 */

/** The bytes V8 looks up: the ANSI export name followed by the UTF-16 module name it is looked up in. */
export function virtualAlloc2Marker(): Uint8Array {
  const name = new TextEncoder().encode("VirtualAlloc2\0");
  const module = new Uint8Array([..."kernelbase.dll"].flatMap((char) => [char.charCodeAt(0), 0]));
  return new Uint8Array([...name, ...module]);
}

/** Offset of `needle` in `haystack` from `from`, or -1. Linear in practice (first byte filters). */
function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  for (let at = haystack.indexOf(first, from); at >= 0 && at + needle.length <= haystack.length;) {
    let i = 1;
    while (i < needle.length && haystack[at + i] === needle[i]) i++;
    if (i === needle.length) return at;
    at = haystack.indexOf(first, at + 1);
  }
  return -1;
}

/**
 * Returns a copy of `exe` with "VirtualAlloc2" (beside L"kernelbase.dll") renamed "VirtualAllocX". Throws when
 * the marker is missing or appears more than once: a new Deno build then needs a fresh look.
 */
export function patchVirtualAlloc2(exe: Uint8Array): Uint8Array {
  const marker = virtualAlloc2Marker();
  const at = indexOf(exe, marker);
  if (at < 0 || indexOf(exe, marker, at + 1) >= 0) {
    throw new Error(
      `expected exactly one "VirtualAlloc2" beside L"kernelbase.dll" in deno.exe, found ${at < 0 ? 0 : "several"}`,
    );
  }
  const copy = exe.slice();
  copy[at + "VirtualAlloc".length] = "X".charCodeAt(0);
  return copy;
}

if (import.meta.main) {
  const [source, target] = Deno.args;
  if (!source || !target) {
    console.error("usage: patch_deno_exe.ts DENO_EXE OUTPUT");
    Deno.exit(2);
  }
  try {
    await Deno.writeFile(target, patchVirtualAlloc2(await Deno.readFile(source)));
  } catch (error) {
    console.error(`patch_deno_exe: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
