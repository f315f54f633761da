/**
 * Our witness: the unmodified `dfu-util` (0.11) against our STM32F405 DfuSe simulator inside the virtual USB
 * lab, and round trips with flashrecipe (run as a subprocess in the same lab, through libusb) in both
 * directions, byte for byte.
 *
 * Needs umockdev, gir1.2-umockdev-1.0, python3-gi, libusb-1.0-0 and dfu-util (scripts/install_test_deps.sh).
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startUsbLab, type UsbLab } from "../../scripts/usb_lab/lab.ts";
import { createLabDfuseChip, type LabDfuseChip } from "../../scripts/usb_lab/dfuse_devices.ts";
import { tempFiles } from "../helpers/cli.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = `${ROOT}main.ts`;
const LAB_MAIN = `${ROOT}scripts/usb_lab/main.ts`;
const BLINKY_BIN = `${ROOT}tests/fixtures/firmware/blinky.bin`;
const FLASH_BASE = 0x0800_0000;

/** Runs `body` with a lab holding one simulated STM32F405 bootloader. */
async function withF405(body: (lab: UsbLab, chip: LabDfuseChip) => Promise<void>): Promise<void> {
  const chip = await createLabDfuseChip("stm32f405rg");
  const lab = await startUsbLab({ devices: [chip] });
  chip.attach(lab);
  try {
    await body(lab, chip);
  } finally {
    await lab.close();
    await chip.shutdown();
  }
}

async function dfuUtil(lab: UsbLab, ...args: string[]) {
  const result = await lab.output("dfu-util", args);
  assert.equal(result.code, 0, `dfu-util ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Runs `flashrecipe run RECIPE --usb 0483:df11` in the lab as its own process. */
async function flashrecipe(lab: UsbLab, recipe: string) {
  const result = await lab.output(Deno.execPath(), ["run", "-A", MAIN, "run", recipe, "--usb", "0483:df11"]);
  assert.equal(result.code, 0, `flashrecipe failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function readRecipe(length: number, file: string): string {
  return [
    "name: read back over DFU",
    "target: { transport: dfu, chip: stm32f405rg }",
    "steps:",
    "  - connect",
    `  - read: { address: 0x08000000, length: ${length}, file: ${file} }`,
  ].join("\n");
}

Deno.test("dfu-util -l lists the simulated F405 with its four DfuSe memories", async () => {
  await withF405(async (lab, chip) => {
    const out = await dfuUtil(lab, "-l");
    for (
      const [alt, name] of [
        [0, "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg"],
        [1, "@Option Bytes  /0x1FFFC000/01*016 e"],
        [2, "@OTP Memory /0x1FFF7800/01*512 e,01*016 e"],
        [3, "@Device Feature/0xFFFF0000/01*004 e"],
      ] as const
    ) {
      assert.match(out, new RegExp(`\\[0483:df11\\] ver=2200, .*alt=${alt}, name="${name.replace(/[*/]/g, "\\$&")}"`));
    }
    assert.match(out, new RegExp(`serial="${chip.simulator.serial}"`));
  });
});

Deno.test("dfu-util downloads with :leave; flashrecipe reads the same bytes back (lab CLI, --flash-file)", async () => {
  const dir = await tempFiles({ "read.yaml": readRecipe(16416, "back.bin") });
  const flashFile = `${dir}/f405.bin`;
  try {
    const blinky = await Deno.readFile(BLINKY_BIN);
    assert.equal(blinky.length, 16416);
    // Two lab sessions sharing the flash file: dfu-util's leave takes the device off the bus, as on a board.
    const lab = (...command: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", LAB_MAIN, "--chip", "stm32f405rg", "--flash-file", flashFile, "--", ...command],
        stdout: "piped",
        stderr: "piped",
      }).output();
    const download = await lab("dfu-util", "-a", "0", "-s", "0x08000000:leave", "-D", BLINKY_BIN);
    const downloadText = new TextDecoder().decode(download.stdout) + new TextDecoder().decode(download.stderr);
    assert.equal(download.code, 0, downloadText);
    assert.match(downloadText, /File downloaded successfully/);
    const saved = await Deno.readFile(flashFile);
    assert.deepEqual(saved.subarray(0, blinky.length), blinky);

    const read = await lab(Deno.execPath(), "run", "-A", MAIN, "run", `${dir}/read.yaml`, "--usb", "0483:df11");
    const readText = new TextDecoder().decode(read.stdout) + new TextDecoder().decode(read.stderr);
    assert.equal(read.code, 0, readText);
    assert.deepEqual(await Deno.readFile(`${dir}/back.bin`), blinky);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// dfu-util waits 35 s after a mass erase on these bootloaders: they report bwPollTimeout 100 ms, which dfu-util
// 0.11 treats as the STM32F405 under-reporting its mass-erase time (dfuse.c). That is most of this test's time.
Deno.test("flashrecipe writes; dfu-util uploads identical bytes; dfu-util mass-erase clears them", async () => {
  const dir = await tempFiles({
    "write.yaml": [
      "name: write over DFU",
      "target: { transport: dfu, chip: stm32f405rg }",
      "steps:",
      "  - connect",
      "  - erase: needed",
      `  - write: { file: ${BLINKY_BIN}, address: 0x08000000 }`,
      "  - verify",
    ].join("\n"),
  });
  try {
    await withF405(async (lab, chip) => {
      const blinky = await Deno.readFile(BLINKY_BIN);
      const out = await flashrecipe(lab, `${dir}/write.yaml`);
      assert.match(out, /verified 16416 bytes by read-back/);
      assert.deepEqual(chip.simulator.flash.bytes.subarray(0, blinky.length), blinky);

      await dfuUtil(lab, "-a", "0", "-s", "0x08000000:16384", "-U", `${dir}/up.bin`);
      assert.deepEqual(await Deno.readFile(`${dir}/up.bin`), blinky.subarray(0, 16384));

      const erase = await dfuUtil(lab, "-a", "0", "-s", "0x08000000:mass-erase:force");
      assert.match(erase, /mass erase/i);
      assert.ok(chip.simulator.flash.bytes.every((b) => b === 0xff), "flash erased");
      assert.equal(chip.simulator.flash.bytes.length, 1024 * 1024);
      assert.equal(FLASH_BASE, chip.simulator.flash.base);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
