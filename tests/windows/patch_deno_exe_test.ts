import assert from "node:assert/strict";
import { patchVirtualAlloc2, virtualAlloc2Marker } from "../../scripts/windows/patch_deno_exe.ts";

/** A fake executable: filler bytes with the given pieces at the given offsets. */
function image(size: number, pieces: [number, Uint8Array][]): Uint8Array {
  const bytes = new Uint8Array(size).fill(0x56); // "V": the marker's first byte, so the search meets it everywhere
  for (const [at, piece] of pieces) bytes.set(piece, at);
  return bytes;
}

const text = (bytes: Uint8Array, at: number, length: number) =>
  new TextDecoder().decode(bytes.subarray(at, at + length));

Deno.test('patchVirtualAlloc2: renames the one VirtualAlloc2 beside L"kernelbase.dll", nothing else', () => {
  const marker = virtualAlloc2Marker();
  const lone = new TextEncoder().encode("VirtualAlloc2\0"); // the same name elsewhere (another module's import)
  const exe = image(4096, [[100, lone], [3000, marker]]);
  const patched = patchVirtualAlloc2(exe);
  assert.equal(text(patched, 3000, 13), "VirtualAllocX");
  assert.equal(text(patched, 100, 13), "VirtualAlloc2");
  const changed = [...patched].flatMap((byte, i) => byte === exe[i] ? [] : [i]);
  assert.deepEqual(changed, [3012]);
  assert.equal(text(exe, 3000, 13), "VirtualAlloc2", "the input is left as it was");
});

Deno.test("patchVirtualAlloc2: no marker, or more than one, is an error (a new Deno build needs a fresh look)", () => {
  const marker = virtualAlloc2Marker();
  assert.throws(() => patchVirtualAlloc2(image(1024, [])), /found 0/);
  assert.throws(() => patchVirtualAlloc2(image(1024, [[10, marker], [500, marker]])), /found several/);
  // A marker cut short at the end of the file is no marker.
  assert.throws(() => patchVirtualAlloc2(image(1024, [[1024 - 20, marker.subarray(0, 20)]])), /found 0/);
});
