import assert from "node:assert/strict";
import { MemoryImage } from "../../image/memory_image.ts";
import { firmwareSha256 } from "./firmware_hash.ts";

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("firmware sha256: the planned images' segment bytes in order, nothing between them", async () => {
  const a = new Uint8Array([1, 2, 3]);
  const b = new Uint8Array([4, 5]);
  const c = new Uint8Array([6]);
  const images = [
    new MemoryImage([{ address: 0x0800_1000, data: b }, { address: 0x0800_0000, data: a }]),
    new MemoryImage([{ address: 0x0801_0000, data: c }]),
  ];
  assert.equal(await firmwareSha256(images), await sha256(new Uint8Array([1, 2, 3, 4, 5, 6])));
  assert.equal(await firmwareSha256([]), await sha256(new Uint8Array()));
});
