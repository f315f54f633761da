/**
 * A gang station over USB DFU in the virtual USB lab: two DfuSe chips on two hub ports, one station process with one
 * slot per bus-port path (`--usb 1-1 --usb 1-2`), both boards flashed at once over libusb.
 *
 * Needs umockdev, gir1.2-umockdev-1.0, python3-gi and libusb-1.0-0 (scripts/install_test_deps.sh).
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startUsbLab } from "../../scripts/usb_lab/lab.ts";
import { createLabDfuseChip } from "../../scripts/usb_lab/dfuse_devices.ts";
import { loadImageFile } from "../../lib/image/load.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = `${ROOT}main.ts`;

Deno.test("lab: gang station over DFU, one slot per bus-port path, two boards flashed at once", async () => {
  const chips = [await createLabDfuseChip("stm32f405rg"), await createLabDfuseChip("stm32f405rg")];
  const lab = await startUsbLab({ devices: chips });
  for (const chip of chips) chip.attach(lab);
  const dir = await Deno.makeTempDir({ prefix: "gang_lab_" });
  try {
    const run = await lab.output(Deno.execPath(), [
      "run",
      "-A",
      MAIN,
      "station",
      `${ROOT}recipes/feather-f405-dfu.yaml`,
      "--usb",
      "1-1",
      "--usb",
      "1-2",
      "--boards",
      "2",
      "--db",
      `${dir}/line.db`,
      "--log",
      `${dir}/log.csv`,
    ]);
    const text = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.code, 0, text);
    assert.match(run.stdout, /on 2 slots/);
    assert.match(run.stdout, /\[slot 1 1-1\] PASS board \d/);
    assert.match(run.stdout, /\[slot 2 1-2\] PASS board \d/);
    assert.match(run.stdout, /stopped — 2 boards: 2 passed, 0 failed/);
    const image = await loadImageFile(`${ROOT}recipes/firmware/blinky.hex`, {});
    for (const chip of chips) {
      for (const segment of image.segments) {
        const offset = segment.address - chip.simulator.flash.base;
        assert.deepEqual(chip.simulator.flash.bytes.subarray(offset, offset + segment.data.length), segment.data);
      }
      assert.equal(chip.simulator.jumpAddress, 0x0800_0000, "each board left DFU for its application");
    }
  } finally {
    await lab.close();
    for (const chip of chips) await chip.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
