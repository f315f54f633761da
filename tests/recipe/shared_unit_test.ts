/**
 * Two `write` steps whose images share a program unit (a double-word on an L4): the second cannot program that
 * unit again (PROGERR: errPROG over DFU, a NACK over USART), so the planner erases the page and writes both images'
 * bytes there at once. Over DFU this failed with E_DFU_ERRPROG; over USART it "recovered from a link fault".
 */
import assert from "node:assert/strict";
import { tempFiles } from "../helpers/cli.ts";
import { loadRecipe } from "../../lib/recipe/load.ts";
import { runRecipe } from "../../lib/recipe/runner.ts";
import { type RunReporter, SILENT_REPORTER } from "../../lib/recipe/reporter.ts";
import { startSimulatedBoard } from "../../lib/sim/simulated_board.ts";
import { connectUsart } from "../../lib/target/usart_target.ts";
import { createDfuConnector } from "../../lib/cli/dfu_connector.ts";
import { SimulatedDfuBoard } from "../../lib/sim/dfu_board.ts";
import type { BoardAccess } from "../../lib/recipe/step.ts";

const A = new Uint8Array(100).map((_, i) => (i * 3 + 1) & 0xff); // at 0x08000004: 4 mod 8
const B = new Uint8Array([0x11, 0x22, 0x33, 0x44]); // at 0x08000000: the same double-word as A's first bytes

async function flash(transport: "usart" | "dfu"): Promise<{ summaries: string[]; error?: string; flash: Uint8Array }> {
  const dir = await tempFiles({
    "recipe.yaml": `version: 1\nname: dw\ntarget: { transport: ${transport}, chip: stm32l433rc }\nsteps:\n` +
      "  - connect\n  - erase: needed\n  - write: { file: a.bin, address: 0x08000004 }\n" +
      "  - write: { file: b.bin, address: 0x08000000 }\n  - verify\n",
  });
  await Deno.writeFile(`${dir}/a.bin`, A);
  await Deno.writeFile(`${dir}/b.bin`, B);
  const summaries: string[] = [];
  const reporter: RunReporter = { ...SILENT_REPORTER, stepEnd: (_, outcome) => void summaries.push(outcome.summary) };
  let read: () => Uint8Array;
  let board: BoardAccess & { close(): Promise<void> };
  if (transport === "usart") {
    const sim = startSimulatedBoard("stm32l433rc");
    read = () => sim.chip.read(0x0800_0000, 104);
    board = {
      link: () => Promise.resolve(sim.link),
      connect: () => connectUsart(sim.link),
      close: () => sim.close(),
    };
  } else {
    const sim = new SimulatedDfuBoard("stm32l433rc");
    read = () => sim.dfu.flash.read(0x0800_0000, 104);
    board = createDfuConnector({
      simulate: "stm32l433rc",
      part: "stm32l433rc",
      board: sim,
      pollSleep: () => Promise.resolve(),
      warn: () => {},
    });
  }
  try {
    const result = await runRecipe(await loadRecipe(`${dir}/recipe.yaml`), { reporter, board });
    return { summaries, error: result.error?.code, flash: read() };
  } finally {
    await board.close();
    await Deno.remove(dir, { recursive: true });
  }
}

for (const transport of ["dfu", "usart"] as const) {
  Deno.test(`${transport}: a write sharing a double-word with an earlier write rewrites the page, both land`, async () => {
    const outcome = await flash(transport);
    assert.equal(outcome.error, undefined);
    assert.deepEqual(outcome.flash, new Uint8Array([...B, ...A]));
    assert.match(outcome.summaries[3], /^wrote 4 bytes .*; 1 page\(s\) erased and written again$/);
    assert.doesNotMatch(outcome.summaries[3], /link fault/);
  });
}
