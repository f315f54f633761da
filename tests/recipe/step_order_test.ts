/**
 * What the loader finds over the whole recipe before the run, at the position of the step that is wrong: steps
 * after the connection ended, `verify` with nothing written, flash access under read protection, images that
 * disagree, outputs that cannot be written, and the bounds on includes, conditions and variables. `validate`
 * and `run` share the code path, so both must refuse, with exit 2, and `run` must not start a single step.
 */
import assert from "node:assert/strict";
import { runCli, tempFiles } from "../helpers/cli.ts";

const HEX = await Deno.readTextFile(new URL("../../recipes/firmware/blinky.hex", import.meta.url));
const WIRED = "target: { chip: stm32f103c8, wiring: { preset: dtr-reset-rts-boot0 } }";

/** A target without wiring: `connect` needs no `enter-boot` before it. */
const PLAIN = "target: { chip: stm32f103c8 }";

function recipe(steps: string, header = WIRED): string {
  return `version: 1\nname: test\n${header}\nsteps:\n${steps}`;
}

/** `validate` and `run --simulate` both fail with exit 2, one line each matching `pattern`, and no step runs. */
async function expectBad(
  files: Record<string, string | Uint8Array>,
  pattern: RegExp,
  extra: string[] = [],
): Promise<string> {
  const dir = await tempFiles(files);
  try {
    const validated = await runCli("validate", `${dir}/recipe.yaml`, ...extra);
    assert.equal(validated.code, 2, `validate should fail: ${validated.stdout}`);
    assert.match(validated.stderr, pattern);
    assert.match(validated.stderr, /^error\[E_[A-Z_]+\]: /);
    const ran = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8", ...extra);
    assert.equal(ran.code, 2, ran.stderr);
    assert.match(ran.stderr, pattern);
    assert.equal(ran.stderr.split("\n").length, 1, `one line expected:\n${ran.stderr}`);
    assert.doesNotMatch(ran.stdout, /\[1\//, "no step may run");
    return ran.stderr;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function expectGood(files: Record<string, string | Uint8Array>, extra: string[] = []): Promise<void> {
  const dir = await tempFiles(files);
  try {
    const validated = await runCli("validate", `${dir}/recipe.yaml`, ...extra);
    assert.equal(validated.code, 0, validated.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a write after jump is refused at the write, naming the jump", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - erase: all\n  - jump\n  - write: { file: fw.hex }\n"), "fw.hex": HEX },
    /^error\[E_RECIPE_ORDER\]: .*recipe\.yaml:8:5: 'write' comes after 'jump' at line 7 of recipe\.yaml.*ends the connection/,
  );
});

Deno.test("leave-boot and reset end the connection too; a new connect makes the steps after it valid", async () => {
  for (const ender of ["leave-boot", "reset", "reset: { into: bootloader }"]) {
    await expectBad(
      { "recipe.yaml": recipe(`  - connect\n  - ${ender}\n  - erase: all\n`) },
      /recipe\.yaml:7:5: 'erase' comes after/,
    );
  }
  await expectGood({
    "recipe.yaml": recipe("  - connect\n  - reset: { into: bootloader }\n  - connect\n  - erase: all\n"),
  });
});

Deno.test("a step after a jump that runs only sometimes is refused: on those boards it would fail half way", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - jump: {}\n    when: 1 == 1\n  - erase: all\n") },
    /recipe\.yaml:8:5: 'erase' may come after 'jump' at line 6 of recipe\.yaml when 1 == 1/,
  );
});

Deno.test("a verify with nothing written before it", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - verify\n  - write: { file: fw.hex }\n"), "fw.hex": HEX },
    /recipe\.yaml:6:5: 'verify' has nothing to check: no 'write' comes before it/,
  );
});

Deno.test("flash access after read protection was turned on; unprotect: read turns it off", async () => {
  await expectBad(
    {
      "recipe.yaml": recipe(
        "  - connect\n  - protect: { read: true }\n  - read: { address: 0x08000000, length: 16, file: out.bin }\n",
      ),
    },
    /recipe\.yaml:7:5: 'read' comes after 'protect' at line 6 .*read protection on/,
  );
  await expectGood({
    "recipe.yaml": recipe("  - connect\n  - protect: { read: true }\n  - unprotect: read\n  - erase: all\n"),
  });
});

Deno.test("two images that always run and disagree at one address", async () => {
  const other = new Uint8Array(64).fill(0x5a);
  await expectBad(
    {
      "recipe.yaml": recipe(
        "  - connect\n  - erase: all\n  - write: { file: fw.hex }\n  - write: { file: patch.bin, address: 0x08000000 }\n",
      ),
      "fw.hex": HEX,
      "patch.bin": other,
    },
    /recipe\.yaml:8:20: 'patch\.bin' and 'fw\.hex' \(.*recipe\.yaml:7:20\) put different bytes at 0x08000000/,
  );
  // Alternatives chosen by when: are fine, and so is the same image twice.
  await expectGood({
    "recipe.yaml": recipe(
      "  - connect\n  - erase: all\n  - write: { file: fw.hex }\n    when: ${rev} == 1\n" +
        "  - write: { file: patch.bin, address: 0x08000000 }\n    when: ${rev} == 2\n  - write: { file: fw.hex }\n" +
        "    when: ${rev} == 1\n",
    ),
    "fw.hex": HEX,
    "patch.bin": other,
  }, ["--set", "rev=1"]);
});

Deno.test("a read into a folder is found before the run, not after reading the chip", async () => {
  await expectBad(
    {
      "recipe.yaml": recipe("  - connect\n  - read: { address: 0x08000000, length: 1024, file: out.hex }\n"),
      "out.hex/keep": "",
    },
    /^error\[E_FILE\]: .*recipe\.yaml:6:\d+: .*'out\.hex'.* is a folder/,
  );
  await expectBad(
    {
      "recipe.yaml": recipe("  - connect\n  - read: { address: 0x08000000, length: 1024, file: a.txt/out.hex }\n"),
      "a.txt": "",
    },
    /^error\[E_[A-Z_]+\]: .*recipe\.yaml:6:\d+: .*'a\.txt\/out\.hex'/,
  );
});

Deno.test("image errors name the recipe line as well as the firmware file", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - write: { file: fw.bin }\n"), "fw.bin": new Uint8Array(16) },
    /recipe\.yaml:6:20: 'fw\.bin': .*address/,
  );
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - write: { file: fw.hex, format: elf }\n"), "fw.hex": HEX },
    /recipe\.yaml:6:\d+: 'fw\.hex': /,
  );
  await expectBad(
    {
      "recipe.yaml": recipe("  - connect\n  - write: { file: fw.bin, address: 0xFFFFFFFF }\n"),
      "fw.bin": new Uint8Array(16),
    },
    /recipe\.yaml:6:\d+: 'fw\.bin': /,
  );
});

Deno.test("${env.} and ${env.A=B} are positioned errors", async () => {
  for (const ref of ["env.", "env.A=B", "env.1x"]) {
    await expectBad(
      { "recipe.yaml": recipe(`  - connect\n  - log: "\${${ref}}"\n`) },
      /recipe\.yaml:6:\d+: '\$\{env\.[^']*\}' names no environment variable/,
    );
  }
});

Deno.test("variables resolve only from the recipe's own names", async () => {
  for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
    await expectBad(
      { "recipe.yaml": recipe(`  - connect\n  - log: "\${${name}}"\n`) },
      new RegExp(`recipe\\.yaml:6:\\d+: undefined variable '${name}'`),
    );
  }
});

Deno.test("a reference under vars: is an error at the variable, not text that reaches the board", async () => {
  for (const value of ["${env.HOME}", "${env.}", "${env.A=B}", "fw-${rev}.hex"]) {
    await expectBad(
      {
        "recipe.yaml": `version: 1\nname: t\ntarget: { chip: stm32f103c8 }\nvars:\n  rev: 2\n  x: "${value}"\n` +
          'steps:\n  - connect\n  - log: "${x}"\n',
      },
      /^error\[E_RECIPE_VAR\]: .*recipe\.yaml:6:6: vars\.x holds the reference '\$\{[^']*\}', but values under 'vars:' are used as written/,
    );
  }
  // `$${` is a literal `${`, not a reference.
  await expectGood({
    "recipe.yaml": 'version: 1\nname: t\ntarget: { chip: stm32f103c8 }\nvars: { x: "cost $${x}" }\n' +
      'steps:\n  - connect\n  - log: "${x}"\n',
  });
});

Deno.test("a --set name the recipe does not use is an error with a suggestion", async () => {
  await expectBad(
    {
      "recipe.yaml": "version: 1\nname: t\ntarget: { chip: stm32f103c8 }\nvars: { firmware: fw.hex }\n" +
        "steps:\n  - connect\n  - write: { file: '${firmware}' }\n",
      "fw.hex": HEX,
      "new.hex": HEX,
    },
    /--set firmwre: the recipe uses no variable 'firmwre' \(did you mean 'firmware'\?\)/,
    ["--set", "firmwre=new.hex"],
  );
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n") },
    /--set toString: the recipe uses no variable 'toString'/,
    ["--set", "toString=1"],
  );
});

Deno.test("a --set number is exact where it is a whole value, and stays the text given inside text", async () => {
  const addressed = "version: 1\nname: t\ntarget: { chip: stm32f103c8 }\nvars: { addr: 0x08000000 }\n" +
    "steps:\n  - connect\n  - erase: all\n  - write: { file: app.bin, address: '${addr}' }\n";
  // 2^64 - 1 and 2^53 + 1 round to other doubles: refused by name, not written somewhere else.
  for (const value of ["99999999999999999999", "9007199254740993", "0x10000000000000001"]) {
    await expectBad(
      { "recipe.yaml": addressed, "app.bin": new Uint8Array(16) },
      new RegExp(`^error\\[E_USAGE\\]: .*--set addr=${value}: the number is larger than 9007199254740991`),
      ["--set", `addr=${value}`],
    );
  }
  await expectBad(
    { "recipe.yaml": addressed, "app.bin": new Uint8Array(16) },
    /recipe\.yaml:8:\d+: .*address.*4294967295/,
    ["--set", "addr=0x100000000"],
  );
  // Inside text, 20 digits and leading zeros are kept as written.
  const dir = await tempFiles({
    "recipe.yaml": recipe('  - connect\n  - log: "board ${serial} lot ${lot}"\n', "target: { chip: stm32f103c8 }"),
  });
  try {
    const ran = await runCli(
      "run",
      `${dir}/recipe.yaml`,
      "--simulate",
      "stm32f103c8",
      "--set",
      "serial=12345678901234567891",
      "--set",
      "lot=007",
    );
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /board 12345678901234567891 lot 007/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a recipe and its includes share one budget of YAML values, checked before a document is built", async () => {
  // Each include alone is under the limit; together (and included twice) they are not. Built as documents,
  // 200000 steps took 660 MB and 9 s before the step limit could see them.
  const list = `- log: [${Array(60_000).fill("1").join(",")}]\n`;
  const dir = await tempFiles({
    "recipe.yaml": recipe("  - connect\n  - include: big.yaml\n  - include: big.yaml\n"),
    "big.yaml": list,
  });
  try {
    for (const args of [["validate"], ["run", "--simulate", "stm32f103c8"]]) {
      const result = await runCli(args[0], `${dir}/recipe.yaml`, ...args.slice(1));
      assert.equal(result.code, 2, result.stderr);
      // Positioned in the second include; the first one's own problem (a list as `log:`) is listed as well.
      assert.match(
        result.stderr,
        /^error\[E_RECIPE_SYNTAX\]: .*big\.yaml:1:\d+: YAML: more than 100000 values in the recipe and its includes/m,
      );
      assert.doesNotMatch(result.stdout, /\[1\//, "no step may run");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a read that starts in flash and runs past its end is refused before the run, not NACKed after it", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - read: { address: 0x08000000, length: 70000, file: out.bin }\n", PLAIN) },
    /^error\[E_RECIPE\]: .*recipe\.yaml:6:\d+: the region runs past the end of the stm32f103c8's flash \(0x08000000-0x0800ffff\) \(read at most 65536 bytes/,
  );
  // The whole flash, and regions outside it (system memory, option bytes), stay the bootloader's to judge.
  await expectGood({
    "recipe.yaml": recipe(
      "  - connect\n  - read: { address: 0x08000000, length: 65536, file: all.bin }\n" +
        "  - read: { address: 0x1FFFF800, length: 16, file: options.bin }\n",
      PLAIN,
    ),
  });
});

Deno.test("includes: an absolute path is used as given; depth, count and step totals are bounded", async () => {
  const dir = await tempFiles({ "inc/steps.yaml": "- connect\n- erase: all\n" });
  try {
    await expectGood({ "recipe.yaml": recipe(`  - include: ${dir}/inc/steps.yaml\n`) });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // A chain of includes 40 deep.
  const chain: Record<string, string> = { "recipe.yaml": recipe("  - connect\n  - include: i0.yaml\n") };
  for (let i = 0; i < 40; i++) chain[`i${i}.yaml`] = `- include: i${i + 1}.yaml\n`;
  chain["i40.yaml"] = "- erase: all\n";
  await expectBad(chain, /i1[5-7]\.yaml:1:12: includes nest more than 16 deep/);
  // Many steps in one include (200000 crashed a spread into push): refused at the step past the limit.
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - include: many.yaml\n"), "many.yaml": "- delay: 1ms\n".repeat(20_000) },
    /many\.yaml:10000:3: more than 10000 steps/,
  );
  // The same file included 300 times.
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n" + "  - include: one.yaml\n".repeat(300)), "one.yaml": "- delay: 1ms\n" },
    /recipe\.yaml:\d+:\d+: more than 256 includes/,
  );
});

Deno.test("a 20000-term when: chain is a positioned error, not an overflow at run time", async () => {
  const chain = Array.from({ length: 20000 }, () => "1 == 1").join(" and ");
  await expectBad(
    { "recipe.yaml": recipe(`  - connect\n  - log: x\n    when: "${chain}"\n`) },
    /recipe\.yaml:7:11: 'when' is too large/,
  );
});

Deno.test("control characters in file names and names never reach the terminal raw", async () => {
  // A missing firmware file whose name holds a newline: still one line, the newline written as \n.
  const stderr = await expectBad(
    { "recipe.yaml": recipe('  - connect\n  - write: { file: "a\\nb\\u001b[2J.hex" }\n') },
    /cannot read 'a\\nb\\x1b\[2J\.hex'/,
  );
  assert.ok(!stderr.includes("\x1b"));
  const dir = await tempFiles({
    "recipe.yaml": 'version: 1\nname: "evil\\u001b]0;title\\u0007\\u001b[31m"\ntarget: { chip: stm32f103c8 }\n' +
      'steps:\n  - connect\n  - log: "say \\u001b[2J"\n    name: "x\\u009b"\n',
  });
  try {
    const result = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8");
    assert.equal(result.code, 0, result.stderr);
    for (const char of ["\x1b", "\x07", "\x9b"]) assert.ok(!(result.stdout + result.stderr).includes(char));
    assert.match(result.stdout, /evil\\x1b\]0;title\\x07/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a file-system error in a step's check is a recipe error at the step, not a crash", async () => {
  await expectBad(
    {
      "recipe.yaml": recipe(
        "  - connect\n  - write: { file: sn, address: 0x08000000 }\n",
      ),
      "sn/keep": "",
    },
    /^error\[E_FILE\]: .*recipe\.yaml:6:\d+: .*(it is a directory|it is a folder)/,
  );
  await expectBad(
    { "recipe.yaml": recipe(`  - connect\n  - write: { file: gone.hex, sha256: '${"0".repeat(64)}' }\n`) },
    /^error\[E_FILE\]: .*recipe\.yaml:6:\d+: .*no such file/,
  );
});

Deno.test("an include's when: has its references filled in, and they count as used by --set", async () => {
  const dir = await tempFiles({
    "recipe.yaml": recipe('  - include: inc.yaml\n    when: "${board} == rev2"\n'),
    "inc.yaml": "- log: included\n",
  });
  try {
    const rev2 = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8", "--set", "board=rev2");
    assert.equal(rev2.code, 0, rev2.stderr);
    assert.match(rev2.stdout, /\[1\/1\] log +included/);
    const rev1 = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8", "--set", "board=rev1");
    assert.match(rev1.stdout, /skipped \(when: \(rev1 == rev2\)\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("option-bytes that set RDP, by field or by raw bytes, lock the flash for the steps after it", async () => {
  for (const ob of ["{ set: { RDP: 0x00 } }", "{ raw: { offset: 0, bytes: [0x00] } }"]) {
    await expectBad(
      { "recipe.yaml": recipe(`  - connect\n  - option-bytes: ${ob}\n  - erase: all\n`) },
      /recipe\.yaml:7:5: 'erase' comes after 'option-bytes' at line 6 .*read protection on/,
    );
  }
  // 0xA5 is level 0 on the F1 (RM0008 §2.4.1): flash stays reachable.
  await expectGood({
    "recipe.yaml": recipe("  - connect\n  - option-bytes: { raw: { offset: 0, bytes: [0xA5] } }\n  - erase: all\n"),
  });
});
