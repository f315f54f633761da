/** The recipe language: include, when, retry, timeout, on-failure, vars. */
import assert from "node:assert/strict";
import { runCli, tempFiles } from "../helpers/cli.ts";
import { loadRecipe } from "../../lib/recipe/load.ts";
import { runRecipe } from "../../lib/recipe/runner.ts";
import { SILENT_REPORTER } from "../../lib/recipe/reporter.ts";
import { DeviceError } from "../../lib/errors.ts";
import { startSimulatedBoard } from "../../lib/sim/simulated_board.ts";
import { connectUsart } from "../../lib/target/usart_target.ts";

const HEX = await Deno.readTextFile(new URL("../../recipes/firmware/blinky.hex", import.meta.url));
const HEADER = "version: 1\nname: test\ntarget: { chip: stm32f103c8 }\n";

async function withFiles(files: Record<string, string>, fn: (dir: string) => Promise<void>) {
  const dir = await tempFiles(files);
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("include inserts another file's steps; its errors point into that file", async () => {
  await withFiles({
    "recipe.yaml": `${HEADER}steps:\n  - include: common/connect.yaml\n  - write: { file: fw.hex }\n`,
    "common/connect.yaml": "- connect\n- erase: needed\n",
    "fw.hex": HEX,
  }, async (dir) => {
    const result = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\[1\/4\] connect/);
    assert.match(result.stdout, /\[2\/4\] erase/);
    // No verify step: one is added after the write (lib/recipe/added_verify.ts).
    assert.match(result.stdout, /\[4\/4\] verify \(added\) verified 340 bytes/);
    await Deno.writeTextFile(`${dir}/common/connect.yaml`, "- connect\n- erse: needed\n");
    const bad = await runCli("validate", `${dir}/recipe.yaml`);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /common\/connect\.yaml:2:3: unknown step 'erse' \(did you mean 'erase'\?\)/);
  });
});

Deno.test("an include cycle is an error at the include that closes it", async () => {
  await withFiles({
    "recipe.yaml": `${HEADER}steps:\n  - include: a.yaml\n`,
    "a.yaml": "- connect\n- include: b.yaml\n",
    "b.yaml": "- include: a.yaml\n",
  }, async (dir) => {
    const result = await runCli("validate", `${dir}/recipe.yaml`);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /b\.yaml:1:12: include cycle: a\.yaml -> b\.yaml -> a\.yaml/);
  });
});

Deno.test("when: skips a step whose condition is false, with values from --set", async () => {
  await withFiles({
    "recipe.yaml": `${HEADER}vars: { board: rev1 }\nsteps:\n  - connect\n` +
      `  - log: "rev2 only"\n    when: "\${board} == 'rev2'"\n  - log: "always"\n    when: "\${board} != 'none'"\n`,
  }, async (dir) => {
    const rev1 = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8");
    assert.equal(rev1.code, 0, rev1.stderr);
    assert.match(rev1.stdout, /\[2\/3\] log +skipped \(when: rev1 == 'rev2'\)/);
    assert.match(rev1.stdout, /\[3\/3\] log +always/);
    const rev2 = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8", "--set", "board=rev2");
    assert.match(rev2.stdout, /\[2\/3\] log +rev2 only/);
  });
});

Deno.test("a when: that does not parse is a validation error at its position", async () => {
  await withFiles({
    "recipe.yaml": `${HEADER}steps:\n  - connect\n  - log: x\n    when: "1 = 2"\n`,
  }, async (dir) => {
    const result = await runCli("validate", `${dir}/recipe.yaml`);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /recipe\.yaml:7:11: 'when' does not parse: unexpected '='/);
  });
});

Deno.test("retry: a device failure is retried; too few attempts fail", async () => {
  await withFiles({
    "r2.yaml": `${HEADER}steps:\n  - connect:\n    retry: 2\n`,
    "r1.yaml": `${HEADER}steps:\n  - connect:\n    retry: { attempts: 1, delay: 1ms }\n`,
  }, async (dir) => {
    for (const [file, expected] of [["r2.yaml", true], ["r1.yaml", false]] as const) {
      let failures = 2;
      const board = startSimulatedBoard("stm32f103c8");
      const recipe = await loadRecipe(`${dir}/${file}`);
      const result = await runRecipe(recipe, {
        reporter: SILENT_REPORTER,
        board: {
          link: () => Promise.resolve(board.link),
          connect: (request) => {
            if (failures-- > 0) throw new DeviceError("E_NO_RESPONSE", "flaky cable");
            return connectUsart(board.link, { syncAttempts: request.retries });
          },
        },
      });
      await board.close();
      assert.equal(result.ok, expected, file);
    }
  });
});

Deno.test("timeout: a step that takes too long fails with E_STEP_TIMEOUT and on-failure steps run", async () => {
  await withFiles({
    "recipe.yaml": `${HEADER}steps:\n  - connect\n  - delay: 5s\n    timeout: 20ms\n  - log: never\n` +
      `on-failure:\n  - log: "cleaning up"\n`,
  }, async (dir) => {
    const result = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8");
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error\[E_STEP_TIMEOUT\]: 'delay' took longer than its timeout of 20 ms/);
    assert.match(result.stdout, /log +cleaning up/);
    assert.doesNotMatch(result.stdout, /never/);
  });
});

Deno.test("prompt: --yes answers; without a terminal the run stops with a clear error", async () => {
  await withFiles(
    { "recipe.yaml": `${HEADER}steps:\n  - prompt: "Fit the BOOT0 jumper"\n  - connect\n` },
    async (dir) => {
      const yes = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8", "--yes");
      assert.equal(yes.code, 0, yes.stderr);
      assert.match(yes.stdout, /prompt +confirmed: Fit the BOOT0 jumper/);
      const no = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8");
      assert.equal(no.code, 1);
      assert.match(no.stderr, /E_PROMPT/);
      assert.match(no.stderr, /--yes/);
    },
  );
});

Deno.test("${env.NAME} reads the environment", async () => {
  await withFiles({
    "recipe.yaml": `${HEADER}steps:\n  - connect\n  - log: "station \${env.FLASHRECIPE_TEST_STATION}"\n`,
  }, async (dir) => {
    Deno.env.set("FLASHRECIPE_TEST_STATION", "S7");
    try {
      const result = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8");
      assert.match(result.stdout, /log +station S7/);
    } finally {
      Deno.env.delete("FLASHRECIPE_TEST_STATION");
    }
  });
});
