/**
 * Recipes over USB DFU, in-process against the DfuSe simulators (`--simulate`), with every step type the
 * USART path has; and the example recipes. No lab needed here (see dfu_lab_test.ts for the lab).
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createDfuConnector, type DfuConnector } from "../../lib/cli/dfu_connector.ts";
import { TextReporter } from "../../lib/cli/text_reporter.ts";
import { loadImageFile } from "../../lib/image/load.ts";
import { loadRecipe } from "../../lib/recipe/load.ts";
import { runRecipe } from "../../lib/recipe/runner.ts";
import type { RunResult } from "../../lib/recipe/reporter.ts";
import { runCli, tempFiles } from "../helpers/cli.ts";
import { LIBUSB_ERROR, udevRule, usbErrorFromLibusb } from "../../lib/transport/usb/usb_errors.ts";
import { SimulatedDfuBoard } from "../../lib/sim/dfu_board.ts";
import { DfuseDevice } from "../../lib/protocol/dfu/dfuse_device.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BLINKY_HEX = `${ROOT}tests/fixtures/firmware/blinky.hex`;
const BLINKY_BIN = `${ROOT}tests/fixtures/firmware/blinky.bin`;

/** Runs a recipe in-process against a simulated DFU chip; returns the result, the output and the simulation. */
async function simulate(recipeFile: string, chip: string, set: Record<string, string> = {}) {
  const recipe = await loadRecipe(recipeFile, { set });
  const lines: string[] = [];
  const connector: DfuConnector = createDfuConnector({
    simulate: chip,
    part: recipe.header.target.chip,
    usb: recipe.header.target.usb,
    warn: (m) => lines.push(`warning: ${m}`),
  });
  let result: RunResult;
  try {
    result = await runRecipe(recipe, {
      board: connector,
      reporter: new TextReporter({ out: (l) => lines.push(l), err: (l) => lines.push(l) }),
    });
  } finally {
    await connector.close();
  }
  assert.ok(connector.simulation);
  return { result, output: lines.join("\n"), board: connector.simulation };
}

async function blinkyBytes(): Promise<Uint8Array> {
  return await Deno.readFile(BLINKY_BIN);
}

Deno.test("every step type runs over DFU against the simulated F405", async () => {
  const dir = await tempFiles({
    "all.yaml": [
      "name: every step over DFU",
      "target: { transport: dfu, chip: stm32f405rg }",
      "steps:",
      "  - connect",
      "  - erase: all",
      "  - erase: { pages: [0, 1] }",
      "  - erase: { address: 0x08004000, length: 16384 }",
      "  - erase: needed",
      `  - write: { file: ${BLINKY_HEX} }`,
      "  - verify",
      "  - read: { address: 0x08000000, length: 16416, file: back.bin }",
      "  - option-bytes: { set: { WDG_SW: 0 } }",
      "  - protect: { read: true }",
      "  - unprotect: read",
      `  - write: { file: ${BLINKY_HEX} }`,
      "  - verify",
      "  - wait-usb: { device: '0483:df11', until: present, timeout: 1s }",
      "  - jump: { address: 0x08000000 }",
      "  - wait-usb: { device: '0483:df11', until: gone, timeout: 1s }",
    ].join("\n"),
  });
  try {
    const { result, output, board } = await simulate(`${dir}/all.yaml`, "stm32f405rg");
    assert.equal(result.ok, true, output);
    const blinky = await blinkyBytes();
    assert.deepEqual(await Deno.readFile(`${dir}/back.bin`), blinky);
    assert.deepEqual(board.dfu.flash.bytes.subarray(0, blinky.length), blinky);
    assert.match(output, /mass erase/);
    assert.match(output, /verified \d+ bytes by read-back/);
    // WDG_SW cleared (RM0090 §3.7.1: FLASH_OPTCR bit 5 is byte 0 bit 5 of the option area); RDP back at 0xAA.
    assert.equal(board.dfu.optionBytes[0] & 0x20, 0);
    assert.equal(board.dfu.readProtection, 0);
    assert.equal(board.dfu.jumpAddress, 0x0800_0000);
    assert.equal(board.mode, "application");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("recipes/feather-f405-dfu.yaml flashes the simulated F405 and starts it", async () => {
  const { result, output, board } = await simulate(`${ROOT}recipes/feather-f405-dfu.yaml`, "stm32f405rg");
  assert.equal(result.ok, true, output);
  const image = await loadImageFile(`${ROOT}recipes/firmware/blinky.hex`, {});
  for (const segment of image.segments) {
    const offset = segment.address - 0x0800_0000;
    assert.deepEqual(board.dfu.flash.bytes.subarray(offset, offset + segment.data.length), segment.data);
  }
  assert.equal(board.dfu.jumpAddress, 0x0800_0000);
});

Deno.test("recipes/nucleo-l433-cdc.yaml: 0xAA on the application's CDC port, then DFU, in-process", async () => {
  const { result, output, board } = await simulate(`${ROOT}recipes/nucleo-l433-cdc.yaml`, "stm32l433rc");
  assert.equal(result.ok, true, output);
  assert.deepEqual(board.appReceived, [[0xaa]]);
  assert.match(output, /sent 0xaa to 0483:5740; DFU bootloader up after/);
  assert.equal(board.dfu.profile.part, "stm32l433rc");
  assert.equal(board.dfu.jumpAddress, 0x0800_0000);
  assert.equal(board.mode, "application");
});

Deno.test("a configured trigger sequence is sent as given; the wrong one leaves no DFU device", async () => {
  const recipe = (trigger: string) =>
    [
      "name: trigger",
      "target: { transport: dfu, chip: stm32l433rc }",
      "steps:",
      `  - jump-to-system-memory: { trigger: ${trigger}, timeout: 300ms }`,
    ].join("\n");
  const dir = await tempFiles({ "aa.yaml": recipe("[0x55, 0xAA]"), "bad.yaml": recipe("[0x55]") });
  try {
    const good = await simulate(`${dir}/aa.yaml`, "stm32l433rc");
    assert.equal(good.result.ok, true, good.output);
    assert.deepEqual(good.board.appReceived, [[0x55, 0xaa]]);
    const bad = await simulate(`${dir}/bad.yaml`, "stm32l433rc");
    assert.equal(bad.result.ok, false);
    assert.equal(bad.result.error?.code, "E_USB_WAIT_TIMEOUT");
    assert.match(
      bad.result.error?.message ?? "",
      /sent 0x55 to the application on 0483:5740, but no DFU bootloader appeared within 300 ms/,
    );
    // The likely cause first (the application's jump code), then what was seen: the application's CDC device.
    assert.match(bad.result.error?.hint ?? "", /^check the application's jump code, the usual cause/);
    assert.match(bad.result.error?.hint ?? "", /no USB device matching 0483:df11 appeared[\s\S]*0483:5740/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run --simulate with DFU recipes through the CLI; validate needs no device", async () => {
  const run = await runCli("run", `${ROOT}recipes/feather-f405-dfu.yaml`, "--simulate", "stm32f405rg");
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /\[5\/5\] jump/);
  const validate = await runCli(
    "validate",
    `${ROOT}recipes/feather-f405-dfu.yaml`,
    `${ROOT}recipes/nucleo-l433-cdc.yaml`,
  );
  assert.equal(validate.code, 0, validate.stderr + validate.stdout);
  // A chip with no simulated DFU bootloader is a usage error for a DFU recipe.
  const wrong = await runCli("run", `${ROOT}recipes/feather-f405-dfu.yaml`, "--simulate", "stm32f103c8");
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /no simulated DFU bootloader for 'stm32f103c8'.*stm32f405rg, stm32l433rc/);
});

Deno.test("DFU recipes: bad transport, serial-line steps and a missing connect are recipe errors", async () => {
  const dir = await tempFiles({
    "transport.yaml": "name: x\ntarget: { transport: usb, chip: stm32f405rg }\nsteps: [connect]\n",
    "lines.yaml":
      "name: x\ntarget: { transport: dfu, chip: stm32f405rg, wiring: { preset: dtr-reset-rts-boot0 } }\nsteps: [enter-boot]\n",
    "order.yaml": "name: x\ntarget: { transport: dfu, chip: stm32f405rg }\nsteps: [{ wait-usb: {} }, verify]\n",
  });
  try {
    const transport = await runCli("validate", `${dir}/transport.yaml`);
    assert.equal(transport.code, 2);
    assert.match(transport.stderr, /transport\.yaml:2:\d+/);
    assert.match(transport.stderr, /usart.*dfu|dfu.*usart/);
    const lines = await runCli("run", `${dir}/lines.yaml`, "--simulate", "stm32f405rg");
    assert.equal(lines.code, 2, lines.stderr + lines.stdout);
    assert.match(lines.stderr, /lines\.yaml:3:\d+: 'enter-boot' works only over usart/);
    assert.doesNotMatch(lines.stdout, /\[1\//, "found before the run");
    const order = await runCli("validate", `${dir}/order.yaml`);
    assert.equal(order.code, 2);
    assert.match(order.stderr, /'verify' needs a connected chip/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("no permission on the device node: what the user reads names the udev rule for that device", () => {
  const error = usbErrorFromLibusb(LIBUSB_ERROR.ACCESS, "opening", {
    idVendor: 0x0483,
    idProduct: 0xdf11,
    portPath: "1-2",
  });
  assert.equal(error.code, "E_USB_PERMISSION");
  assert.equal(error.exitCode, 1);
  const shown = error.userMessage();
  assert.match(shown, /no permission to open USB device 0483:df11 at 1-2/);
  if (Deno.build.os === "linux") {
    assert.ok(shown.includes(udevRule(0x0483, 0xdf11)), shown);
    assert.match(shown, /\/etc\/udev\/rules\.d\//);
  }
});

Deno.test("an alternate setting asked for by a name the device does not have lists the names it has", async () => {
  const board = new SimulatedDfuBoard("stm32f405rg");
  const device = await DfuseDevice.open(board.openDfu({ vendorId: 0x0483, productId: 0xdf11 }));
  try {
    await assert.rejects(
      () => device.selectAlternate("Option Bits"),
      (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, "E_DFU_ALT");
        assert.match(error.message, /no alternate setting "Option Bits"/);
        assert.match(error.hint ?? "", /1 "Option Bytes"/);
        return true;
      },
    );
    assert.equal((await device.selectAlternate("option  bytes")).alternateSetting, 1);
  } finally {
    await device.close();
    await board.close();
  }
});

Deno.test("one-shot info/read/write take --usb; with --simulate they simulate the DfuSe bootloader", async () => {
  const dir = await tempFiles({});
  try {
    const info = await runCli("info", "--simulate", "stm32l433rc", "--usb", "0483:df11");
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /bootloader +2\.2 over dfu/);
    assert.match(info.stdout, /flash +256 KiB at 0x08000000/);
    const write = await runCli("write", BLINKY_HEX, "--simulate", "stm32f405rg", "--usb", "0483:df11");
    assert.equal(write.code, 0, write.stderr);
    assert.match(write.stdout, /verified 340 bytes by read-back/);
    const read = await runCli("read", "--simulate", "stm32f405rg", "--usb", "0483:df11", "-o", `${dir}/r.bin`);
    assert.equal(read.code, 0, read.stderr);
    assert.equal((await Deno.readFile(`${dir}/r.bin`)).length, 1024 * 1024);
    const both = await runCli("info", "--port", "/dev/null", "--usb", "0483:df11");
    assert.equal(both.code, 2);
    assert.match(both.stderr, /exactly one of --port PATH, --usb VID:PID and --simulate CHIP/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
