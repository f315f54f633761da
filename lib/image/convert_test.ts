import assert from "node:assert/strict";
import { convertImage } from "./convert.ts";
import { loadImageFile } from "./load.ts";
import { assertImageErrorAsync } from "./test_util.ts";

const HEX = new URL("../../tests/fixtures/firmware/blinky.hex", import.meta.url).pathname;

Deno.test("convertImage writes every format from the name and reads back the same memory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const original = await loadImageFile(HEX);
    for (const extension of ["srec", "dfu", "hex", "s19"]) {
      const out = `${dir}/out.${extension}`;
      const result = await convertImage(HEX, out, { bytesPerRecord: 32 });
      assert.equal(result.bytesWritten, (await Deno.stat(out)).size);
      assert.deepEqual((await loadImageFile(out)).segments, original.segments, extension);
    }
    const bin = await convertImage(HEX, `${dir}/out.bin`);
    assert.equal(bin.outputFormat, "bin");
    const back = await loadImageFile(`${dir}/out.bin`, { baseAddress: bin.image.start });
    for (const segment of original.segments) {
      assert.deepEqual(back.slice(segment.address, segment.data.length), segment.data);
    }
    // Raw binary in, with its address, hex out.
    await convertImage(`${dir}/out.bin`, `${dir}/again.txt`, { baseAddress: 0x08000000, outputFormat: "hex" });
    assert.deepEqual((await loadImageFile(`${dir}/again.txt`, { format: "hex" })).segments, back.segments);

    await assertImageErrorAsync(() => convertImage(HEX, `${dir}/out.txt`), "E_IMAGE_FORMAT", /output format/);
    await assertImageErrorAsync(() => convertImage(HEX, `${dir}/no/such/dir/x.hex`), "E_FILE", /cannot write/);
    await assertImageErrorAsync(() => convertImage(`${dir}/missing.hex`, `${dir}/x.hex`), "E_FILE", /missing\.hex/);
    await assertImageErrorAsync(() => convertImage(`${dir}/out.bin`, `${dir}/x.hex`), "E_IMAGE_ADDRESS");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
