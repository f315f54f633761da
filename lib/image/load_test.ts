import assert from "node:assert/strict";
import { detectFormat, formatFromName, loadImageFile, parseImage } from "./load.ts";
import { assertImageError, assertImageErrorAsync, text } from "./test_util.ts";

const HEX = text(":020000040800F2\n:0400000001020304F2\n:00000001FF\n");
const SREC = text("S00600004844521B\nS107000001020304EE\nS9030000FC\n");

Deno.test("detectFormat looks at content before the extension", () => {
  assert.equal(detectFormat(HEX, "firmware.bin"), "hex");
  assert.equal(detectFormat(SREC, "firmware.hex"), "srec");
  assert.equal(detectFormat(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1]), "a.bin"), "elf");
  assert.equal(detectFormat(text("DfuSe\x01"), "a.bin"), "dfu");
  const suffixed = new Uint8Array(20);
  suffixed.set([0x55, 0x46, 0x44, 16], 12); // "UFD", bLength 16 (DFU 1.1 Table B-1)
  assert.equal(detectFormat(suffixed, "a.bin"), "dfu");
  // A vector table starts with a stack pointer, not text: the extension decides.
  const vectors = new Uint8Array([0x00, 0x50, 0x00, 0x20, 0x01, 0x01, 0x00, 0x08]);
  assert.equal(detectFormat(vectors, "fw.bin"), "bin");
  assert.equal(detectFormat(vectors, "fw.s19"), "srec");
  assert.equal(detectFormat(vectors, "fw.unknown"), "bin");
});

Deno.test("formatFromName knows common extensions", () => {
  assert.deepEqual(
    ["a.HEX", "a.ihx", "a.s19", "a.srec", "a.axf", "a.elf", "a.dfu", "a.bin", "a.txt"].map(formatFromName),
    ["hex", "hex", "srec", "srec", "elf", "elf", "dfu", "bin", undefined],
  );
});

Deno.test("parseImage parses by detected or given format", () => {
  assert.equal(parseImage(HEX, { name: "x.hex" }).start, 0x08000000);
  const asBinary = parseImage(HEX, { name: "x.hex", format: "bin", baseAddress: 0x100 });
  assert.equal(asBinary.start, 0x100);
  assert.equal(asBinary.size, HEX.length);
  assertImageError(() => parseImage(new Uint8Array([1, 2]), { name: "x.bin" }), "E_IMAGE_ADDRESS", /address:/);
});

Deno.test("loadImageFile reads a file and names a missing one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/fw.hex`;
    await Deno.writeFile(path, HEX);
    const image = await loadImageFile(path);
    assert.equal(image.name, path);
    assert.equal(image.size, 4);
    const bin = await loadImageFile(path, { format: "bin", baseAddress: 0x08000000 });
    assert.equal(bin.size, HEX.length);
    await assertImageErrorAsync(
      () => loadImageFile(`${dir}/missing.hex`),
      "E_FILE",
      new RegExp(`^${dir}/missing\\.hex: cannot read the image file: no such file`),
    );
    await assertImageErrorAsync(() => loadImageFile(dir), "E_FILE", /cannot read the image file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
