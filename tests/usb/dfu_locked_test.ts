/**
 * A read-protected chip over USB DFU, in-process against the simulated DfuSe F405 (RDP level 1: uploads STALLed with
 * errVENDOR, downloads and erases answered errVENDOR, as AN3156 describes): `write`, `read` and `run` end with
 * `E_READ_PROTECTED` naming the exact command that unlocks this device and its cost, and that command unlocks it.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runCli, tempFiles } from "../helpers/cli.ts";
import { SimulatedDfuBoard } from "../../lib/sim/dfu_board.ts";
import { lendSimulatedDfuBoard } from "../../lib/cli/dfu_connector.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BLINKY_HEX = `${ROOT}tests/fixtures/firmware/blinky.hex`;
const DEVICE = ["--usb", "0483:df11", "--simulate", "stm32f405rg"];
const UNLOCK = "`flashrecipe unprotect read --usb 0483:df11 --simulate stm32f405rg`";

/** The simulated F405 in its DfuSe bootloader with `0x42` bytes in flash and read protection on. */
function lockedBoard(): SimulatedDfuBoard {
  const board = new SimulatedDfuBoard("stm32f405rg");
  board.dfu.flash.bytes.fill(0x42, 0, 4096);
  board.dfu.optionBytes[board.dfu.profile.rdpOffset] = 0x55; // RDP level 1 (anything but 0xAA and 0xCC)
  assert.equal(board.dfu.readProtection, 1);
  return board;
}

/** Runs `body` with `board` lent to the CLI's simulated DFU connectors. */
async function withBoard(board: SimulatedDfuBoard, body: () => Promise<void>): Promise<void> {
  const release = lendSimulatedDfuBoard(board);
  try {
    await body();
  } finally {
    release();
    await board.close();
  }
}

function assertLockedAdvice(stderr: string): void {
  assert.match(stderr, /error\[E_READ_PROTECTED\]: the STM32F40xxx\/41xxx is read-protected \(RDP level 1\)/);
  assert.ok(stderr.includes(UNLOCK), stderr);
  assert.match(stderr, /MASS ERASE: everything in flash is lost/);
}

Deno.test("DFU, read-protected: write names the exact unlock command and its cost; that command unlocks the chip", async () => {
  const board = lockedBoard();
  await withBoard(board, async () => {
    const write = await runCli("write", BLINKY_HEX, ...DEVICE);
    assert.equal(write.code, 1, write.stderr);
    assertLockedAdvice(write.stderr);
    assert.equal(board.dfu.flash.bytes[0], 0x42, "the refused write changed nothing");

    const info = await runCli("info", ...DEVICE);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /protection +READ-PROTECTED \(RDP level 1\)/);
    assert.match(info.stdout, /option-bytes +at 0x1FFFC000: not readable/);

    const unlock = await runCli("unprotect", "read", ...DEVICE);
    assert.equal(unlock.code, 0, unlock.stderr);
    assert.equal(board.dfu.readProtection, 0);
    assert.equal(board.dfu.flash.bytes[0], 0xff, "unlocking mass-erased the flash");

    const again = await runCli("write", BLINKY_HEX, ...DEVICE, "--quiet");
    assert.equal(again.code, 0, again.stderr);
  });
});

Deno.test("DFU, read-protected: read answers E_READ_PROTECTED with the unlock command, and writes no file", async () => {
  const dir = await tempFiles({});
  try {
    await withBoard(lockedBoard(), async () => {
      const read = await runCli("read", "--output", `${dir}/backup.bin`, "--length", "1024", ...DEVICE);
      assert.equal(read.code, 1, read.stderr);
      assertLockedAdvice(read.stderr);
      await assert.rejects(Deno.stat(`${dir}/backup.bin`), Deno.errors.NotFound);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("DFU, read-protected: run of a DFU recipe answers E_READ_PROTECTED with the unlock command", async () => {
  const board = lockedBoard();
  await withBoard(board, async () => {
    const run = await runCli("run", `${ROOT}recipes/feather-f405-dfu.yaml`, "--simulate", "stm32f405rg");
    assert.equal(run.code, 1, run.stderr);
    assertLockedAdvice(run.stderr);
    assert.equal(board.dfu.flash.bytes[0], 0x42, "nothing was erased or written");
  });
});
