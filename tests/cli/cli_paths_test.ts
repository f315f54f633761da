import assert from "node:assert/strict";
import { runCli, tempFiles } from "../helpers/cli.ts";
import { looksLikePath, resolveSetPaths } from "../../lib/cli/cli_paths.ts";

const BLINKY = await Deno.readTextFile(new URL("../fixtures/firmware/blinky.hex", import.meta.url));

Deno.test("--set values naming files are the current folder's; other values are left alone", () => {
  assert.deepEqual(resolveSetPaths({ firmware: "fw.hex", serial: "1001", dir: "out/x", abs: "/a/b.bin" }, "/work"), {
    firmware: "/work/fw.hex",
    serial: "1001",
    dir: "/work/out/x",
    abs: "/a/b.bin",
  });
  assert.ok(!looksLikePath("0x08000000"));
  assert.ok(looksLikePath("build\\app.bin"));
});

Deno.test("run/validate: --set firmware=fw.hex is found in the current folder; recipe paths stay the recipe's", async () => {
  const dir = await tempFiles({
    "recipes/r.yaml": "name: t\ntarget: { chip: stm32f103c8 }\nvars: { firmware: local.hex }\n" +
      "steps: [connect, { erase: needed }, { write: { file: '${firmware}' } }, verify]\n",
    "recipes/local.hex": BLINKY,
    "work/fw.hex": BLINKY,
  });
  // In a child process: the working folder is the process's, and other tests run beside this one.
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const cli = async (...args: string[]) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", main, ...args],
      cwd: `${dir}/work`,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    return { code: output.code, stdout: text.decode(output.stdout), stderr: text.decode(output.stderr) };
  };
  try {
    // The recipe's own default resolves next to the recipe.
    const own = await cli("validate", "../recipes/r.yaml");
    assert.equal(own.code, 0, own.stderr);
    const typed = await cli("run", "../recipes/r.yaml", "--set", "firmware=fw.hex", "--simulate", "stm32f103c8");
    assert.equal(typed.code, 0, typed.stderr);
    const missing = await cli("validate", "../recipes/r.yaml", "--set", "firmware=nope.hex");
    assert.equal(missing.code, 2);
    assert.ok(missing.stderr.includes(`cannot read '${dir}/work/nope.hex': no such file`), missing.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing file written in the recipe: the error names the path tried and where relative paths start", async () => {
  const dir = await tempFiles({
    "r.yaml": "name: t\ntarget: { chip: stm32f103c8 }\nsteps: [connect, { write: { file: fw/app.hex } }]\n",
  });
  const result = await runCli("validate", `${dir}/r.yaml`);
  assert.equal(result.code, 2);
  assert.ok(result.stderr.includes(`cannot read 'fw/app.hex': no such file; tried ${dir}/fw/app.hex`), result.stderr);
  assert.match(result.stderr, /relative to the recipe's folder, a --set value from the current folder/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("run --baud overrides the recipe's target.baud; a bad rate is a usage error", async () => {
  const demo = new URL("../../recipes/demo.yaml", import.meta.url).pathname;
  const ok = await runCli("run", demo, "--simulate", "stm32f103c8", "--baud", "57600", "-q");
  assert.equal(ok.code, 0, ok.stderr);
  const bad = await runCli("run", demo, "--simulate", "stm32f103c8", "--baud", "fast");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--baud must be a number/);
});
