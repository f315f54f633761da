/**
 * flashrecipe's writers must produce files that independent tools read back as the same memory:
 * GNU objcopy reads our Intel HEX and S-records, dfu-util's dfu-suffix checks our DFU suffixes and dfuse-pack
 * dumps our DfuSe elements. Needs binutils-arm-none-eabi and dfu-util (see tests/fixtures/firmware/README.md).
 */

import assert from "node:assert/strict";
import { loadImageFile } from "../../lib/image/load.ts";
import { writeImage } from "../../lib/image/writers.ts";
import { writePlainDfu } from "../../lib/image/dfuse_file.ts";

const FIXTURES = new URL("../fixtures/firmware/", import.meta.url).pathname;

async function run(program: string, args: string[], cwd?: string): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(program, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  assert.equal(code, 0, `${program} ${args.join(" ")}:\n${output}`);
  return output;
}

Deno.test("objcopy reads our .hex and .srec as the fixture's .bin", async () => {
  const elf = await loadImageFile(`${FIXTURES}blinky.elf`);
  const expected = await Deno.readFile(`${FIXTURES}blinky.bin`);
  const dir = await Deno.makeTempDir();
  try {
    for (const [format, bfd] of [["hex", "ihex"], ["srec", "srec"]] as const) {
      for (const bytesPerRecord of [16, 32] as const) {
        await Deno.writeFile(`${dir}/ours.${format}`, writeImage(elf, format, { bytesPerRecord }));
        await run("arm-none-eabi-objcopy", [
          "-I",
          bfd,
          "-O",
          "binary",
          "--gap-fill",
          "0xff",
          `${dir}/ours.${format}`,
          `${dir}/out.bin`,
        ]);
        assert.deepEqual(await Deno.readFile(`${dir}/out.bin`), expected, `${format} ${bytesPerRecord}`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dfu-suffix and dfuse-pack accept our DFU files", async () => {
  const elf = await loadImageFile(`${FIXTURES}blinky.elf`);
  const dir = await Deno.makeTempDir();
  try {
    const dfuse = `${dir}/ours.dfu`;
    await Deno.writeFile(dfuse, writeImage(elf, "dfu", { vendorId: 0x0483, productId: 0xdf11, device: 0x2200 }));
    const check = await run("dfu-suffix", ["-c", dfuse]);
    assert.match(check, /Vendor ID:\s+0x0483/);
    assert.match(check, /Product ID:\s+0xDF11/);
    assert.match(check, /BCD device:\s+0x2200/);
    assert.match(check, /BCD DFU:\s+0x011A/);
    const dump = await run("dfuse-pack", ["-d", dfuse], dir);
    assert.doesNotMatch(dump, /CRC ERROR/);
    assert.match(dump, /elements: 2/);
    for (const [i, segment] of elf.segments.entries()) {
      assert.match(
        dump,
        new RegExp(`${i}, address: 0x${segment.address.toString(16).padStart(8, "0")}, size: ${segment.data.length}`),
      );
      assert.deepEqual(await Deno.readFile(`${dfuse}.target0.image${i}.bin`), segment.data);
    }

    const plain = `${dir}/plain.dfu`;
    await Deno.writeFile(plain, writePlainDfu(await Deno.readFile(`${FIXTURES}blinky.bin`), { vendorId: 0x1209 }));
    assert.match(await run("dfu-suffix", ["-c", plain]), /Vendor ID:\s+0x1209/);
    await run("dfu-suffix", ["-D", plain]); // removing the suffix leaves exactly the binary
    assert.deepEqual(await Deno.readFile(plain), await Deno.readFile(`${FIXTURES}blinky.bin`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
