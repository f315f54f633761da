/**
 * The blank-chip optimisation in recipes: `erase: needed` leaves unerased the pages an image fills when the first
 * page probes erased and the recipe verifies; `write` programs them and reads them back (erasing and writing again
 * any that held data); `verify` does not read them a second time.
 */
import assert from "node:assert/strict";
import { tempFiles } from "../helpers/cli.ts";
import { loadRecipe } from "../../lib/recipe/load.ts";
import { runRecipe } from "../../lib/recipe/runner.ts";
import { type RunReporter, SILENT_REPORTER } from "../../lib/recipe/reporter.ts";
import { startSimulatedBoard } from "../../lib/sim/simulated_board.ts";
import { connectUsart } from "../../lib/target/usart_target.ts";

/** 3 KiB + 256 bytes: pages 0-2 of an F103 filled, page 3 in part; of an F405, sector 0 in part. */
const IMAGE = new Uint8Array(3 * 1024 + 256).map((_, i) => (i * 29 + 7) & 0xff);

interface Outcome {
  ok: boolean;
  summaries: Record<string, string[]>;
  erased: number[];
  flash: Uint8Array;
}

async function run(
  chip: string,
  steps: string,
  seed?: (write: (address: number, data: Uint8Array) => void) => void,
): Promise<Outcome> {
  const dir = await tempFiles({
    "recipe.yaml": `version: 1\nname: blank\ntarget: { chip: ${chip} }\nsteps:\n${steps}`,
  });
  await Deno.writeFile(`${dir}/fw.bin`, IMAGE);
  const board = startSimulatedBoard(chip);
  seed?.((address, data) => board.chip.write(address, data));
  const erased: number[] = [];
  const erasePages = board.chip.erasePages.bind(board.chip);
  board.chip.erasePages = (pages) => {
    erased.push(...pages);
    return erasePages(pages);
  };
  const summaries: Record<string, string[]> = {};
  const reporter: RunReporter = {
    ...SILENT_REPORTER,
    stepEnd(step, outcome) {
      (summaries[step.type] ??= []).push(outcome.summary);
    },
  };
  try {
    const recipe = await loadRecipe(`${dir}/recipe.yaml`);
    const result = await runRecipe(recipe, {
      reporter,
      board: { link: () => Promise.resolve(board.link), connect: () => connectUsart(board.link) },
    });
    if (!result.ok) throw result.error;
    return { ok: result.ok, summaries, erased, flash: board.chip.read(0x0800_0000, IMAGE.length) };
  } finally {
    await board.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const FLASH = "  - connect\n  - erase: needed\n  - write: { file: fw.bin, address: 0x08000000 }\n";

Deno.test("blank F103: the filled pages are not erased, the write reads them back, verify skips them", async () => {
  const outcome = await run("stm32f103c8", `${FLASH}  - verify\n`);
  assert.deepEqual(outcome.erased, [3]);
  assert.match(outcome.summaries.erase[0], /^erased 1 page\(s\), 1024 bytes from 0x08000c00; 3 blank page\(s\) left/);
  assert.match(outcome.summaries.write[0], /; 3 blank page\(s\) programmed without an erase, read back$/);
  assert.match(outcome.summaries.verify[0], /^verified 3328 bytes by read-back \(3072 bytes in pages proven before/);
  assert.deepEqual(outcome.flash, IMAGE);
});

Deno.test("a write with verify: false erases as before: reading back would cost more than the erase", async () => {
  const outcome = await run("stm32f103c8", FLASH.replace("0x08000000 }", "0x08000000, verify: false }"));
  assert.deepEqual(outcome.erased, [0, 1, 2, 3]);
  assert.doesNotMatch(outcome.summaries.write[0], /blank/);
  assert.deepEqual(outcome.flash, IMAGE);
});

Deno.test("a write that may be skipped (when:) leaves nothing unerased: the page must end up erased", async () => {
  const outcome = await run(
    "stm32f103c8",
    "  - connect\n  - erase: needed\n  - write: { file: fw.bin, address: 0x08000000 }\n    when: 1 == 1\n  - verify\n",
  );
  assert.deepEqual(outcome.erased, [0, 1, 2, 3]);
  assert.deepEqual(outcome.flash, IMAGE);
});

Deno.test("a blank first page but a stray word in page 2: its write is refused, it is erased and written again", async () => {
  const outcome = await run("stm32f103c8", `${FLASH}  - verify\n`, (write) => {
    write(0x0800_0800 + 40, new Uint8Array([0x11, 0x22, 0x33, 0x44]));
  });
  assert.deepEqual(outcome.erased, [3, 2]);
  assert.match(
    outcome.summaries.write[0],
    /2 blank page\(s\) programmed .*; 1 page\(s\) erased and written again/,
  );
  assert.deepEqual(outcome.flash, IMAGE);
});

Deno.test("on an F405 a sector the image fills only in part is erased as before", async () => {
  const outcome = await run("stm32f405rg", `${FLASH}  - verify\n`);
  assert.deepEqual(outcome.erased, [0]);
  assert.deepEqual(outcome.flash, IMAGE);
});
