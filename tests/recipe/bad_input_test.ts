/**
 * Every kind of bad input gives one clear line naming the file, line and column, exit code 2, and nothing is
 * sent to a device.
 */
import assert from "node:assert/strict";
import { runCli, tempFiles } from "../helpers/cli.ts";

const HEX = await Deno.readTextFile(new URL("../../recipes/firmware/blinky.hex", import.meta.url));

function recipe(steps: string, header = "target: { chip: stm32f103c8 }"): string {
  return `version: 1\nname: test\n${header}\nsteps:\n${steps}`;
}

/** Runs `validate` and `run --simulate` on a recipe; both must fail with exit 2 and the expected message. */
async function expectBad(files: Record<string, string | Uint8Array>, pattern: RegExp): Promise<string> {
  const dir = await tempFiles(files);
  try {
    const validated = await runCli("validate", `${dir}/recipe.yaml`);
    assert.equal(validated.code, 2, `validate should fail: ${validated.stdout}`);
    assert.match(validated.stderr, pattern);
    const ran = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8");
    assert.equal(ran.code, 2);
    assert.match(ran.stderr, pattern);
    assert.equal(ran.stderr.split("\n").length, 1, `one line expected:\n${ran.stderr}`);
    // No step ran: nothing reached the (simulated) device.
    assert.doesNotMatch(ran.stdout, /\[1\//);
    return ran.stderr;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a missing recipe file", async () => {
  const result = await runCli("run", "/nonexistent/recipe.yaml", "--simulate", "stm32f103c8");
  assert.equal(result.code, 2);
  assert.match(result.stderr, /cannot read recipe '\/nonexistent\/recipe.yaml': no such file/);
});

Deno.test("a YAML syntax error names line and column", async () => {
  await expectBad(
    { "recipe.yaml": "name: x\nsteps:\n  - connect: {baud: 1\n  - write\n" },
    /recipe\.yaml:\d+:\d+: YAML syntax error/,
  );
});

Deno.test("an unknown step suggests the right one", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - wrte: { file: fw.hex }\n"), "fw.hex": HEX },
    /recipe\.yaml:6:5: unknown step 'wrte' \(did you mean 'write'\?\)/,
  );
});

Deno.test("an unknown key in a step suggests the right one", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - write: { file: fw.hex, adress: 0x08000000 }\n"), "fw.hex": HEX },
    /recipe\.yaml:6:28: unknown key 'adress' in steps\[1\]\.write \(did you mean 'address'\?\)/,
  );
});

Deno.test("an unknown top-level key", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n", "target: { chip: stm32f103c8 }\nsetps: []") },
    /recipe\.yaml:4:1: unknown key 'setps' \(did you mean 'steps'\?\)/,
  );
});

Deno.test("a value of the wrong type", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect: { baud: fast }\n") },
    /recipe\.yaml:5:22: steps\[0\]\.connect\.baud must be a number/,
  );
});

Deno.test("an erase form that does not exist lists the accepted ones", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - erase: everything\n") },
    /recipe\.yaml:6:12: invalid steps\[1\]\.erase \(expected erase: all \| needed/,
  );
});

Deno.test("a missing firmware file names the recipe line", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - write: { file: missing.hex }\n") },
    /recipe\.yaml:6:20: cannot read 'missing\.hex': no such file; tried \S+\/missing\.hex/,
  );
});

Deno.test("an image larger than flash", async () => {
  const big = new Uint8Array(128 * 1024);
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - write: { file: big.bin, address: 0x08000000 }\n"), "big.bin": big },
    /recipe\.yaml:6:\d+: 'big\.bin' has data at 0x08000000-0x0801ffff, outside the stm32f103c8's flash.*larger than the flash/,
  );
});

Deno.test("an address outside flash", async () => {
  await expectBad(
    {
      "recipe.yaml": recipe("  - connect\n  - write: { file: fw.bin, address: 0x20000000 }\n"),
      "fw.bin": new Uint8Array(16),
    },
    /recipe\.yaml:6:\d+: 'fw\.bin' has data at 0x20000000-0x2000000f, outside the stm32f103c8's flash/,
  );
});

Deno.test("an erase range outside flash", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - erase: { address: 0x08010000, length: 1024 }\n") },
    /recipe\.yaml:6:\d+: range 0x08010000\+1024 is outside the stm32f103c8's flash/,
  );
});

Deno.test("a raw binary without an address says to give one", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - write: { file: fw.bin }\n"), "fw.bin": new Uint8Array(16) },
    /fw\.bin.*address/,
  );
});

Deno.test("a corrupt HEX file names its own line", async () => {
  const corrupt = HEX.replace(/^(:10000000.{32})(..)/m, (_, body) => `${body}00`);
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n  - write: { file: fw.hex }\n"), "fw.hex": corrupt },
    /fw\.hex:2:.*checksum/,
  );
});

Deno.test("an unknown chip suggests a known one", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - connect\n", "target: { chip: stm32f10c8 }") },
    /recipe\.yaml:3:\d+: unknown chip 'stm32f10c8' \(did you mean 'stm32f103c8'\?\)/,
  );
});

Deno.test("an undefined variable", async () => {
  await expectBad(
    {
      "recipe.yaml": recipe(
        "  - connect\n  - write: { file: '${firmwre}' }\n",
        "target: { chip: stm32f103c8 }\nvars: { firmware: fw.hex }",
      ),
      "fw.hex": HEX,
    },
    /recipe\.yaml:7:\d+: undefined variable 'firmwre' \(did you mean 'firmware'\?\)/,
  );
});

Deno.test("a device step before connect", async () => {
  await expectBad(
    { "recipe.yaml": recipe("  - erase: all\n  - connect\n") },
    /recipe\.yaml:5:5: 'erase' needs a connected chip/,
  );
});

Deno.test("a sha256 that does not match stops before writing", async () => {
  await expectBad(
    {
      "recipe.yaml": recipe(`  - connect\n  - write: { file: fw.hex, sha256: '${"0".repeat(64)}' }\n`),
      "fw.hex": HEX,
    },
    /recipe\.yaml:6:\d+: sha256 of 'fw\.hex' is [0-9a-f]{64}, not the 0{64}/,
  );
});

Deno.test("a recipe from a newer flashrecipe", async () => {
  await expectBad(
    { "recipe.yaml": "version: 99\nname: x\ntarget: { chip: stm32f103c8 }\nsteps:\n  - connect\n" },
    /recipe\.yaml:1:10: recipe version 99 is newer/,
  );
});

Deno.test("--set fills a variable and validate prints ok", async () => {
  const dir = await tempFiles({
    "recipe.yaml": recipe("  - connect\n  - write: { file: '${fw}' }\n"),
    "fw.hex": HEX,
  });
  // A --set path is the current folder's (tests/cli/cli_paths_test.ts); an absolute one is used as it is.
  const result = await runCli("validate", `${dir}/recipe.yaml`, "--set", `fw=${dir}/fw.hex`);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /recipe\.yaml: ok \(2 steps \+ 1 verify added, stm32f103c8\)/);
  await Deno.remove(dir, { recursive: true });
});

// Files that are not regular files, in every place a recipe names a file: refused before reading (a FIFO with no
// writer would block, /dev/zero would fill memory), one line, exit 2, naming the recipe line and the path.
const posix = Deno.build.os !== "windows";

/** A FIFO with no writer at `path`. */
async function mkfifo(path: string): Promise<void> {
  const { code } = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.equal(code, 0);
}

/** Recipes naming the hostile path `X` in each place a file is read. */
const FILE_PLACES: Record<string, (path: string) => string> = {
  include: (p) => recipe(`  - connect\n  - include: '${p}'\n`),
  firmware: (p) => recipe(`  - connect\n  - write: { file: '${p}', address: 0x08000000 }\n`),
  "firmware with sha256": (p) => recipe(`  - connect\n  - write: { file: '${p}', sha256: '${"0".repeat(64)}' }\n`),
  "--set value": () =>
    recipe("  - connect\n  - write: { file: '${fw}', address: 0x08000000 }\n", "target: { chip: stm32f103c8 }"),
};

for (const [what, hostile] of [["/dev/zero", "character device"], ["/dev/urandom", "character device"]]) {
  for (const [place, make] of Object.entries(FILE_PLACES)) {
    Deno.test({
      name: `${what} as ${place} is refused before reading`,
      ignore: !posix,
      async fn() {
        const dir = await tempFiles({ "recipe.yaml": make("device") });
        try {
          // Through a symbolic link, as a relative path: the link is followed and the device found.
          await Deno.symlink(what, `${dir}/device`);
          for (const command of [["validate"], ["run", "--simulate", "stm32f103c8"]]) {
            const result = await runCli(
              command[0],
              `${dir}/recipe.yaml`,
              ...command.slice(1),
              ...(place === "--set value" ? ["--set", "fw=device"] : []),
            );
            assert.equal(result.code, 2, result.stderr);
            assert.match(result.stderr, new RegExp(`recipe\\.yaml:6:\\d+: .*'.*device': it is a ${hostile}`));
            assert.equal(result.stderr.split("\n").length, 1, result.stderr);
          }
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      },
    });
  }
}

Deno.test({
  name: "a FIFO with no writer as recipe, include, firmware or counter is refused without blocking",
  ignore: !posix,
  async fn() {
    const dir = await tempFiles({});
    try {
      await mkfifo(`${dir}/pipe`);
      const bare = await runCli("run", `${dir}/pipe`, "--simulate", "stm32f103c8");
      assert.equal(bare.code, 2);
      assert.match(bare.stderr, /cannot read recipe '.*\/pipe': it is a FIFO \(named pipe\), not a regular file/);
      for (const [place, make] of Object.entries(FILE_PLACES)) {
        await Deno.writeTextFile(`${dir}/recipe.yaml`, make("pipe"));
        const set = place === "--set value" ? ["--set", "fw=pipe"] : [];
        const result = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8", ...set);
        assert.equal(result.code, 2, `${place}: ${result.stderr}`);
        assert.match(result.stderr, /recipe\.yaml:6:\d+: .*'.*pipe': it is a FIFO \(named pipe\)/, place);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a folder as recipe, include or firmware is refused", async () => {
  const dir = await tempFiles({ "sub/keep": "" });
  try {
    const bare = await runCli("validate", `${dir}/sub`);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /cannot read recipe '.*\/sub': it is a folder, not a regular file/);
    for (const place of ["include", "firmware"]) {
      await Deno.writeTextFile(`${dir}/recipe.yaml`, FILE_PLACES[place]("sub"));
      const result = await runCli("validate", `${dir}/recipe.yaml`);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /recipe\.yaml:6:\d+: .*it is a folder, not a regular file/, place);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a recipe larger than its cap is refused", async () => {
  const dir = await tempFiles({ "recipe.yaml": recipe("  - connect\n") + "#".repeat(4 * 1024 * 1024) + "\n" });
  try {
    const result = await runCli("validate", `${dir}/recipe.yaml`);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /cannot read recipe '.*recipe\.yaml': it has \d+ bytes, more than the 4194304/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// Outputs that cannot be written are found before the chip is touched (the flash stays as it was).
for (
  const [name, path, pattern] of [
    ["into a folder", "out", /cannot write 'out': it is a folder/],
    [
      "into a missing folder",
      "missing/out.bin",
      /cannot write 'missing\/out\.bin': its folder '.*missing' does not exist/,
    ],
    [
      "through a file",
      "file.txt/out.bin",
      /cannot write 'file\.txt\/out\.bin': '.*file\.txt' is a regular file, not a folder/,
    ],
  ] as const
) {
  Deno.test(`a read step ${name} fails validation`, async () => {
    const steps = `  - connect\n  - read: { address: 0x08000000, length: 1024, file: '${path}' , format: bin }\n`;
    await expectBad({ "recipe.yaml": recipe(steps), "out/keep": "", "file.txt": "x" }, pattern);
  });
}

Deno.test("read --length beyond what one read copies is a usage error", async () => {
  const result = await runCli("read", "--simulate", "stm32f103c8", "--length", "99999999999", "--output", "x.bin");
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error\[E_USAGE\]: --length must be from 1 to 16777216, not '99999999999'$/);
});

Deno.test("read -o into a folder, a missing folder or through a file fails before the chip is read", async () => {
  const dir = await tempFiles({ "file.txt": "x", "out/keep": "" });
  try {
    for (const output of [`${dir}/out`, `${dir}/missing/x.bin`, `${dir}/file.txt/x.bin`]) {
      const result = await runCli("read", "--simulate", "stm32f103c8", "--output", output);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /error\[E_FILE\]: cannot write the output file/);
      assert.doesNotMatch(result.stderr, /\n/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// YAML limits: aliases, nesting and tags are bounded by class; each is one positioned E_RECIPE_SYNTAX line.
Deno.test("YAML aliases: billion laughs, an alias without anchor, a self-reference", async () => {
  let laughs = "vars:\n  l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (let i = 1; i < 10; i++) laughs += `  l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(", ")}]\n`;
  const cases: [string, RegExp][] = [
    [recipe("  - connect\n") + laughs, /recipe\.yaml:\d+:\d+: YAML: aliases expand the document to more than/],
    [recipe("  - connect\n  - write: { file: *fw }\n"), /recipe\.yaml:6:20: YAML: alias \*fw has no anchor/],
    [
      recipe("  - connect\n", "target: { chip: stm32f103c8 }\nx: &a [*a]"),
      /recipe\.yaml:4:8: YAML: alias \*a lies inside/,
    ],
    [recipe("  - connect\n  - write: { file: !!js/function 'x' }\n"), /recipe\.yaml:6:\d+: YAML: tag !!js\/function/],
    [recipe("  - connect\n  - log: !custom hello\n"), /recipe\.yaml:6:\d+: YAML: tag !custom is not allowed/],
    [recipe(`  - log: ${"[".repeat(20000)}${"]".repeat(20000)}\n`), /recipe\.yaml:5:\d+: YAML.*nests/],
  ];
  for (const [text, pattern] of cases) {
    const stderr = await expectBad({ "recipe.yaml": text }, pattern);
    assert.match(stderr, /^error\[E_RECIPE_SYNTAX\]/);
  }
});

Deno.test("a recipe using one anchor 101 times is valid", async () => {
  const logs = Array.from({ length: 101 }, () => "  - log: *message\n").join("");
  const dir = await tempFiles({
    "recipe.yaml": recipe(`  - connect\n${logs}`, "target: { chip: stm32f103c8 }\nvars: { m: &message hello }"),
  });
  try {
    const result = await runCli("validate", `${dir}/recipe.yaml`);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /ok \(102 steps/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// Numbers are range-checked where they are parsed: a recipe value names its line, a command-line value is E_USAGE.
Deno.test("durations out of range are refused with a position, whichever form they take", async () => {
  for (
    const [step, column] of [
      ["  - delay: 2147483648\n", 12],
      ["  - delay: 0ms\n", 12],
      ["  - log: hi\n    timeout: 40000m\n", 14],
      ["  - log: hi\n    timeout: 0\n", 14],
      ["  - log: hi\n    timeout: 0ms\n", 14],
      ["  - log: hi\n    retry: { attempts: 2, delay: 99999999999 }\n", 34],
    ] as const
  ) {
    const line = step.split("\n").length === 3 ? 7 : 6;
    await expectBad(
      { "recipe.yaml": recipe(`  - connect\n${step}`) },
      new RegExp(`recipe\\.yaml:${line}:${column}: .*(duration|at most|too big|invalid)`),
    );
  }
});

Deno.test("command-line addresses and lengths beyond 32 bits are usage errors", async () => {
  for (
    const args of [
      ["read", "--simulate", "stm32f103c8", "--address", "0x100000000", "--output", "x.bin"],
      ["read", "--simulate", "stm32f103c8", "--address", "0xFFFFFFF0", "--length", "64", "--output", "x.bin"],
      ["image", "recipes/firmware/blinky.hex", "--address", "0x1FFFFFFFF"],
      ["write", "recipes/firmware/blinky.hex", "--simulate", "stm32f103c8", "--address", "99999999999"],
    ]
  ) {
    const result = await runCli(...args);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, /^error\[E_USAGE\]: --(address|length|address plus)/, args.join(" "));
  }
});
