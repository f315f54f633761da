/**
 * The witness: unmodified Debian stm32flash talks to `flashrecipe sim usart` over a pseudo-terminal. If the
 * simulator's AN3155 device side were wrong, an independent host would say so; and what one tool writes, the other
 * must read back identical (both ways).
 */

import assert from "node:assert/strict";
import { flashrecipe, hasStm32flash, type SimProcess, startSim, stm32flash, testPattern } from "./sim_process.ts";

const ignore = Deno.build.os === "windows" || !(await hasStm32flash());

interface Case {
  chip: string;
  /** Device ID as stm32flash prints it. */
  id: string;
  /** Bootloader version as stm32flash prints it. */
  version: string;
  /** Bytes to write: spans several pages/sectors. */
  length: number;
  /** An address in a page far from the first ones. */
  far: number;
}

const BASE = 0x0800_0000;
const CASES: Case[] = [
  { chip: "stm32f103c8", id: "0x0410", version: "0x22", length: 5000, far: 0x0800_c000 },
  { chip: "stm32f405rg", id: "0x0413", version: "0x31", length: 40000, far: 0x0804_0000 },
];

async function withSim(chip: string, fn: (sim: SimProcess, dir: string) => Promise<void>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "flashrecipe-witness-" });
  const sim = await startSim(chip, `${dir}/flash.bin`);
  let stopped: { code: number; stderr: string } | undefined;
  try {
    await fn(sim, dir);
  } finally {
    stopped = await sim.stop();
  }
  assert.equal(stopped.code, 0, stopped.stderr);
  return dir;
}

function range(address: number, length: number): string {
  return `0x${address.toString(16)}:${length}`;
}

async function readWith(sim: SimProcess, dir: string, length: number, address = BASE): Promise<Uint8Array> {
  const out = `${dir}/read-${crypto.randomUUID()}.bin`;
  const result = await stm32flash(sim.path, "-r", out, "-S", range(address, length));
  assert.equal(result.code, 0, result.output);
  return await Deno.readFile(out);
}

for (const c of CASES) {
  Deno.test({
    name: `witness ${c.chip}: stm32flash identifies the simulated chip`,
    ignore,
    fn: async () => {
      await withSim(c.chip, async (sim) => {
        const result = await stm32flash(sim.path);
        assert.equal(result.code, 0, result.output);
        assert.match(result.output, new RegExp(`Device ID +: ${c.id} `));
        assert.match(result.output, new RegExp(`Version +: ${c.version}`));
        assert.match(result.output, /Interface serial_posix: \d+ 8N1/);
      });
    },
  });

  Deno.test({
    name: `witness ${c.chip}: stm32flash writes with verify (mass and page erase), reads back, erases`,
    ignore,
    fn: async () => {
      const first = testPattern(c.length, 1);
      const second = testPattern(c.length, 2);
      const dir = await withSim(c.chip, async (sim, dir) => {
        await Deno.writeFile(`${dir}/first.bin`, first);
        await Deno.writeFile(`${dir}/second.bin`, second);
        // No -S: stm32flash mass-erases, then writes and reads every block back.
        const write = await stm32flash(sim.path, "-w", `${dir}/first.bin`, "-v");
        assert.equal(write.code, 0, write.output);
        assert.match(write.output, /Wrote and verified address/);
        assert.deepEqual(await readWith(sim, dir, c.length), first);

        const erase = await stm32flash(sim.path, "-o");
        assert.equal(erase.code, 0, erase.output);
        assert.deepEqual(await readWith(sim, dir, c.length), new Uint8Array(c.length).fill(0xff));

        // With -S ADDR:LEN only the pages/sectors the range covers are erased (Erase or Extended Erase with a
        // page list): a marker in a far page survives.
        const marker = testPattern(256, 7);
        await Deno.writeFile(`${dir}/marker.bin`, marker);
        const far = await stm32flash(sim.path, "-w", `${dir}/marker.bin`, "-S", range(c.far, marker.length));
        assert.equal(far.code, 0, far.output);
        const again = await stm32flash(sim.path, "-w", `${dir}/second.bin`, "-v", "-S", range(BASE, c.length));
        assert.equal(again.code, 0, again.output);
        assert.deepEqual(await readWith(sim, dir, c.length), second);
        assert.deepEqual(await readWith(sim, dir, marker.length, c.far), marker);
      });
      // The flash file holds the final contents once the simulator has stopped.
      const saved = await Deno.readFile(`${dir}/flash.bin`);
      assert.deepEqual(saved.subarray(0, c.length), second);
      assert.deepEqual(saved.subarray(c.far - BASE, c.far - BASE + 256), testPattern(256, 7));
      assert.ok(saved.subarray(c.length, c.far - BASE).every((b) => b === 0xff));
      await Deno.remove(dir, { recursive: true });
    },
  });

  Deno.test({
    name: `witness ${c.chip}: what stm32flash writes flashrecipe reads, and the reverse`,
    ignore,
    fn: async () => {
      const fromStm32flash = testPattern(c.length, 3);
      const fromFlashrecipe = testPattern(c.length + 3, 4); // not a multiple of 4: padding must not show
      const dir = await withSim(c.chip, async (sim, dir) => {
        await Deno.writeFile(`${dir}/a.bin`, fromStm32flash);
        const write = await stm32flash(sim.path, "-w", `${dir}/a.bin`);
        assert.equal(write.code, 0, write.output);
        const read = await flashrecipe(
          "read",
          "--port",
          sim.path,
          "--address",
          "0x08000000",
          "--length",
          String(c.length),
          "--output",
          `${dir}/a-read.bin`,
        );
        assert.equal(read.code, 0, read.stderr);
        // The pty drops parity; the user is told.
        assert.match(read.stderr, /^warning: .*parity cannot be carried on a pseudo-terminal/m);
        assert.deepEqual(await Deno.readFile(`${dir}/a-read.bin`), fromStm32flash);

        await Deno.writeFile(`${dir}/b.bin`, fromFlashrecipe);
        const ours = await flashrecipe("write", `${dir}/b.bin`, "--port", sim.path);
        assert.equal(ours.code, 0, ours.stderr);
        assert.match(ours.stdout, /verified \d+ bytes by read-back/);
        assert.deepEqual(await readWith(sim, dir, fromFlashrecipe.length), fromFlashrecipe);
      });
      await Deno.remove(dir, { recursive: true });
    },
  });

  Deno.test({
    name: `witness ${c.chip}: read protection by stm32flash (-j) stops reads; -k removes it and erases`,
    ignore,
    fn: async () => {
      const data = testPattern(1024, 5);
      const dir = await withSim(c.chip, async (sim, dir) => {
        await Deno.writeFile(`${dir}/data.bin`, data);
        assert.equal((await stm32flash(sim.path, "-w", `${dir}/data.bin`)).code, 0);
        const protect = await stm32flash(sim.path, "-j");
        assert.equal(protect.code, 0, protect.output);
        const refused = await stm32flash(sim.path, "-r", `${dir}/x.bin`, "-S", "0x08000000:256");
        assert.notEqual(refused.code, 0);
        assert.match(refused.output, /Failed to read memory at address 0x08000000/);
        const ours = await flashrecipe("read", "--port", sim.path, "--length", "256", "--output", `${dir}/y.bin`);
        assert.equal(ours.code, 1, ours.stderr);
        assert.match(ours.stderr, /error\[E_READ_PROTECTED\]: .*refuses to read.*flashrecipe unprotect read --port/);
        const unprotect = await stm32flash(sim.path, "-k");
        assert.equal(unprotect.code, 0, unprotect.output);
        assert.deepEqual(await readWith(sim, dir, 1024), new Uint8Array(1024).fill(0xff));
      });
      await Deno.remove(dir, { recursive: true });
    },
  });

  Deno.test({
    name: `witness ${c.chip}: stm32flash -g starts the application; the bootloader then stays silent`,
    ignore,
    fn: async () => {
      const dir = await Deno.makeTempDir({ prefix: "flashrecipe-witness-" });
      const sim = await startSim(c.chip);
      try {
        const go = await stm32flash(sim.path, "-g", "0x08000000");
        assert.equal(go.code, 0, go.output);
        assert.match(go.output, /Starting execution at address 0x08000000\.\.\. done\./);
        const after = await flashrecipe("info", "--port", sim.path);
        assert.equal(after.code, 1);
        assert.match(after.stderr, /error\[E_NO_RESPONSE\]/);
      } finally {
        const stopped = await sim.stop();
        assert.match(stopped.stderr, /application started at 0x08000000/);
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test({
  name: "witness: stm32flash identifies, writes and reads back the L433RC, G071RB and H743ZI simulators",
  ignore,
  fn: async () => {
    for (const [chip, id] of [["stm32l433rc", "0x0435"], ["stm32g071rb", "0x0460"], ["stm32h743zi", "0x0450"]]) {
      const data = testPattern(3000, 6);
      const dir = await withSim(chip, async (sim, dir) => {
        const identify = await stm32flash(sim.path);
        assert.match(identify.output, new RegExp(`Device ID +: ${id} `), chip);
        await Deno.writeFile(`${dir}/data.bin`, data);
        const write = await stm32flash(sim.path, "-w", `${dir}/data.bin`, "-v", "-S", range(BASE, data.length));
        assert.equal(write.code, 0, `${chip}: ${write.output}`);
        assert.deepEqual(await readWith(sim, dir, data.length), data, chip);
      });
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "witness: sim usart loads an existing --flash-file at start (SIGINT stops it too)",
  ignore,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "flashrecipe-witness-" });
    const image = new Uint8Array(64 * 1024).fill(0xff);
    image.set(testPattern(2048, 8), 0x400);
    await Deno.writeFile(`${dir}/flash.bin`, image);
    const sim = await startSim("stm32f103c8", `${dir}/flash.bin`);
    let stopped: { code: number; stderr: string } | undefined;
    try {
      const read = await flashrecipe(
        "read",
        "--port",
        sim.path,
        "--length",
        String(image.length),
        "--output",
        `${dir}/read.bin`,
      );
      assert.equal(read.code, 0, read.stderr);
      assert.deepEqual(await Deno.readFile(`${dir}/read.bin`), image);
    } finally {
      stopped = await sim.stop("SIGINT");
    }
    assert.equal(stopped.code, 0, stopped.stderr);
    // Nothing changed, so the file is as it was.
    assert.deepEqual(await Deno.readFile(`${dir}/flash.bin`), image);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "witness: a recipe run with --port on sim usart writes what stm32flash then reads as blinky.bin",
  ignore,
  fn: async () => {
    const hex = new URL("../fixtures/firmware/blinky.hex", import.meta.url).pathname;
    const blinky = await Deno.readFile(new URL("../fixtures/firmware/blinky.bin", import.meta.url));
    const dir = await withSim("stm32f103c8", async (sim, dir) => {
      await Deno.writeTextFile(
        `${dir}/recipe.yaml`,
        `name: witness\ntarget: { chip: stm32f103c8 }\nsteps:\n  - connect\n  - erase: needed\n` +
          `  - write: { file: "${hex}" }\n  - verify\n`,
      );
      const run = await flashrecipe("run", `${dir}/recipe.yaml`, "--port", sim.path);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /\[1\/4\] connect +STM32F10xxx medium-density \(0x410\), bootloader 2\.2/);
      assert.match(run.stderr, /^warning: .*parity/m);
      assert.deepEqual(await readWith(sim, dir, blinky.length), blinky);
    });
    await Deno.remove(dir, { recursive: true });
  },
});
