/**
 * Exit codes mean what docs/errors.md says: 2 only when nothing was sent to a device, 1 for anything after; an
 * unexpected fault is one `error[E_INTERNAL]` line, never a stack trace.
 */
import assert from "node:assert/strict";
import { main } from "../../lib/cli/main.ts";
import { runCli, tempFiles } from "../helpers/cli.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

Deno.test("an input-kind error raised after the device was contacted exits 1 with its own code", async () => {
  // The DfuSe bootloader offers no alternate setting for peripheral space: the target refuses it with an
  // InputError (E_DFU_ADDRESS), but only once connected, so the run cannot claim "nothing was sent".
  const dir = await tempFiles({
    "recipe.yaml": "version: 1\nname: t\ntarget: { transport: dfu, chip: stm32f405rg }\nsteps:\n  - connect\n" +
      "  - read: { address: 0x40000000, length: 16, file: out.bin }\n",
  });
  try {
    const result = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f405rg");
    assert.match(result.stderr, /^error\[E_DFU_ADDRESS\]/m);
    assert.equal(result.code, 1);
    const json = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f405rg", "--json");
    const last = JSON.parse(json.stdout.trim().split("\n").at(-1)!);
    assert.equal(last.exitCode, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a step that needs another transport is a validation error, not a failure after connecting", async () => {
  const dir = await tempFiles({
    "recipe.yaml": "version: 1\nname: t\ntarget: { chip: stm32f103c8 }\nsteps:\n  - connect\n" +
      "  - jump-to-system-memory: {}\n",
  });
  try {
    for (const command of [["validate"], ["run", "--simulate", "stm32f103c8"]]) {
      const [name, ...rest] = command;
      const result = await runCli(name, `${dir}/recipe.yaml`, ...rest);
      assert.equal(result.code, 2);
      assert.match(
        result.stderr,
        /^error\[E_RECIPE_ORDER\]: .*recipe\.yaml:6:5: 'jump-to-system-memory' works only over dfu/,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an unexpected exception is one E_INTERNAL line naming where the trace is; --debug prints it", async () => {
  const err: string[] = [];
  const failing = {
    out: () => {
      throw new TypeError("boom");
    },
    err: (line: string) => err.push(line),
  };
  const code = await main(["--version"], failing);
  assert.equal(code, 1);
  assert.equal(err.length, 1, err.join("\n"));
  assert.match(
    err[0],
    /^error\[E_INTERNAL\]: internal error: TypeError: boom \(please report this .*the trace is in (\S+)\)$/,
  );
  const file = /the trace is in (\S+)\)$/.exec(err[0])![1];
  assert.match(await Deno.readTextFile(file), /TypeError: boom\n\s+at /);
  await Deno.remove(file);
  err.length = 0;
  assert.equal(await main(["--version", "--debug"], failing), 1);
  assert.ok(err.some((line) => /^debug: +at /.test(line)), err.join("\n"));
});

Deno.test("a real process: bad recipes exit 2 with one error line and no trace", async () => {
  const dir = await tempFiles({
    "jump.yaml": "version: 1\nname: t\ntarget: { chip: stm32f103c8 }\nsteps:\n  - connect\n  - jump\n  - erase: all\n",
    "env.yaml": 'version: 1\nname: t\ntarget: { chip: stm32f103c8 }\nsteps:\n  - log: "${env.A=B}"\n',
  });
  try {
    for (const file of ["jump.yaml", "env.yaml"]) {
      for (const args of [["validate"], ["run", "--simulate", "stm32f103c8"]]) {
        const [name, ...rest] = args;
        const output = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", MAIN, name, `${dir}/${file}`, ...rest],
          stdout: "piped",
          stderr: "piped",
        }).output();
        const stderr = new TextDecoder().decode(output.stderr).trim();
        assert.equal(output.code, 2, stderr);
        assert.equal(stderr.split("\n").length, 1, stderr);
        assert.match(stderr, /^error\[E_RECIPE_[A-Z]+\]: .*\.yaml:\d+:\d+: /);
        assert.doesNotMatch(stderr, /\n\s+at /);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("validate takes --confirm-permanent as run does: a recipe setting RDP level 2 passes both with it, neither without", async () => {
  const dir = await tempFiles({
    "rdp2.yaml": "version: 1\nname: t\ntarget: { transport: usart, chip: stm32f405rg }\nsteps:\n  - connect\n" +
      "  - option-bytes: { set: { RDP: 0xCC }, allow-permanent: true }\n",
  });
  try {
    for (const command of [["validate"], ["run", "--simulate", "stm32f405rg"]]) {
      const [name, ...rest] = command;
      const refused = await runCli(name, `${dir}/rdp2.yaml`, ...rest);
      assert.equal(refused.code, 2, `${name} without the flag`);
      assert.match(refused.stderr, /^error\[E_PERMANENT\]: .*rdp2\.yaml:6:\d+: /);
      const allowed = await runCli(name, `${dir}/rdp2.yaml`, ...rest, "--confirm-permanent");
      assert.equal(allowed.code, 0, `${name} --confirm-permanent: ${allowed.stderr}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
