import assert from "node:assert/strict";

const ENTRY = new URL("fixtures/system_console_main.ts", import.meta.url).pathname;
const DEMO = new URL("../../recipes/demo.yaml", import.meta.url).pathname;

/** Runs the program with stdout on a pseudo-terminal (util-linux `script`), returning what the terminal got. */
async function onTerminal(env: Record<string, string>, ...args: string[]): Promise<{ code: number; text: string }> {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const command = [Deno.execPath(), "run", "-A", ENTRY, ...args].map(quote).join(" ");
  const result = await new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    env: { ...env, COLUMNS: "100", LINES: "30" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: result.code, text: new TextDecoder().decode(result.stdout) };
}

/** Whether util-linux `script` is present (it is on Debian; the test is skipped elsewhere). */
const hasScript = await new Deno.Command("sh", { args: ["-c", "command -v script"], stdout: "null" }).output()
  .then((r) => r.success);

Deno.test({
  name: "on a terminal: bars redrawn in place, coloured results; NO_COLOR turns colour off but keeps the bars",
  ignore: !hasScript,
  async fn() {
    const coloured = await onTerminal({}, "run", DEMO, "--simulate", "stm32f103c8");
    assert.equal(coloured.code, 0, coloured.text);
    assert.ok(coloured.text.includes("\r\x1b[2K"), "lines are cleared and redrawn");
    assert.match(coloured.text, /\[3\/5\] write +\[#+\] 100% {2}340 B\/340 B/);
    assert.ok(coloured.text.includes("\x1b[32mok\x1b[39m"), "green ok");
    assert.match(coloured.text, /chip: STM32F10xxx medium-density \(0x410\)/);

    const plain = await onTerminal({ NO_COLOR: "1" }, "run", DEMO, "--simulate", "stm32f103c8");
    assert.equal(plain.code, 0, plain.text);
    assert.ok(plain.text.includes("\r\x1b[2K"), "still a terminal");
    const colourCode = new RegExp(String.fromCharCode(0x1b) + "\\[\\d+m");
    assert.ok(!colourCode.test(plain.text), "no colour codes");
  },
});

Deno.test({
  name: "on a terminal: a station shows PASS in block letters",
  ignore: !hasScript,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const result = await onTerminal(
        { NO_COLOR: "1" },
        "station",
        DEMO,
        "--simulate",
        "stm32f103c8",
        "--boards",
        "1",
        "--log",
        `${dir}/log.csv`,
      );
      assert.equal(result.code, 0, result.text);
      assert.ok(result.text.includes("#### "), result.text);
      assert.match(result.text, /board 1: STM32F10xxx/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
