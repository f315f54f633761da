/**
 * The DFU fault matrix (issue 14): every fault the DfuSe simulator can commit (lib/sim/dfuse/faults.ts), at a
 * seeded occurrence of each operation it applies to, against the `write` one-shot's flash path, a recipe `run`
 * (connect, erase: needed, write, verify), a `read`, and a Read Unprotect of a read-protected board; in-process on a
 * simulated STM32L433 (2 KiB pages of double-words, programmed once per erase) and STM32F405 (16 KiB sectors of
 * words) whose flash already holds an older firmware.
 *
 * The invariant: **success only with the flash exactly right** (for a read: the bytes returned are the flash's; for
 * the unprotect: RDP level 0 and the flash erased), otherwise a `DeviceError` (exit 1) with an `E_...` code, within a
 * bounded time; and a rerun without the fault brings the board to the right flash.
 *
 * The seed is fixed (14) so CI runs the same matrix every time, and printed; `FAULT_SEED=N` runs another one.
 */

import assert from "node:assert/strict";
import { createDfuConnector } from "../../lib/cli/dfu_connector.ts";
import { programImage } from "../../lib/flash/program.ts";
import { TextReporter } from "../../lib/cli/text_reporter.ts";
import { FlashRecipeError } from "../../lib/errors.ts";
import { writeIntelHex } from "../../lib/image/intel_hex.ts";
import { MemoryImage } from "../../lib/image/memory_image.ts";
import { loadRecipe } from "../../lib/recipe/load.ts";
import { runRecipe } from "../../lib/recipe/runner.ts";
import { SimulatedDfuBoard } from "../../lib/sim/dfu_board.ts";
import { describeFault } from "../../lib/sim/dfuse/faults.ts";
import type { FaultSpec } from "../../lib/sim/faults.ts";
import { seededBytes } from "../../lib/sim/seeded_random.ts";
import { DfuStatus } from "../../lib/protocol/dfu/status.ts";
import { tempFiles } from "../helpers/cli.ts";

/** The simulated parts, with their flash size and the erase unit at the start of flash. */
const PARTS = [
  { part: "stm32l433rc", flashSize: 256 * 1024, page: 2048 },
  { part: "stm32f405rg", flashSize: 1024 * 1024, page: 16 * 1024 },
] as const;
const FLASH = 0x0800_0000;
const SPAN = 32 * 1024; // the part of flash the matrix looks at (the rest stays erased throughout)
/** A faulted operation must end within this long (every wait of the tool is bounded; here nothing is slow). */
const BOUND_MS = 10_000;

const SEED = Number(Deno.env.get("FAULT_SEED") ?? 14);
console.log(`DFU fault matrix seed ${SEED} (FAULT_SEED=${SEED} reruns it)`);
const random = seededBytes(SEED);

function randomBytes(length: number): Uint8Array {
  return Uint8Array.from({ length }, random);
}

/** The older firmware the board holds, and the image the tool flashes: a segment at 4 mod 8, one a page away. */
const OLD = randomBytes(SPAN);
const IMAGE = new MemoryImage([
  { address: FLASH + 4, data: randomBytes(5000) },
  { address: FLASH + 0x4002, data: randomBytes(100) },
]);

/** What the flash holds after an erase of every page the image touches and a write of the image. */
function expected(page: number): Uint8Array {
  const PAGE = page;
  const flash = OLD.slice();
  for (const segment of IMAGE.segments) {
    const from = Math.floor((segment.address - FLASH) / PAGE) * PAGE;
    const to = Math.ceil((segment.address - FLASH + segment.data.length) / PAGE) * PAGE;
    flash.fill(0xff, from, to);
  }
  for (const segment of IMAGE.segments) flash.set(segment.data, segment.address - FLASH);
  return flash;
}

/** `unprotect`: a Read Unprotect of the board, read-protected first (RDP level 1). */
type Operation = "write" | "run" | "read" | "unprotect";

/** The faults of the matrix, each at a seeded occurrence (1-3) of its point. */
function matrix(): { operation: Operation; fault: FaultSpec }[] {
  const at = (kind: FaultSpec["kind"], point: string, extra: Partial<FaultSpec> = {}): FaultSpec => ({
    kind,
    at: point,
    occurrence: 1 + (random() % 3),
    ...extra,
  });
  const flashing: FaultSpec[] = [
    at("error-status", "write", { status: DfuStatus.errPROG }),
    at("nack-once", "write"),
    at("stall", "write"),
    at("hang-up", "write"),
    at("skip-write", "write"),
    at("skip-write", "write", { times: Infinity }),
    at("error-status", "erase", { status: DfuStatus.errERASE }),
    at("nack-once", "erase"),
    at("stall", "erase"),
    at("reset", "erase"),
    at("skip-erase", "erase"),
    at("slow-erase", "erase", { factor: 5, ms: 5 }),
    at("error-status", "set-address", { status: DfuStatus.errTARGET }),
    at("stall", "set-address"),
    at("hang-up", "set-address"),
    at("nack-once", "read"),
    at("stall", "read"),
    at("hang-up", "read"),
    { kind: "stuck-bit", address: FLASH + 4 + (random() % 5000), bit: random() % 8 },
  ];
  const reading: FaultSpec[] = [
    at("error-status", "set-address", { status: DfuStatus.errTARGET }),
    at("stall", "set-address"),
    at("nack-once", "read"),
    at("stall", "read"),
    at("hang-up", "read"),
    at("error-status", "read", { status: DfuStatus.errVENDOR }),
  ];
  const unprotecting: FaultSpec[] = [
    at("error-status", "read-unprotect", { occurrence: 1, status: DfuStatus.errVENDOR }),
    at("stall", "read-unprotect", { occurrence: 1 }),
    at("hang-up", "read-unprotect", { occurrence: 1 }),
    at("skip-erase", "read-unprotect", { occurrence: 1 }),
    // The mass erase holds requests off past the transfer timeout (lowered for the matrix, see perform).
    at("slow-erase", "read-unprotect", { occurrence: 1, factor: 1, ms: 400 }),
    at("stall", "read", { occurrence: 1 }),
  ];
  return [
    ...unprotecting.map((fault) => ({ operation: "unprotect" as const, fault })),
    ...flashing.map((fault) => ({ operation: "write" as const, fault })),
    ...flashing.map((fault) => ({ operation: "run" as const, fault: { ...fault } })),
    ...reading.map((fault) => ({ operation: "read" as const, fault })),
  ];
}

/** Runs one operation against `board` as the CLI would; returns the error it ended with, and a read's bytes. */
async function perform(
  operation: Operation,
  board: SimulatedDfuBoard,
  recipeFile: string,
): Promise<{ error?: FlashRecipeError; read?: Uint8Array }> {
  const part = board.dfu.profile.part;
  const connector = createDfuConnector({
    simulate: part,
    part,
    board,
    pollSleep: () => Promise.resolve(),
    // A short transfer timeout, so that a device holding requests off past it is seen within the matrix's time.
    timeoutMs: 100,
    warn: () => {},
  });
  try {
    if (operation === "run") {
      const recipe = await loadRecipe(recipeFile);
      const result = await runRecipe(recipe, {
        board: connector,
        reporter: new TextReporter({ out: () => {}, err: () => {} }),
      });
      return { error: result.error };
    }
    const target = await connector.connect({ baud: 115200, retries: 5 });
    try {
      if (operation === "unprotect") {
        await target.protect?.({ kind: "readout-unprotect" });
        return {};
      }
      if (operation === "write") {
        await programImage(target, IMAGE);
        return {};
      }
      return { read: await target.readMemory(FLASH, SPAN) };
    } finally {
      await target.close();
    }
  } catch (error) {
    if (error instanceof FlashRecipeError) return { error };
    throw error; // a crash: the CLI would print a stack trace
  } finally {
    await connector.close();
  }
}

/** Asserts the invariant for one outcome. */
function assertInvariant(
  name: string,
  want: Uint8Array,
  operation: Operation,
  board: SimulatedDfuBoard,
  outcome: { error?: FlashRecipeError; read?: Uint8Array },
  ms: number,
): void {
  const flash = board.dfu.flash.read(FLASH, SPAN);
  assert.ok(ms < BOUND_MS, `${name}: took ${ms} ms`);
  if (outcome.error) {
    assert.equal(outcome.error.exitCode, 1, `${name}: ${outcome.error.code} ${outcome.error.message} is not exit 1`);
    assert.match(outcome.error.code, /^E_[A-Z0-9_]+$/, name);
    return;
  }
  if (operation === "read") {
    assert.deepEqual(outcome.read, flash, `${name}: a read succeeded with bytes that are not the flash's`);
    return;
  }
  if (operation === "unprotect") {
    assert.equal(board.dfu.readProtection, 0, `${name}: reported success while still read-protected`);
    assert.ok(board.dfu.flash.bytes.every((b) => b === 0xff), `${name}: reported success without the mass erase`);
    return;
  }
  const at = flash.findIndex((byte, i) => byte !== want[i]);
  assert.equal(at, -1, `${name}: reported success over wrong flash at +0x${at.toString(16)}`);
}

for (const { part, flashSize, page } of PARTS) {
  Deno.test(`DFU fault matrix on the ${part}: success only with the flash exactly right, else exit 1; a rerun recovers`, async () => {
    const dir = await tempFiles({
      "image.hex": writeIntelHex(IMAGE),
      "flash.yaml": [
        "name: fault matrix",
        `target: { transport: dfu, chip: ${part} }`,
        "steps:",
        "  - connect",
        "  - erase: needed",
        "  - write: { file: image.hex }",
        "  - verify",
      ].join("\n"),
    });
    const recipeFile = `${dir}/flash.yaml`;
    const want = expected(page);
    let failed = 0;
    const outcomes: string[] = [];
    try {
      for (const { operation, fault } of matrix()) {
        const name = `${part}: ${operation} with ${describeFault(fault)}`;
        const initial = new Uint8Array(flashSize).fill(0xff);
        initial.set(OLD);
        const board = new SimulatedDfuBoard(part, { flash: initial });
        try {
          if (operation === "unprotect") board.dfu.optionBytes[board.dfu.profile.rdpOffset] = 0x55; // RDP level 1
          board.dfu.injectFaults([fault]);
          const started = Date.now();
          const outcome = await perform(operation, board, recipeFile);
          assertInvariant(name, want, operation, board, outcome, Date.now() - started);
          if (outcome.error) failed++;
          outcomes.push(`${name}: ${outcome.error ? `error[${outcome.error.code}]` : "ok"}`);
          // The rerun, the fault gone (a stuck bit goes with it: the board's flash cell is replaced, so to speak).
          board.dfu.injectFaults([]);
          const again = await perform(operation, board, recipeFile);
          assert.equal(again.error, undefined, `${name}: the rerun failed: ${again.error?.message}`);
          assertInvariant(`${name} (rerun)`, want, operation, board, again, 0);
        } finally {
          await board.close();
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    console.log(outcomes.join("\n"));
    // Most faults must have stopped the operation; a matrix where nothing failed would test nothing.
    assert.ok(failed > 20, `only ${failed} faulted runs failed`);
  });
}

Deno.test("DFU: a write step's retry: resumes after a transient fault (half-written page erased and rewritten)", async () => {
  for (
    const fault of [
      { kind: "nack-once", at: "write", occurrence: 2 },
      { kind: "stall", at: "write", occurrence: 3 },
      { kind: "error-status", at: "write", occurrence: 3, status: DfuStatus.errPROG },
      // A device that dropped off the bus needs a new connection: a `connect` step, or a rerun (the matrix above).
    ] as FaultSpec[]
  ) {
    const { part, flashSize, page } = PARTS[0];
    const dir = await tempFiles({
      "image.hex": writeIntelHex(IMAGE),
      "retry.yaml": [
        "name: retry",
        `target: { transport: dfu, chip: ${part} }`,
        "steps:",
        "  - connect",
        "  - erase: needed",
        "  - write: { file: image.hex }",
        "    retry: 1",
        "  - verify",
      ].join("\n"),
    });
    const initial = new Uint8Array(flashSize).fill(0xff);
    initial.set(OLD);
    const board = new SimulatedDfuBoard(part, { flash: initial });
    try {
      board.dfu.injectFaults([fault]);
      const outcome = await perform("run", board, `${dir}/retry.yaml`);
      const name = `retry after ${describeFault(fault)}`;
      assertInvariant(name, expected(page), "run", board, outcome, 0);
      assert.equal(outcome.error, undefined, `${name}: ${outcome.error?.code} ${outcome.error?.message}`);
    } finally {
      await board.close();
      await Deno.remove(dir, { recursive: true });
    }
  }
});
