/**
 * The USART fault matrix: every fault of lib/sim/faults.ts the USART device commits, against the `write` one-shot,
 * a recipe `run` and a `read`, on a simulated board whose chip outlives the run. The invariant, per case:
 * - success only with the flash exactly right (the image in place, a far page untouched; a read returning exactly
 *   what the flash holds);
 * - otherwise one clear error (`E_...`, exit 1, not an internal error) within a bounded time;
 * - a rerun without the fault, on the same chip, succeeds with the flash exactly right.
 *
 * The cases are drawn from a seed (FAULT_SEED in the environment, else a fixed one) so that a failure can be
 * replayed; the seed is in every test name. In-process over the memory pipe, whose 8E1 board model flags a
 * corrupted reply byte with a parity error as the real line would; tests/faults/process_test.ts runs a few cases
 * through `sim usart` and the CLI.
 *
 * @module
 */

import assert from "node:assert/strict";
import { FlashRecipeError } from "../../lib/errors.ts";
import { programImage } from "../../lib/flash/program.ts";
import { MemoryImage } from "../../lib/image/memory_image.ts";
import { loadRecipe } from "../../lib/recipe/load.ts";
import { SILENT_REPORTER } from "../../lib/recipe/reporter.ts";
import { runRecipe } from "../../lib/recipe/runner.ts";
import type { FaultSpec } from "../../lib/sim/faults.ts";
import { seededBytes } from "../../lib/sim/seeded_random.ts";
import { simulatedPart } from "../../lib/sim/parts.ts";
import { SimulatedChip } from "../../lib/sim/sim_chip.ts";
import { UsartBootloaderDevice } from "../../lib/sim/usart_device.ts";
import { connectUsart, type UsartConnectOptions } from "../../lib/target/usart_target.ts";
import { createMemoryPipe } from "../../lib/transport/memory_pipe.ts";
import { tempFiles } from "../helpers/cli.ts";

/** The seed of this run's cases. */
export const SEED = Number(Deno.env.get("FAULT_SEED") ?? 1414);

/** Longest any faulted operation may take before the test calls it a hang. */
export const BOUND_MS = 20_000;

/** Host timeouts for the matrix: short, so that a hundred faulted runs stay fast; the logic is the same. */
const HOST: UsartConnectOptions = { replyTimeoutMs: 300, syncTimeoutMs: 100, resetTimeoutMs: 1500 };

/** What a case does. */
export type Operation = "write" | "run" | "read";

/** One case of the matrix. */
export interface FaultCase {
  /** Short name. */
  name: string;
  /** The simulated part. */
  part: string;
  /** The fault. */
  fault: FaultSpec;
  /** What flash holds before the run. */
  start: "blank" | "old firmware" | "same firmware";
}

const BASE = 0x0800_0000;
/** A far page holding data no operation may touch. */
const SENTINEL_AT = 0x0800_a000;
const SENTINEL = new Uint8Array(64).map((_, i) => (i * 37 + 5) & 0xff);

/** The cases for `seed`: every fault kind, its point, occurrence, byte and bit drawn from the seed. */
export function faultCases(seed: number): FaultCase[] {
  const next = seededBytes(seed);
  const pick = (n: number) => next() % n;
  // Blank or older firmware, so that the faults at writes and erases are reached; the re-flash cases say so.
  const start = (): FaultCase["start"] => (["blank", "old firmware"] as const)[pick(2)];
  const f1 = "stm32f103c8";
  const crc = "stm32g071rb-crc";
  const cases: (Omit<FaultCase, "start"> & { start?: FaultCase["start"] })[] = [
    {
      name: "corrupt Get ID",
      part: f1,
      fault: { kind: "corrupt-reply", at: "get-id", byte: 2 + pick(2), bit: pick(8) },
    },
    { name: "corrupt Get", part: f1, fault: { kind: "corrupt-reply", at: "get", byte: pick(14), bit: pick(8) } },
    {
      name: "corrupt a read reply",
      part: f1,
      fault: { kind: "corrupt-reply", at: "read-memory", occurrence: 1 + pick(4), byte: pick(20), bit: pick(8) },
    },
    {
      name: "corrupt a write ACK",
      part: f1,
      fault: { kind: "corrupt-reply", at: "write-memory", occurrence: 1 + pick(6), byte: pick(3), bit: pick(8) },
    },
    {
      name: "corrupt an erase ACK",
      part: f1,
      fault: { kind: "corrupt-reply", at: "erase", byte: pick(2), bit: pick(8) },
    },
    {
      name: "drop a read reply",
      part: f1,
      fault: { kind: "drop-reply", at: "read-memory", occurrence: 1 + pick(4), byte: pick(3) },
    },
    {
      name: "drop a write reply",
      part: f1,
      fault: { kind: "drop-reply", at: "write-memory", occurrence: 1 + pick(6), byte: pick(3) },
    },
    { name: "drop the erase ACK", part: f1, fault: { kind: "drop-reply", at: "erase", byte: pick(2) } },
    { name: "NACK a write once", part: f1, fault: { kind: "nack-once", at: "write-memory", occurrence: 1 + pick(6) } },
    { name: "NACK a read once", part: f1, fault: { kind: "nack-once", at: "read-memory", occurrence: 1 + pick(4) } },
    { name: "NACK the erase once", part: f1, fault: { kind: "nack-once", at: "erase" } },
    { name: "noise before sync", part: f1, fault: { kind: "noise-before-sync", ms: 300, seed: pick(256) } },
    { name: "hang up mid-write", part: f1, fault: { kind: "hang-up", at: "write-memory", occurrence: 1 + pick(6) } },
    { name: "hang up mid-read", part: f1, fault: { kind: "hang-up", at: "read-memory", occurrence: 1 + pick(4) } },
    {
      name: "reset mid-write",
      part: f1,
      fault: { kind: "reset", at: "write-memory", occurrence: 1 + pick(6), byte: 1 + pick(2) },
    },
    { name: "reset mid-read", part: f1, fault: { kind: "reset", at: "read-memory", occurrence: 1 + pick(4) } },
    { name: "slow erase", part: f1, fault: { kind: "slow-erase", factor: 2 + pick(2) } },
    { name: "skip a write", part: f1, fault: { kind: "skip-write", occurrence: 1 + pick(6) } },
    {
      name: "stuck bit",
      part: f1,
      fault: { kind: "stuck-bit", address: BASE + pick(3 * 1024), bit: pick(8) },
    },
    { name: "protected page", part: f1, fault: { kind: "protect-pages", pages: [pick(4)] } },
    {
      name: "corrupt a Get Checksum reply",
      part: crc,
      fault: { kind: "corrupt-reply", at: "get-checksum", occurrence: 1 + pick(2), byte: pick(10), bit: pick(8) },
    },
    {
      name: "drop a Get Checksum reply",
      part: crc,
      fault: { kind: "drop-reply", at: "get-checksum", occurrence: 1 + pick(2), byte: pick(5) },
    },
    {
      name: "re-flash: corrupt a read reply",
      part: f1,
      start: "same firmware",
      fault: { kind: "corrupt-reply", at: "read-memory", occurrence: 1 + pick(8), byte: pick(20), bit: pick(8) },
    },
    {
      name: "re-flash: drop a Get Checksum reply",
      part: crc,
      start: "same firmware",
      fault: { kind: "drop-reply", at: "get-checksum", occurrence: 1 + pick(2), byte: pick(5) },
    },
  ];
  return cases.map((c) => ({ ...c, start: c.start ?? start() }));
}

/** The image every case writes: 3 KiB and a bit from the start of flash (pages 0-3 of an F103, 0-1 of a G0). */
export function caseImage(seed: number): MemoryImage {
  const next = seededBytes(seed ^ 0x5a5a);
  return new MemoryImage([{ address: BASE, data: new Uint8Array(3 * 1024 + 200).map(() => next()) }], {
    name: "fw.bin",
  });
}

/** A chip as the case starts it: blank, holding older firmware or this one, with the sentinel far away. */
export function startChip(c: FaultCase, image: MemoryImage): SimulatedChip {
  const chip = new SimulatedChip(simulatedPart(c.part));
  chip.write(SENTINEL_AT, SENTINEL);
  const data = image.segments[0].data;
  if (c.start === "same firmware") chip.write(BASE, data);
  if (c.start === "old firmware") chip.write(BASE, data.map((b, i) => (i % 97 === 0 ? b ^ 0x10 : b) & b));
  return chip;
}

/** What one operation came to. */
export type Outcome = { ok: true; read?: Uint8Array } | { ok: false; error: FlashRecipeError };

/** Runs `op` against `chip` with `faults` injected, over a fresh link; bounded by {@linkcode BOUND_MS}. */
export async function runOperation(
  op: Operation,
  chip: SimulatedChip,
  image: MemoryImage,
  faults: readonly FaultSpec[],
  lineParity = true,
): Promise<Outcome> {
  const [hostEnd, deviceEnd] = createMemoryPipe();
  const served = new UsartBootloaderDevice(chip, deviceEnd, { inject: faults, lineParity }).serve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${op} still running after ${BOUND_MS} ms: a hang`)), BOUND_MS);
  });
  try {
    return await Promise.race([operate(op, hostEnd, image, chip.part.part.part), hung]);
  } catch (error) {
    if (error instanceof FlashRecipeError) return { ok: false, error };
    throw error;
  } finally {
    clearTimeout(timer);
    await hostEnd.close();
    await served;
  }
}

async function operate(
  op: Operation,
  link: ReturnType<typeof createMemoryPipe>[0],
  image: MemoryImage,
  part: string,
): Promise<Outcome> {
  if (op === "read") {
    const target = await connectUsart(link, HOST);
    return { ok: true, read: await target.readMemory(BASE, image.size) };
  }
  if (op === "write") {
    const target = await connectUsart(link, HOST);
    await programImage(target, image);
    return { ok: true };
  }
  const dir = await tempFiles({
    "fw.bin": image.segments[0].data,
    "recipe.yaml": [
      "version: 1",
      "name: fault matrix",
      `target: { chip: ${part} }`,
      "steps:",
      "  - connect",
      "  - erase: needed",
      "  - write: { file: fw.bin, address: 0x08000000 }",
      "  - verify",
      "",
    ].join("\n"),
  });
  try {
    const recipe = await loadRecipe(`${dir}/recipe.yaml`);
    const result = await runRecipe(recipe, {
      reporter: SILENT_REPORTER,
      board: { link: () => Promise.resolve(link), connect: () => connectUsart(link, HOST) },
    });
    if (!result.ok && result.error) return { ok: false, error: result.error };
    return { ok: true };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs one case of the matrix for `op` and asserts the invariant (see the module text); returns what the faulted
 * run came to, for the test's own notes.
 */
export async function checkCase(op: Operation, c: FaultCase, seed: number, lineParity = true): Promise<Outcome> {
  const image = caseImage(seed);
  const chip = startChip(c, image);
  const started = Date.now();
  const faulted = await runOperation(op, chip, image, [c.fault], lineParity);
  const took = Date.now() - started;
  assert.ok(took < BOUND_MS, `${c.name}: took ${took} ms`);
  if (faulted.ok) assertRight(op, chip, image, faulted, `${c.name} (faulted run reported success)`);
  else {
    const { error } = faulted;
    assert.match(error.code, /^E_[A-Z_]+$/, `${c.name}: ${error.message}`);
    assert.notEqual(error.code, "E_INTERNAL", `${c.name}: ${error.message}`);
    assert.equal(error.exitCode, 1, `${c.name}: ${error.code} ${error.message}`);
    assert.ok(error.userMessage().length > 0);
  }
  const rerun = await runOperation(op, chip, image, []);
  assert.ok(rerun.ok, `${c.name}: the rerun without the fault failed: ${!rerun.ok && rerun.error.userMessage()}`);
  assertRight(op, chip, image, rerun, `${c.name} (rerun)`);
  return faulted;
}

/** The flash is exactly right for `op`: the image in place and the sentinel untouched; a read returns the flash. */
function assertRight(op: Operation, chip: SimulatedChip, image: MemoryImage, outcome: Outcome, what: string): void {
  assert.deepEqual(chip.read(SENTINEL_AT, SENTINEL.length), SENTINEL, `${what}: the far page was touched`);
  if (op === "read") {
    assert.ok(outcome.ok && outcome.read, what);
    assert.deepEqual(outcome.read, chip.read(BASE, image.size), `${what}: the read differs from the flash`);
    return;
  }
  const data = image.segments[0].data;
  const actual = chip.read(BASE, data.length);
  const at = actual.findIndex((b, i) => b !== data[i]);
  assert.equal(at, -1, `${what}: flash differs at +0x${at.toString(16)}`);
}
