import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.ts";

const DEMO = new URL("../../recipes/demo.yaml", import.meta.url).pathname;

Deno.test("the demo recipe flashes, verifies and starts the simulated Blue Pill", async () => {
  const result = await runCli("run", DEMO, "--simulate", "stm32f103c8");
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\[1\/5\] connect +STM32F10xxx medium-density \(0x410\), bootloader 2\.2, 64 KiB flash/);
  assert.match(result.stdout, /\[2\/5\] erase +erased 2 page\(s\)/);
  assert.match(result.stdout, /\[3\/5\] write +wrote \d+ bytes in 2 segment\(s\) from 0x08000000/);
  assert.match(result.stdout, /\[4\/5\] verify +verified \d+ bytes by read-back/);
  assert.match(result.stdout, /\[5\/5\] jump +application started at 0x08000000/);
  assert.match(result.stdout, /^done on STM32F10xxx/m);
});

Deno.test("the program itself: `deno run main.ts` exits 0 on the demo and 2 on an unknown simulated chip", async () => {
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const ok = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, "run", DEMO, "--simulate", "stm32f103c8"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(ok.code, 0, new TextDecoder().decode(ok.stderr));
  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, "run", DEMO, "--simulate", "stm32f999"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(bad.code, 2);
  const stderr = new TextDecoder().decode(bad.stderr);
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
  assert.match(stderr, /unknown simulated chip 'stm32f999'.*stm32f103c8/);
});

Deno.test("--help and --version", async () => {
  const help = await runCli("--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /run +run a recipe/);
  const runHelp = await runCli("run", "--help");
  assert.match(runHelp.stdout, /Examples:/);
  assert.match(runHelp.stdout, /--simulate CHIP/);
  const version = await runCli("--version");
  assert.match(version.stdout, /^flashrecipe \d+\.\d+\.\d+$/);
});

Deno.test("usage mistakes exit 2 with one line and a suggestion", async () => {
  const unknown = await runCli("rnu");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'rnu' \(did you mean 'run'\?\)/);
  const option = await runCli("run", DEMO, "--simulat", "stm32f103c8");
  assert.equal(option.code, 2);
  assert.match(option.stderr, /unknown option '--simulat' for 'run' \(did you mean 'simulate'\?\)/);
});
