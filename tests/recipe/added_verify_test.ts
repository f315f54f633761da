/**
 * A recipe that writes but has no `verify` step never reports success over flash nobody checked: the loader adds a
 * verify after the write (lib/recipe/added_verify.ts), so a write the chip acknowledged but did not program fails
 * with E_VERIFY — over USART and over DFU. A write that opts out (`verify: false`) ends UNVERIFIED, never PASS.
 */
import assert from "node:assert/strict";
import { tempFiles } from "../helpers/cli.ts";
import { loadRecipe } from "../../lib/recipe/load.ts";
import { runRecipe } from "../../lib/recipe/runner.ts";
import { type RunReporter, type RunResult, SILENT_REPORTER } from "../../lib/recipe/reporter.ts";
import { startSimulatedBoard } from "../../lib/sim/simulated_board.ts";
import { connectUsart } from "../../lib/target/usart_target.ts";
import { createDfuConnector } from "../../lib/cli/dfu_connector.ts";
import { SimulatedDfuBoard } from "../../lib/sim/dfu_board.ts";
import type { FaultSpec } from "../../lib/sim/faults.ts";
import { recordOf } from "../../lib/cli/station/record.ts";
import { withAddedVerifies } from "../../lib/recipe/added_verify.ts";
import type { StepFlow } from "../../lib/recipe/step.ts";

const IMAGE = new Uint8Array(3000).map((_, i) => (i * 13 + 5) & 0xff);

interface Ran {
  result: RunResult;
  labels: string[];
  summaries: string[];
  flash: Uint8Array;
}

async function withRecipe<T>(header: string, steps: string, body: (file: string) => Promise<T>): Promise<T> {
  const dir = await tempFiles({ "recipe.yaml": `version: 1\nname: t\n${header}\nsteps:\n${steps}` });
  await Deno.writeFile(`${dir}/fw.bin`, IMAGE);
  try {
    return await body(`${dir}/recipe.yaml`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function collecting(labels: string[], summaries: string[]): RunReporter {
  return {
    ...SILENT_REPORTER,
    stepEnd(step, outcome) {
      labels.push(step.label);
      summaries.push(outcome.summary);
    },
    stepFailed(step) {
      labels.push(step.label);
    },
  };
}

async function runUsart(steps: string, inject: FaultSpec[] = []): Promise<Ran> {
  return await withRecipe("target: { chip: stm32f103c8 }", steps, async (file) => {
    const board = startSimulatedBoard("stm32f103c8", { inject });
    // Older firmware: every page must be erased and written (no blank page proven as it is programmed).
    board.chip.write(0x0800_0000, new Uint8Array(IMAGE.length).fill(0x5a));
    const labels: string[] = [];
    const summaries: string[] = [];
    try {
      const recipe = await loadRecipe(file);
      const result = await runRecipe(recipe, {
        reporter: collecting(labels, summaries),
        board: { link: () => Promise.resolve(board.link), connect: () => connectUsart(board.link) },
      });
      return { result, labels, summaries, flash: board.chip.read(0x0800_0000, IMAGE.length) };
    } finally {
      await board.close();
    }
  });
}

async function runDfu(steps: string, inject: FaultSpec[] = []): Promise<Ran> {
  return await withRecipe("target: { transport: dfu, chip: stm32l433rc }", steps, async (file) => {
    const board = new SimulatedDfuBoard("stm32l433rc");
    board.dfu.injectFaults(inject);
    const connector = createDfuConnector({
      simulate: "stm32l433rc",
      part: "stm32l433rc",
      board,
      pollSleep: () => Promise.resolve(),
      warn: () => {},
    });
    const labels: string[] = [];
    const summaries: string[] = [];
    try {
      const recipe = await loadRecipe(file);
      const result = await runRecipe(recipe, { reporter: collecting(labels, summaries), board: connector });
      return { result, labels, summaries, flash: board.dfu.flash.read(0x0800_0000, IMAGE.length) };
    } finally {
      await connector.close();
    }
  });
}

const NO_VERIFY = "  - connect\n  - erase: needed\n  - write: { file: fw.bin, address: 0x08000000 }\n";
const OPT_OUT = "  - connect\n  - erase: needed\n  - write: { file: fw.bin, address: 0x08000000, verify: false }\n";

Deno.test("USART: a write no verify step covers is verified anyway, and a skipped write is E_VERIFY", async () => {
  const good = await runUsart(NO_VERIFY);
  assert.ok(good.result.ok, good.result.error?.message);
  assert.equal(good.result.unverified, undefined);
  assert.deepEqual(good.labels, ["connect", "erase", "write", "verify (added)"]);
  assert.match(good.summaries[3], /^verified 3000 bytes .*\(added: no verify step checks the write at line \d+\)$/);
  assert.deepEqual(good.flash, IMAGE);

  // The bootloader acknowledges the second write command but programs nothing.
  const bad = await runUsart(NO_VERIFY, [{ kind: "skip-write", at: "write-memory", occurrence: 2 }]);
  assert.equal(bad.result.ok, false, "reported success over flash the write never programmed");
  assert.equal(bad.result.error?.code, "E_VERIFY");
  assert.equal(bad.labels.at(-1), "verify (added)");
  assert.notDeepEqual(bad.flash, IMAGE);
});

Deno.test("DFU: a write no verify step covers is verified anyway, and a skipped block is E_VERIFY", async () => {
  const good = await runDfu(NO_VERIFY);
  assert.ok(good.result.ok, good.result.error?.message);
  assert.equal(good.result.unverified, undefined);
  assert.deepEqual(good.labels, ["connect", "erase", "write", "verify (added)"]);
  assert.deepEqual(good.flash, IMAGE);

  const bad = await runDfu(NO_VERIFY, [{ kind: "skip-write", at: "write", occurrence: 1 }]);
  assert.equal(bad.result.ok, false, "reported success over a block the chip never programmed");
  assert.equal(bad.result.error?.code, "E_VERIFY");
});

Deno.test("verify: false opts out: the run ends UNVERIFIED and its station record is never PASS", async () => {
  for (const run of [runUsart, runDfu]) {
    const ran = await run(OPT_OUT);
    assert.ok(ran.result.ok, ran.result.error?.message);
    assert.deepEqual(ran.labels, ["connect", "erase", "write"]);
    assert.match(ran.result.unverified ?? "", /fw\.bin \(3000 bytes\) written and never verified/);
    const record = recordOf(ran.result, { station: "s", firmwareSha256: "", time: new Date(0) });
    assert.equal(record.result, "UNVERIFIED");
  }
  // A verify step after it checks it after all: PASS.
  const checked = await runUsart(`${OPT_OUT}  - verify\n`);
  assert.equal(checked.result.unverified, undefined);
  assert.equal(recordOf(checked.result, { station: "s", firmwareSha256: "", time: new Date(0) }).result, "PASS");
});

Deno.test("the added verify goes before the step that ends the connection, and only where none covers", () => {
  const step = (type: string, flow: Partial<StepFlow>, conditional = false) => ({
    type,
    flow: { needsTarget: true, ...flow },
    conditional,
  });
  const write = step("write", { writes: true });
  const place = (steps: ReturnType<typeof step>[]) =>
    withAddedVerifies(steps, (s) => s, () => step("added", { verifies: true })).map((s) => s.type);
  const connect = step("connect", { connects: true });
  const jump = step("jump", { endsConnection: true });
  const verify = step("verify", { verifies: true });
  assert.deepEqual(place([connect, write, jump]), ["connect", "write", "added", "jump"]);
  assert.deepEqual(place([connect, write, verify, jump]), ["connect", "write", "verify", "jump"]);
  // A verify that may not run covers nothing.
  assert.deepEqual(place([connect, write, step("verify", { verifies: true }, true)]), [
    "connect",
    "write",
    "verify",
    "added",
  ]);
  // Before protection goes on (the flash cannot be read after), and before a second connection.
  assert.deepEqual(place([connect, write, step("protect", { readProtection: true })]), [
    "connect",
    "write",
    "added",
    "protect",
  ]);
  assert.deepEqual(place([connect, write, connect, write]), ["connect", "write", "added", "connect", "write", "added"]);
  assert.deepEqual(place([connect, step("write", { writes: true, unverified: true })]), ["connect", "write"]);
});

Deno.test("an image written once per connection is verified once: the total counts it once", async () => {
  const twice = `${NO_VERIFY}  - verify\n${NO_VERIFY}  - verify\n`;
  const ran = await runUsart(twice);
  assert.ok(ran.result.ok, ran.result.error?.message);
  assert.match(ran.summaries.at(-1) ?? "", /^verified 3000 bytes /);
  assert.deepEqual(ran.flash, IMAGE);
});
