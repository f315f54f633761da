/**
 * Recovering instead of restarting: a recipe's `retry:` on a write resumes where the failed attempt left the
 * flash; a transient fault during a write is retried and reported; an unknown product stops before any erase.
 */

import assert from "node:assert/strict";
import { programImage } from "../../lib/flash/program.ts";
import { MemoryImage } from "../../lib/image/memory_image.ts";
import { loadRecipe } from "../../lib/recipe/load.ts";
import { type RunReporter, SILENT_REPORTER } from "../../lib/recipe/reporter.ts";
import { runRecipe } from "../../lib/recipe/runner.ts";
import type { FaultSpec } from "../../lib/sim/faults.ts";
import { simulatedPart } from "../../lib/sim/parts.ts";
import { SimulatedChip } from "../../lib/sim/sim_chip.ts";
import { UsartBootloaderDevice } from "../../lib/sim/usart_device.ts";
import { connectUsart } from "../../lib/target/usart_target.ts";
import { createMemoryPipe } from "../../lib/transport/memory_pipe.ts";
import { tempFiles } from "../helpers/cli.ts";

const HOST = { replyTimeoutMs: 300, syncTimeoutMs: 100, resetTimeoutMs: 1500 };
const DATA = new Uint8Array(4 * 1024).map((_, i) => (i * 31 + 3) & 0xff);

async function runWithFaults(
  chip: SimulatedChip,
  steps: string,
  inject: FaultSpec[],
): Promise<{ ok: boolean; error?: string; summaries: string[]; notes: string[] }> {
  const dir = await tempFiles({
    "fw.bin": DATA,
    "recipe.yaml": `version: 1\nname: recover\ntarget: { chip: stm32f103c8 }\nsteps:\n${steps}`,
  });
  const [hostEnd, deviceEnd] = createMemoryPipe();
  const served = new UsartBootloaderDevice(chip, deviceEnd, { inject }).serve();
  const summaries: string[] = [];
  const notes: string[] = [];
  const reporter: RunReporter = {
    ...SILENT_REPORTER,
    stepEnd: (_step, outcome) => summaries.push(outcome.summary),
    info: (_step, message) => notes.push(message),
  };
  try {
    const recipe = await loadRecipe(`${dir}/recipe.yaml`);
    const result = await runRecipe(recipe, {
      reporter,
      board: { link: () => Promise.resolve(hostEnd), connect: () => connectUsart(hostEnd, HOST) },
    });
    return { ok: result.ok, error: result.error?.userMessage(), summaries, notes };
  } finally {
    await hostEnd.close();
    await served;
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("retry: on a write resumes: blocks an earlier attempt programmed are checked, not programmed over", async () => {
  const chip = new SimulatedChip(simulatedPart("stm32f103c8"));
  // The 9th Write Memory loses its final ACK three times running: more than the write's own page retries, so
  // the step fails and the recipe's retry: runs it again, after 8 blocks (2 pages) were programmed.
  const fault: FaultSpec = { kind: "drop-reply", at: "write-memory", occurrence: 9, times: 3, byte: 2 };
  const erased: number[] = [];
  const erasePages = chip.erasePages.bind(chip);
  chip.erasePages = (pages) => {
    erased.push(...pages);
    return erasePages(pages);
  };
  const run = await runWithFaults(
    chip,
    "  - connect\n  - erase: all\n  - write: { file: fw.bin, address: 0x08000000 }\n    retry: 2\n  - verify\n",
    [fault],
  );
  assert.ok(run.ok, run.error);
  assert.ok(run.notes.some((n) => /attempt 1 failed/.test(n)), "the step was retried");
  assert.deepEqual(chip.read(0x0800_0000, DATA.length), DATA);
  // Pages 0 and 1, complete before the fault, were compared and kept: erased once, by the mass erase.
  assert.equal(erased.filter((page) => page === 0).length, 1, `erased ${erased}`);
  assert.equal(erased.filter((page) => page === 1).length, 1, `erased ${erased}`);
});

Deno.test("a transient fault during a write is retried in the step and reported in its result", async () => {
  const chip = new SimulatedChip(simulatedPart("stm32f103c8"));
  chip.write(0x0800_0000, new Uint8Array(16)); // not blank: the pages are erased, then written
  const run = await runWithFaults(
    chip,
    "  - connect\n  - erase: needed\n  - write: { file: fw.bin, address: 0x08000000 }\n  - verify\n",
    [{ kind: "nack-once", at: "write-memory", occurrence: 6 }],
  );
  assert.ok(run.ok, run.error);
  assert.ok(
    run.summaries.some((s) => /wrote 4096 bytes.*recovered from 1 link fault/.test(s)),
    JSON.stringify(run.summaries),
  );
  assert.deepEqual(chip.read(0x0800_0000, DATA.length), DATA);
});

Deno.test("the write one-shot reports the faults it recovered from", async () => {
  const chip = new SimulatedChip(simulatedPart("stm32f103c8"));
  chip.write(0x0800_0000, new Uint8Array(16)); // not blank: the erase path
  const [hostEnd, deviceEnd] = createMemoryPipe();
  const served = new UsartBootloaderDevice(chip, deviceEnd, {
    inject: [{ kind: "corrupt-reply", at: "write-memory", occurrence: 3, byte: 2, bit: 1 }],
  }).serve();
  try {
    const target = await connectUsart(hostEnd, HOST);
    const report = await programImage(target, new MemoryImage([{ address: 0x0800_0000, data: DATA }]));
    assert.equal(report.retries, 1);
  } finally {
    await hostEnd.close();
    await served;
  }
  assert.deepEqual(chip.read(0x0800_0000, DATA.length), DATA);
});

Deno.test("an unknown product ID stops the write one-shot before any erase: E_CHIP_UNKNOWN, exit 1", async () => {
  const part = simulatedPart("stm32f103c8");
  const chip = new SimulatedChip({ ...part, chip: { ...part.chip, pid: 0x999 } });
  chip.write(0x0800_0000, new Uint8Array(16).fill(0x42));
  let erases = 0;
  const erasePages = chip.erasePages.bind(chip);
  chip.erasePages = (pages) => {
    erases++;
    return erasePages(pages);
  };
  const [hostEnd, deviceEnd] = createMemoryPipe();
  const served = new UsartBootloaderDevice(chip, deviceEnd).serve();
  try {
    const target = await connectUsart(hostEnd, HOST);
    const error = await programImage(target, new MemoryImage([{ address: 0x0800_0000, data: DATA }])).then(
      () => undefined,
      (e) => e,
    );
    assert.equal(error?.code, "E_CHIP_UNKNOWN", String(error));
    assert.equal(error.exitCode, 1);
    assert.doesNotMatch(error.code, /E_IMAGE_RANGE/);
  } finally {
    await hostEnd.close();
    await served;
  }
  assert.equal(erases, 0);
  assert.deepEqual(chip.read(0x0800_0000, 16), new Uint8Array(16).fill(0x42));
});
