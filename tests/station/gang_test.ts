/**
 * Gang flashing as a line runs it: one station process, four slots, each on the pseudo-terminal of its own
 * `flashrecipe sim usart` process (a board of its own, with its own unique ID); one slot's board is the wrong chip.
 * Ctrl-C (SIGINT to the station): the first lets every slot finish its board, the second records every board in
 * progress as ABORTED.
 */

import assert from "node:assert/strict";
import { tempFiles } from "../helpers/cli.ts";
import { counterRecipe, readUntil, recordsOf } from "../production/line_recipe.ts";
import { type SimProcess, startUsartSim } from "../../scripts/bench/processes.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const SLOTS = 4;

/** The unique ID of slot `slot`'s board: 24 hex digits, different for every slot. */
function uidOf(slot: number): string {
  return `ab${String(slot).padStart(2, "0")}`.repeat(6);
}

/** Starts one `sim usart` per slot; `chips[i]` is slot i's part. */
async function startSims(chips: string[], extra: string[] = []): Promise<SimProcess[]> {
  const sims: SimProcess[] = [];
  try {
    for (const [i, chip] of chips.entries()) {
      sims.push(await startUsartSim(["--chip", chip, "--unique-id", uidOf(i + 1), ...extra]));
    }
  } catch (error) {
    await stopAll(sims);
    throw error;
  }
  return sims;
}

async function stopAll(sims: SimProcess[]): Promise<void> {
  await Promise.all(sims.map((sim) => sim.stop()));
}

/** Starts `flashrecipe station RECIPE --port …` (one per sim) in `dir`. */
function spawnGang(dir: string, recipe: string, sims: SimProcess[], args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    cwd: dir,
    args: ["run", "-A", MAIN, "station", recipe, ...sims.flatMap((sim) => ["--port", sim.path]), ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test(`gang station: ${SLOTS} slots on sim usart ptys at once, one wrong chip fails, the others pass with distinct serials bound to their boards`, async () => {
  const dir = await tempFiles({ "line.yaml": counterRecipe("gang", 7000) });
  const sims = await startSims(["stm32f103c8", "stm32f103c8", "stm32f405rg", "stm32f103c8"]);
  try {
    const child = spawnGang(dir, `${dir}/line.yaml`, sims, [
      "--db",
      `${dir}/line.db`,
      "--boards",
      String(SLOTS),
      "--log",
      `${dir}/log.csv`,
      "--station",
      "gang1",
    ]);
    const { code, stdout, stderr } = await child.output();
    const out = new TextDecoder().decode(stdout);
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 1, `one board failed: exit 1\n${out}\n${err}`);
    assert.match(out, /on 4 slots/);
    assert.match(out, /stopped — 4 boards: 3 passed, 1 failed, yield 75\.0%/);
    // Each slot's result line names its slot and port.
    for (const [i, sim] of sims.entries()) {
      const verdict = i === 2 ? "FAIL" : "PASS";
      assert.match(out, new RegExp(`\\[slot ${i + 1} ${sim.path}\\] ${verdict} board \\d`), out);
    }
    assert.match(out, /\[slot 3 [^\]]+\] FAIL board \d: .*error\[E_CHIP_MISMATCH\]/);

    const records = await recordsOf(`${dir}/line.db`);
    assert.equal(records.length, SLOTS);
    const passed = records.filter((r) => r.result === "PASS");
    const failed = records.filter((r) => r.result === "FAIL");
    assert.equal(passed.length, 3);
    assert.equal(failed.length, 1);
    assert.equal(failed[0].error_code, "E_CHIP_MISMATCH");
    assert.equal(failed[0].serial_number, "", "the wrong chip never drew a number");
    assert.equal(failed[0].board_uid, uidOf(3));
    // Every number distinct, from the one counter, each on the board of its own slot.
    const serials = passed.map((r) => Number(r.serial_number));
    assert.deepEqual([...serials].sort((a, b) => a - b), [7000, 7001, 7002]);
    assert.deepEqual(passed.map((r) => r.board_uid).sort(), [uidOf(1), uidOf(2), uidOf(4)]);
    assert.ok(records.every((r) => r.station === "gang1"));
    // The flat log has one whole line per board.
    const logLines = (await Deno.readTextFile(`${dir}/log.csv`)).trim().split("\n");
    assert.equal(logLines.length, 1 + SLOTS);
  } finally {
    await stopAll(sims);
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Starts a gang on real-time sims with a recipe whose boards linger after their number; resolves once every slot's
 * board has its serial number (all mid-board), with the child and its stdout reader.
 */
async function gangMidBoard(dir: string, sims: SimProcess[]) {
  const child = spawnGang(dir, `${dir}/slow.yaml`, sims, [
    "--db",
    `${dir}/line.db`,
    "--log",
    `${dir}/log.jsonl`,
    "--json",
  ]);
  const seen = await readUntil(child.stdout, new RegExp(`("serial number \\d+[^]*){${SLOTS}}`));
  return { child, seen };
}

Deno.test("gang station: the first Ctrl-C lets every slot finish its board and record it, then the station stops", async () => {
  const dir = await tempFiles({ "slow.yaml": counterRecipe("gang", 100, "  - delay: 1500ms\n") });
  const sims = await startSims(Array(SLOTS).fill("stm32f103c8"));
  try {
    const { child, seen } = await gangMidBoard(dir, sims);
    child.kill("SIGINT");
    let text = seen.text;
    for (;;) {
      const { value, done } = await seen.rest.read();
      if (done) break;
      text += value;
    }
    const { code } = await child.status;
    const err = await new Response(child.stderr).text();
    assert.equal(code, 0, err);
    const events = text.trim().split("\n").map((line) => JSON.parse(line));
    assert.ok(events.some((e) => e.event === "station-wait" && /every slot finishes its board/.test(e.message)));
    const ends = events.filter((e) => e.event === "board-end");
    assert.equal(ends.length, SLOTS, "every board in progress finished");
    assert.deepEqual(ends.map((e) => e.slot).sort(), [1, 2, 3, 4]);
    assert.ok(ends.every((e) => e.record.result === "PASS"));
    const stationEnd = events.find((e) => e.event === "station-end");
    assert.equal(stationEnd?.boards, SLOTS);
    const records = await recordsOf(`${dir}/line.db`);
    assert.equal(records.length, SLOTS);
    assert.ok(records.every((r) => r.result === "PASS"), JSON.stringify(records.map((r) => r.result)));
    assert.equal(new Set(records.map((r) => r.serial_number)).size, SLOTS);
  } finally {
    await stopAll(sims);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gang station: a second Ctrl-C records every board in progress as ABORTED, keeping its number, and quits", async () => {
  const dir = await tempFiles({ "slow.yaml": counterRecipe("gang", 100, "  - delay: 30s\n") });
  const sims = await startSims(Array(SLOTS).fill("stm32f103c8"));
  try {
    const { child, seen } = await gangMidBoard(dir, sims);
    child.kill("SIGINT");
    // The first stop is acknowledged before the second comes (the signal handler has run).
    let text = seen.text;
    while (!/every slot finishes its board/.test(text)) {
      const { value, done } = await seen.rest.read();
      if (done) break;
      text += value;
    }
    child.kill("SIGINT");
    const { code } = await child.status;
    await seen.rest.cancel();
    await child.stderr.cancel();
    assert.equal(code, 130);
    const records = await recordsOf(`${dir}/line.db`);
    assert.equal(records.length, SLOTS);
    assert.ok(records.every((r) => r.result === "ABORTED"), JSON.stringify(records.map((r) => r.result)));
    assert.ok(records.every((r) => r.error_code === "E_ABORTED"));
    // Each aborted board keeps the number written into it, bound to it.
    assert.deepEqual(records.map((r) => Number(r.serial_number)).sort((a, b) => a - b), [100, 101, 102, 103]);
    assert.deepEqual(records.map((r) => r.board_uid).sort(), [uidOf(1), uidOf(2), uidOf(3), uidOf(4)]);
  } finally {
    await stopAll(sims);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gang station: a DFU recipe with --simulate --slots 3 flashes a fresh DfuSe board per slot at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gang_dfu_" });
  try {
    const recipe = new URL("../../recipes/feather-f405-dfu.yaml", import.meta.url).pathname;
    const result = await new Deno.Command(Deno.execPath(), {
      cwd: dir,
      args: [
        "run",
        "-A",
        MAIN,
        "station",
        recipe,
        "--simulate",
        "stm32f405rg",
        "--slots",
        "3",
        "--boards",
        "6",
        "--log",
        `${dir}/log.jsonl`,
        "--json",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(result.stdout);
    assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
    const events = out.trim().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(events[0].slots, ["1 sim", "2 sim", "3 sim"]);
    const ends = events.filter((e) => e.event === "board-end");
    assert.equal(ends.length, 6);
    assert.deepEqual([...new Set(ends.map((e) => e.slot))].sort(), [1, 2, 3], "every slot ran boards");
    assert.deepEqual(ends.map((e) => e.board).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
    assert.equal(new Set(ends.map((e) => e.record.board)).size, 6, "six different boards");
    // Step events carry their slot and board too, so interleaved runs can be told apart.
    const steps = events.filter((e) => e.event === "step-start");
    assert.ok(steps.length > 0 && steps.every((e) => typeof e.slot === "number" && typeof e.board === "number"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gang station: --simulate --slots without --boards, not at a terminal, runs one board per slot and stops", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gang_rounds_" });
  try {
    const recipe = new URL("../../recipes/demo.yaml", import.meta.url).pathname;
    const result = await new Deno.Command(Deno.execPath(), {
      cwd: dir,
      args: ["run", "-A", MAIN, "station", recipe, "--simulate", "stm32f103c8", "--slots", "3", "--json"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
    const events = new TextDecoder().decode(result.stdout).trim().split("\n").map((line) => JSON.parse(line));
    assert.equal(events.filter((e) => e.event === "board-end").length, 3, "one board per slot, not boards without end");
    assert.ok(events.some((e) => e.event === "station-wait" && /one board per slot/.test(e.message)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Runs `flashrecipe ARGS` in `dir` with `input` on stdin; returns exit code and output. */
async function withInput(dir: string, args: string[], input: string) {
  const child = new Deno.Command(Deno.execPath(), {
    cwd: dir,
    args: ["run", "-A", MAIN, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  return { code, stdout: new TextDecoder().decode(stdout), stderr: new TextDecoder().decode(stderr) };
}

Deno.test("station --manual on a fixed adapter: a board for each Enter, the port never going away (one slot)", async () => {
  const dir = await tempFiles({ "line.yaml": counterRecipe("fixed", 1) });
  const sims = await startSims(["stm32f103c8"]);
  try {
    const out = await withInput(
      dir,
      ["station", `${dir}/line.yaml`, "--port", sims[0].path, "--manual", "--db", `${dir}/m.db`, "-q"],
      "\n\n",
    );
    assert.equal(out.code, 0, out.stderr);
    assert.doesNotMatch(out.stderr, /remove the board/);
    assert.equal(out.stderr.match(/press Enter/g)?.length, 3, "boards 1, 2, then the end of input");
    const records = await recordsOf(`${dir}/m.db`);
    assert.equal(records.length, 2);
    // The same board twice: it keeps its number.
    assert.deepEqual(records.map((r) => r.serial_number), ["1", "1"]);
  } finally {
    await stopAll(sims);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gang station --manual: each Enter starts a round, every slot's board at once, on fixed adapters", async () => {
  const dir = await tempFiles({ "line.yaml": counterRecipe("rounds", 1) });
  const sims = await startSims(["stm32f103c8", "stm32f103c8", "stm32f103c8"]);
  try {
    const out = await withInput(
      dir,
      [
        "station",
        `${dir}/line.yaml`,
        ...sims.flatMap((sim) => ["--port", sim.path]),
        "--manual",
        "--db",
        `${dir}/m.db`,
        "--log",
        `${dir}/m.csv`,
      ],
      "\n\n",
    );
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stderr.match(/put the next 3 boards on the fixture and press Enter/g)?.length, 3);
    assert.match(out.stdout, /stopped — 6 boards: 6 passed/);
    const records = await recordsOf(`${dir}/m.db`);
    assert.equal(records.length, 6);
    // Two rounds of the same three boards: three numbers, each kept by its board in the second round.
    const byBoard = new Map<unknown, Set<unknown>>();
    for (const r of records) byBoard.set(r.board_uid, (byBoard.get(r.board_uid) ?? new Set()).add(r.serial_number));
    assert.deepEqual([...byBoard.keys()].sort(), [uidOf(1), uidOf(2), uidOf(3)]);
    assert.ok([...byBoard.values()].every((serials) => serials.size === 1));
    assert.deepEqual(new Set(records.map((r) => r.serial_number)), new Set(["1", "2", "3"]));
  } finally {
    await stopAll(sims);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gang station: slots that do not fit the recipe or each other are usage errors before any device", async () => {
  const demo = new URL("../../recipes/demo.yaml", import.meta.url).pathname;
  const dfu = new URL("../../recipes/feather-f405-dfu.yaml", import.meta.url).pathname;
  const cases: [string[], RegExp][] = [
    [[demo, "--usb", "1-1", "--usb", "1-2"], /--usb names DFU devices, and this recipe flashes over the USART/],
    [[dfu, "--port", "/dev/ttyNONE0", "--port", "/dev/ttyNONE1"], /this recipe flashes over USB DFU: give one --usb/],
    [[demo, "--port", "/dev/ttyNONE0", "--port", "/dev/ttyNONE0"], /the same device is named for two slots/],
    [[demo, "--slots", "3"], /--slots 3 needs a device per slot/],
  ];
  // In a folder of its own: should a store or log be opened after all, it lands there, and the folder stays empty.
  const dir = await Deno.makeTempDir({ prefix: "gang_usage_" });
  try {
    for (const [args, message] of cases) {
      const result = await new Deno.Command(Deno.execPath(), {
        cwd: dir,
        args: ["run", "-A", MAIN, "station", ...args],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(result.stderr);
      assert.equal(result.code, 2, stderr);
      assert.match(stderr, /^error\[E_USAGE\]/);
      assert.match(stderr, message);
    }
    assert.deepEqual([...Deno.readDirSync(dir)], [], "no store, no log: nothing was opened");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
