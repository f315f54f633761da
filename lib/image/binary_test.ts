import assert from "node:assert/strict";
import { parseBinary, writeBinary } from "./binary.ts";
import { MemoryImage } from "./memory_image.ts";
import { assertImageError } from "./test_util.ts";

Deno.test("raw binary loads at the base address", () => {
  const image = parseBinary(new Uint8Array([1, 2, 3]), "fw.bin", 0x08000000);
  assert.deepEqual(image.segments, [{ address: 0x08000000, data: new Uint8Array([1, 2, 3]) }]);
});

Deno.test("raw binary without a base address asks for address:", () => {
  assertImageError(
    () => parseBinary(new Uint8Array([1]), "fw.bin"),
    "E_IMAGE_ADDRESS",
    /^fw\.bin: a raw binary holds no load address .*`address: 0x08000000`/,
  );
});

Deno.test("raw binary: empty and wrapping files", () => {
  assertImageError(() => parseBinary(new Uint8Array(), "e.bin", 0), "E_IMAGE_EMPTY", /^e\.bin: the file is empty/);
  assertImageError(() => parseBinary(new Uint8Array(16), "w.bin", 0xfffffff8), "E_IMAGE_WRAP", /run past 0xffffffff/);
});

Deno.test("binary writer fills gaps from the lowest address and round-trips", () => {
  const image = new MemoryImage([
    { address: 0x08000004, data: new Uint8Array([1, 2]) },
    { address: 0x08000008, data: new Uint8Array([3]) },
  ]);
  const { address, data } = writeBinary(image);
  assert.equal(address, 0x08000004);
  assert.deepEqual(data, new Uint8Array([1, 2, 0xff, 0xff, 3]));
  assert.deepEqual(writeBinary(image, 0).data, new Uint8Array([1, 2, 0, 0, 3]));
  const back = parseBinary(data, "rt.bin", address);
  assert.deepEqual(back.slice(0x08000004, 5), image.slice(0x08000004, 5));
  assertImageError(() => writeBinary(MemoryImage.empty()), "E_IMAGE_EMPTY");
  const far = new MemoryImage([
    { address: 0x08000000, data: new Uint8Array(1) },
    { address: 0x20000000, data: new Uint8Array(1) },
  ]);
  assertImageError(() => writeBinary(far), "E_IMAGE_FORMAT", /mostly filler/);
  // The bound is 64 MiB: one byte more is refused, exactly that much is written.
  const span = (end: number) =>
    new MemoryImage([{ address: 0, data: new Uint8Array(1) }, { address: end - 1, data: new Uint8Array(1) }]);
  assertImageError(() => writeBinary(span(64 * 1024 * 1024 + 1)), "E_IMAGE_FORMAT", /67108865 bytes, mostly filler/);
  assert.equal(writeBinary(span(64 * 1024 * 1024)).data.length, 64 * 1024 * 1024);
});
