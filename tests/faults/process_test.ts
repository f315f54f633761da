/**
 * A few fault cases end to end, as a user meets them: `flashrecipe sim usart --fault ...` in its own process on a
 * pseudo-terminal, and the CLI in another, through the real serial port code. A pty carries no parity, so a
 * corrupted reply byte arrives unflagged here: the identity check is what stops it.
 */

import assert from "node:assert/strict";
import { flashrecipe, startSim, testPattern } from "../witness/sim_process.ts";
import { startUsartSim } from "../../scripts/bench/processes.ts";
import { tempFiles } from "../helpers/cli.ts";

const ignore = Deno.build.os === "windows";
const FLASH = 64 * 1024;

Deno.test({
  name: "process: a flipped Get ID bit on a link without parity stops write with E_IDENTITY before any erase; " +
    "a rerun without the fault writes the board",
  ignore,
  async fn() {
    const image = testPattern(3000, 14);
    const dir = await tempFiles({ "fw.bin": image, "flash.bin": new Uint8Array(FLASH).fill(0x5a) });
    try {
      const faulty = await startUsartSim([
        "--chip",
        "stm32f103c8",
        "--flash-file",
        `${dir}/flash.bin`,
        "--fault",
        "corrupt-reply@get-id:byte=3,bit=2",
      ]);
      const failed = await flashrecipe("write", `${dir}/fw.bin`, "--port", faulty.path);
      await faulty.stop();
      assert.equal(failed.code, 1, failed.stderr);
      assert.match(failed.stderr, /error\[E_IDENTITY\]: .*product ID 0x414.*nothing was erased/);
      assert.doesNotMatch(failed.stderr, /at .*\.ts:\d+/, "no stack trace");
      assert.deepEqual(await Deno.readFile(`${dir}/flash.bin`), new Uint8Array(FLASH).fill(0x5a));

      const healthy = await startSim("stm32f103c8", `${dir}/flash.bin`);
      const passed = await flashrecipe("write", `${dir}/fw.bin`, "--port", healthy.path);
      await healthy.stop();
      assert.equal(passed.code, 0, passed.stderr);
      assert.deepEqual((await Deno.readFile(`${dir}/flash.bin`)).subarray(0, image.length), image);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "process: a lost write ACK is recovered (the page checked and rewritten) and said so; noise before sync waited out",
  ignore,
  async fn() {
    const image = testPattern(5000, 15);
    const dir = await tempFiles({ "fw.bin": image });
    try {
      const sim = await startUsartSim([
        "--chip",
        "stm32f103c8",
        "--flash-file",
        `${dir}/flash.bin`,
        "--fault",
        "noise-before-sync:ms=400",
        "--fault",
        "drop-reply@write-memory:occurrence=3,byte=2",
      ]);
      const result = await flashrecipe("write", `${dir}/fw.bin`, "--port", sim.path);
      await sim.stop();
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /recovered from 1 link fault/);
      assert.deepEqual((await Deno.readFile(`${dir}/flash.bin`)).subarray(0, image.length), image);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
