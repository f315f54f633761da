/**
 * Recipes over USB DFU inside the virtual USB lab: flashrecipe runs as its own process on libusb (under the
 * lab's LD_PRELOAD) against the DfuSe simulators; the CDC jump with the application model on a pseudo-terminal;
 * the `usb` subcommand; and the faults: no libusb, no DFU device within the timeout, a device that vanishes
 * mid-download, DFU error statuses by name, alternate-setting names that are no DfuSe layout.
 *
 * Needs umockdev, gir1.2-umockdev-1.0, python3-gi and libusb-1.0-0 (scripts/install_test_deps.sh).
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startUsbLab, type UsbLab, type UsbLabOptions } from "../../scripts/usb_lab/lab.ts";
import { createLabDfuseChip, type LabDfuseChip } from "../../scripts/usb_lab/dfuse_devices.ts";
import { startLabCdcApplication } from "../../scripts/usb_lab/cdc.ts";
import { VendorTestDevice } from "../../scripts/usb_lab/test_devices.ts";
import type { ControlReply, SimulatedUsbDevice, UsbSetup } from "../../lib/transport/usb/control.ts";
import type { UsbDeviceReport } from "../../lib/cli/commands/usb.ts";
import { loadImageFile } from "../../lib/image/load.ts";
import { tempFiles } from "../helpers/cli.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = `${ROOT}main.ts`;
const BLINKY_BIN = `${ROOT}tests/fixtures/firmware/blinky.bin`;
const DFU_DNLOAD = 1; // DFU 1.1 §3 Table 3.2

type Part = "stm32f405rg" | "stm32l433rc";

/** A lab with one DfuSe chip (plugged in unless `plugged: false`), cleaned up afterwards. */
async function withChip(
  part: Part,
  body: (lab: UsbLab, chip: LabDfuseChip) => Promise<void>,
  options: { plugged?: boolean; flash?: Uint8Array; extra?: SimulatedUsbDevice[]; lab?: UsbLabOptions } = {},
): Promise<void> {
  const chip = await createLabDfuseChip(part);
  if (options.flash) chip.simulator.flash.load(options.flash);
  const devices = [...(options.plugged === false ? [] : [chip]), ...(options.extra ?? [])];
  const lab = await startUsbLab({ ...options.lab, devices });
  chip.attach(lab);
  try {
    await body(lab, chip);
  } finally {
    await lab.close();
    await chip.shutdown();
  }
}

/** `flashrecipe ARGS` as its own process in the lab. */
async function flashrecipe(lab: UsbLab, args: string[], env: Record<string, string> = {}) {
  const result = await lab.output(Deno.execPath(), ["run", "-A", MAIN, ...args], env);
  return { ...result, text: `${result.stdout}\n${result.stderr}` };
}

/** Writes a one-off DFU recipe for `chip` with `steps` (YAML lines) into a temp folder. */
async function recipe(chip: Part, steps: string[]): Promise<{ dir: string; file: string }> {
  const dir = await tempFiles({
    "r.yaml": [`name: lab test`, `target: { transport: dfu, chip: ${chip} }`, "steps:", ...steps.map((s) => `  - ${s}`)]
      .join("\n"),
  });
  return { dir, file: `${dir}/r.yaml` };
}

async function expectFlashHolds(chip: LabDfuseChip, file: string): Promise<void> {
  const image = await loadImageFile(file, {});
  for (const segment of image.segments) {
    const offset = segment.address - chip.simulator.flash.base;
    assert.deepEqual(chip.simulator.flash.bytes.subarray(offset, offset + segment.data.length), segment.data);
  }
}

Deno.test("lab: recipes/nucleo-l433-cdc.yaml - 0xAA on the pty CDC port plugs in DFU, then erase/write/verify/leave", async () => {
  await withChip("stm32l433rc", async (lab, chip) => {
    assert.equal(chip.plugged, false);
    const cdc = startLabCdcApplication({ onJump: () => chip.plugIn() });
    try {
      const run = await flashrecipe(lab, [
        "run",
        `${ROOT}recipes/nucleo-l433-cdc.yaml`,
        "--set",
        `cdcPort=${cdc.path}`,
        "--usb",
        "0483:df11",
      ]);
      assert.equal(run.code, 0, run.text);
      assert.equal(await cdc.done, true);
      assert.deepEqual(cdc.app.received, [0xaa]);
      assert.match(run.stdout, new RegExp(`sent 0xaa to ${cdc.path}; DFU bootloader up after \\d+ ms`));
      await expectFlashHolds(chip, `${ROOT}recipes/firmware/blinky.hex`);
      assert.deepEqual(chip.resets, ["leave"]);
      assert.equal(chip.plugged, false, "after leave the bootloader is off the bus");
    } finally {
      await cdc.close();
    }
  }, { plugged: false });
});

Deno.test("lab: recipes/feather-f405-dfu.yaml over libusb", async () => {
  await withChip("stm32f405rg", async (lab, chip) => {
    const run = await flashrecipe(lab, ["run", `${ROOT}recipes/feather-f405-dfu.yaml`]);
    assert.equal(run.code, 0, run.text);
    await expectFlashHolds(chip, `${ROOT}recipes/firmware/blinky.hex`);
    assert.equal(chip.simulator.jumpAddress, 0x0800_0000);
  });
});

Deno.test("lab: option bytes and read-unprotect reset the device; it re-enumerates and the recipe goes on", async () => {
  const { dir, file } = await recipe("stm32f405rg", [
    "connect",
    "option-bytes: { set: { WDG_SW: 0 } }",
    "protect: { read: true }",
    "unprotect: read",
    "erase: needed",
    `write: { file: ${BLINKY_BIN}, address: 0x08000000 }`,
    "verify",
  ]);
  try {
    await withChip("stm32f405rg", async (lab, chip) => {
      const run = await flashrecipe(lab, ["run", file, "--usb", "0483:df11"]);
      assert.equal(run.code, 0, run.text);
      assert.deepEqual(chip.resets, ["option-bytes", "option-bytes", "read-unprotect"]);
      assert.equal(chip.simulator.readProtection, 0);
      assert.equal(chip.simulator.optionBytes[0] & 0x20, 0);
      const blinky = await Deno.readFile(BLINKY_BIN);
      assert.deepEqual(chip.simulator.flash.bytes.subarray(0, blinky.length), blinky);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lab: `usb` lists DFU devices with their alternate settings and parsed memory layouts", async () => {
  await withChip("stm32f405rg", async (lab, chip) => {
    const json = await flashrecipe(lab, ["usb", "--json"]);
    assert.equal(json.code, 0, json.text);
    const devices = JSON.parse(json.stdout) as UsbDeviceReport[];
    const dfu = devices.find((d) => d.id === "0483:df11");
    assert.ok(dfu, json.stdout);
    assert.equal(dfu.serialNumber, chip.simulator.serial);
    assert.deepEqual(dfu.dfu.map((s) => s.layout?.name), [
      "Internal Flash",
      "Option Bytes",
      "OTP Memory",
      "Device Feature",
    ]);
    assert.deepEqual(
      dfu.dfu[0].layout?.segments.map((s) => [s.start, s.pageSize, s.count]),
      [[0x0800_0000, 16384, 4], [0x0801_0000, 65536, 1], [0x0802_0000, 131072, 7]],
    );
    const vendor = devices.find((d) => d.id === "1209:0001");
    assert.ok(vendor);
    assert.deepEqual(vendor.dfu, []);

    const text = await flashrecipe(lab, ["usb", "--usb", "0483:df11"]);
    assert.equal(text.code, 0, text.text);
    assert.match(text.stdout, /0483:df11 "STMicroelectronics" "STM32 {2}BOOTLOADER" serial/);
    assert.match(text.stdout, /DFU mode interface 0 alt 0: @Internal Flash/);
    assert.match(text.stdout, /0x08020000-0x080fffff {2}7 x 128 KiB {2}rew/);
    assert.doesNotMatch(text.stdout, /1209:0001/);
  }, { extra: [new VendorTestDevice()] });
});

Deno.test("lab fault: no libusb - the run stops with E_NO_LIBUSB and how to install it", async () => {
  await withChip("stm32f405rg", async (lab) => {
    const env = { FLASHRECIPE_LIBUSB: "libusb-missing-for-test.so.0" };
    const run = await flashrecipe(lab, ["run", `${ROOT}recipes/feather-f405-dfu.yaml`], env);
    assert.equal(run.code, 1, run.text);
    assert.match(run.stderr, /E_NO_LIBUSB.*cannot load libusb-1\.0 \(tried libusb-missing-for-test\.so\.0\)/);
    assert.match(run.stderr, /apt install libusb-1\.0-0/);
    const usb = await flashrecipe(lab, ["usb"], env);
    assert.equal(usb.code, 1);
    assert.match(usb.stderr, /E_NO_LIBUSB/);
  });
});

Deno.test("lab fault: no DFU device within the timeout - the message lists what was seen", async () => {
  await withChip("stm32l433rc", async (lab, chip) => {
    // The application expects 0x55 0x55; the recipe sends 0xAA, so the bootloader never comes.
    const cdc = startLabCdcApplication({ trigger: [0x55, 0x55], onJump: () => chip.plugIn() });
    const { dir, file } = await recipe("stm32l433rc", [
      `jump-to-system-memory: { port: ${cdc.path}, timeout: 600ms }`,
    ]);
    try {
      const run = await flashrecipe(lab, ["run", file]);
      assert.equal(run.code, 1, run.text);
      assert.match(run.text, /E_USB_WAIT_TIMEOUT/);
      assert.match(run.text, /no USB device matching 0483:df11 appeared within 600 ms/);
      assert.match(run.text, /seen meanwhile: 1-1 1209:0001/);
      assert.deepEqual(cdc.app.received, [0xaa]);
      assert.equal(chip.plugged, false);
    } finally {
      await cdc.close();
      await Deno.remove(dir, { recursive: true });
    }
  }, { plugged: false, extra: [new VendorTestDevice()] });
});

Deno.test("lab fault: the device vanishes mid-download - the error names the last address completed", async () => {
  let dataBlocks = 0;
  let lab: UsbLab | undefined;
  let chip: LabDfuseChip | undefined;
  const { dir, file } = await recipe("stm32f405rg", [
    "connect",
    "erase: needed",
    "write: { file: data.bin, address: 0x08000000 }",
  ]);
  // Data in every block: blank (0xFF) blocks are not downloaded at all.
  await Deno.writeFile(`${dir}/data.bin`, new Uint8Array(16384).map((_, i) => i % 251));
  try {
    await withChip("stm32f405rg", async (started, plugged) => {
      lab = started;
      chip = plugged;
      const run = await flashrecipe(started, ["run", file]);
      assert.equal(run.code, 1, run.text);
      // Blocks 2 and 3 (2048 bytes each) completed; the third data block never did.
      assert.match(
        run.text,
        /E_DFU_DISCONNECTED.*disconnected during DFU download from 0x08000000; the last block completed ended at 0x08000fff/,
      );
      assert.equal(dataBlocks, 3);
    }, {
      lab: {
        onControl: (device, setup) => {
          if (setup.bmRequestType !== 0x21 || setup.bRequest !== DFU_DNLOAD || setup.wValue < 2) return;
          if (++dataBlocks === 3 && lab && chip && device.device === chip) {
            lab.removeDevice(device).catch((error) => console.error("unplug failed", error));
          }
        },
      },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lab fault: DFU error statuses by name - errPROG on programmed flash, errTARGET outside the memory", async () => {
  const blinky = await Deno.readFile(BLINKY_BIN);
  const prog = await recipe("stm32f405rg", ["connect", `write: { file: ${BLINKY_BIN}, address: 0x08000000 }`]);
  try {
    await withChip("stm32f405rg", async (lab) => {
      const run = await flashrecipe(lab, ["run", prog.file]);
      assert.equal(run.code, 1, run.text);
      assert.match(run.text, /DFU write at 0x08000000 failed: state dfuERROR, status errPROG/);
      assert.match(run.text, /erase the page first/);
    }, { flash: blinky });
  } finally {
    await Deno.remove(prog.dir, { recursive: true });
  }

  // A device whose flash string claims 2 MiB while the bootloader holds 1 MiB: the host asks for an address the
  // bootloader's memory does not have, and the bootloader answers errTARGET.
  const target = await recipe("stm32f405rg", ["connect", "read: { address: 0x08180000, length: 64, file: x.bin }"]);
  try {
    const chip = await createLabDfuseChip("stm32f405rg");
    const liar = renamed(chip, 4, "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,15*128Kg");
    const lab = await startUsbLab({ devices: [liar] });
    try {
      const run = await flashrecipe(lab, ["run", target.file]);
      assert.equal(run.code, 1, run.text);
      assert.match(run.text, /at 0x08180000 failed: state dfuERROR, status errTARGET/);
    } finally {
      await lab.close();
    }
  } finally {
    await Deno.remove(target.dir, { recursive: true });
  }
});

Deno.test("lab fault: simulator faults over libusb - a skipped block is caught by the verify, a rerun recovers", async () => {
  // The lab's --fault machinery (lib/sim/dfuse/faults.ts) seen by flashrecipe as its own process on libusb.
  await withChip("stm32l433rc", async (lab, chip) => {
    chip.simulator.injectFaults([{ kind: "skip-write", at: "write", occurrence: 2 }]);
    const skipped = await flashrecipe(lab, ["write", BLINKY_BIN, "--usb", "0483:df11"]);
    assert.equal(skipped.code, 1, skipped.text);
    assert.match(skipped.text, /error\[E_VERIFY\]/);
    chip.simulator.injectFaults([]);
    const again = await flashrecipe(lab, ["write", BLINKY_BIN, "--usb", "0483:df11"]);
    assert.equal(again.code, 0, again.text);
    await expectFlashHolds(chip, BLINKY_BIN.replace(/\.bin$/, ".hex"));
  });
});

Deno.test("lab fault: Read Unprotect that holds requests off past libusb's 5 s timeout is the expected reset", async () => {
  // Issue 14 #7 over the real libusb: the chip reports bwPollTimeout 100 ms, then NAKs every request for its 6.5 s
  // mass erase, so the next GETSTATUS times out (LIBUSB_ERROR_TIMEOUT). Before the fix: E_USB_TIMEOUT, exit 1.
  const { dir, file } = await recipe("stm32l433rc", ["connect", "unprotect: read"]);
  try {
    await withChip("stm32l433rc", async (lab, chip) => {
      chip.simulator.optionBytes[0] = 0x55; // RDP level 1 (FLASH_OPTR byte 0)
      chip.simulator.injectFaults([{ kind: "slow-erase", at: "read-unprotect", factor: 1, ms: 6500 }]);
      const run = await flashrecipe(lab, ["run", file, "--usb", "0483:df11"]);
      assert.equal(run.code, 0, run.text);
      assert.match(run.text, /read protection removed/);
      assert.equal(chip.simulator.readProtection, 0);
      assert.deepEqual(chip.resets, ["read-unprotect"]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lab fault: an alternate-setting name that is no DfuSe memory layout is reported with the name", async () => {
  const chip = await createLabDfuseChip("stm32f405rg");
  const lab = await startUsbLab({ devices: [renamed(chip, 4, "Internal Flash 1MB")] });
  try {
    const run = await flashrecipe(lab, ["run", `${ROOT}recipes/feather-f405-dfu.yaml`]);
    assert.equal(run.code, 1, run.text);
    assert.match(run.text, /Internal Flash 1MB/);
    assert.match(run.text, /does not start with '@'/);
  } finally {
    await lab.close();
  }
});

/** The same device with string `index` replaced (e.g. an alternate-setting name). */
function renamed(device: SimulatedUsbDevice, index: number, text: string): SimulatedUsbDevice {
  const strings = new Map(device.strings());
  strings.set(index, text);
  return {
    descriptors: () => device.descriptors(),
    strings: () => strings,
    handleControl: (setup: UsbSetup, data: Uint8Array): Promise<ControlReply> => device.handleControl(setup, data),
    setAlternateSetting: (i, alt) => device.setAlternateSetting(i, alt),
  };
}

Deno.test("lab CLI: --chip stm32l433rc --cdc LINK --flash-file F runs the CDC recipe and saves the flash", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flashrecipe-lab-cli-" });
  try {
    const link = `${dir}/ttyACM-lab`;
    const flashFile = `${dir}/l433.bin`;
    const result = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${ROOT}scripts/usb_lab/main.ts`,
        "--chip",
        "stm32l433rc",
        "--cdc",
        link,
        "--flash-file",
        flashFile,
        "--",
        Deno.execPath(),
        "run",
        "-A",
        MAIN,
        "run",
        `${ROOT}recipes/nucleo-l433-cdc.yaml`,
        "--set",
        `cdcPort=${link}`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
    assert.equal(result.code, 0, text);
    assert.match(text, new RegExp(`sent 0xaa to ${link}`));
    const saved = await Deno.readFile(flashFile);
    assert.equal(saved.length, 256 * 1024);
    const image = await loadImageFile(`${ROOT}recipes/firmware/blinky.hex`, {});
    for (const segment of image.segments) {
      const offset = segment.address - 0x0800_0000;
      assert.deepEqual(saved.subarray(offset, offset + segment.data.length), segment.data);
    }
    // The pseudo-terminal's link is gone with the lab.
    await assert.rejects(() => Deno.lstat(link), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lab: one-shot info and read with --usb over libusb", async () => {
  const blinky = await Deno.readFile(BLINKY_BIN);
  const dir = await Deno.makeTempDir({ prefix: "flashrecipe-lab-oneshot-" });
  try {
    await withChip("stm32f405rg", async (lab) => {
      const info = await flashrecipe(lab, ["info", "--usb", "0483:df11"]);
      assert.equal(info.code, 0, info.text);
      assert.match(info.stdout, /bootloader +2\.2 over dfu/);
      assert.match(info.stdout, /RDP +0xAA/);
      const read = await flashrecipe(lab, ["read", "--usb", "0483:df11", "-o", `${dir}/out.bin`, "--length", "16416"]);
      assert.equal(read.code, 0, read.text);
      assert.deepEqual(await Deno.readFile(`${dir}/out.bin`), blinky);
    }, { flash: blinky });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
