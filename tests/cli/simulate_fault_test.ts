/**
 * `run --simulate CHIP --fault SPEC`: the simulated chip commits the fault, over USART and over DFU, as
 * `sim usart --fault` and the USB lab's `--fault` do; without `--simulate` the flag is a usage error.
 */
import assert from "node:assert/strict";
import { runCli, tempFiles } from "../helpers/cli.ts";

const IMAGE = new Uint8Array(2048).map((_, i) => (i * 7 + 1) & 0xff);

async function recipeDir(target: string): Promise<string> {
  const dir = await tempFiles({
    "recipe.yaml": `version: 1\nname: f\ntarget: ${target}\nsteps:\n  - connect\n  - erase: needed\n` +
      "  - write: { file: fw.bin, address: 0x08000000 }\n",
  });
  await Deno.writeFile(`${dir}/fw.bin`, IMAGE);
  return dir;
}

Deno.test("run --simulate --fault: flash that does not take the image fails the (added) verify, USART and DFU", async () => {
  const cases = [
    // 0x08000010 should hold 0x71: bit 0 stuck at 0 makes it 0x70 whatever is programmed.
    ["{ chip: stm32f103c8 }", "stm32f103c8", "stuck-bit:address=0x08000010,bit=0"],
    ["{ transport: dfu, chip: stm32l433rc }", "stm32l433rc", "skip-write@write:occurrence=1"],
  ];
  for (const [target, chip, fault] of cases) {
    const dir = await recipeDir(target);
    try {
      const clean = await runCli("run", `${dir}/recipe.yaml`, "--simulate", chip);
      assert.equal(clean.code, 0, clean.stderr);
      const faulty = await runCli("run", `${dir}/recipe.yaml`, "--simulate", chip, "--fault", fault);
      assert.equal(faulty.code, 1, `${chip}: ${faulty.stdout}`);
      // The read-back finds it (E_VERIFY), or the page rewritten after it is refused (E_NACK): never success.
      assert.match(faulty.stderr, /^error\[E_(VERIFY|NACK)\]/m);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("run --fault without --simulate is a usage error; a bad spec names itself", async () => {
  const dir = await recipeDir("{ chip: stm32f103c8 }");
  try {
    const real = await runCli("run", `${dir}/recipe.yaml`, "--port", "/dev/null", "--fault", "skip-write");
    assert.equal(real.code, 2);
    assert.match(real.stderr, /^error\[E_USAGE\]: --fault needs --simulate CHIP/);
    const bad = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8", "--fault", "melt-down");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error\[E_USAGE\]: .*melt-down/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
