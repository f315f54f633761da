import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.ts";

Deno.test("info over USB DFU labels the USB serial string as such, never as the unique ID", async () => {
  const info = await runCli("info", "--simulate", "stm32f405rg", "--usb", "0483:df11");
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout, /^USB serial +[0-9A-F]{12}$/m);
  assert.doesNotMatch(info.stdout, /unique ID/);
});

Deno.test("a DFU bootloader that is not there: the error advises --wait; with --wait it is waited for", async () => {
  const missing = await runCli("info", "--simulate", "stm32f405rg", "--usb", "1234:5678");
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /E_USB_NOT_FOUND.*if the board is still starting its DFU bootloader, add --wait 10s/);
  const waited = await runCli("info", "--simulate", "stm32f405rg", "--usb", "1234:5678", "--wait", "300ms");
  assert.equal(waited.code, 1);
  assert.match(waited.stderr, /E_USB_WAIT_TIMEOUT\]: no USB device matching 1234:5678 appeared within 300 ms/);
  const present = await runCli(
    "write",
    new URL("../fixtures/firmware/blinky.hex", import.meta.url).pathname,
    "--simulate",
    "stm32f405rg",
    "--usb",
    "0483:df11",
    "--wait",
    "2",
    "--go",
    "-q",
  );
  assert.equal(present.code, 0, present.stderr);
  for (const bad of [["--wait", "soon"], ["--wait", "2h"]]) {
    const result = await runCli("info", "--simulate", "stm32f405rg", "--usb", "0483:df11", ...bad);
    assert.equal(result.code, 2, bad.join(" "));
  }
  const serial = await runCli("info", "--simulate", "stm32f103c8", "--wait", "1s");
  assert.equal(serial.code, 2);
  assert.match(serial.stderr, /--wait is for a USB DFU bootloader/);
});

Deno.test("run --wait applies to the recipe's DFU connect", async () => {
  const recipe = new URL("../../recipes/feather-f405-dfu.yaml", import.meta.url).pathname;
  const run = await runCli("run", recipe, "--simulate", "stm32f405rg", "--wait", "1s", "-q");
  assert.equal(run.code, 0, run.stderr);
  const missing = await runCli("run", recipe, "--simulate", "stm32f405rg", "--usb", "1234:5678", "-q");
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /add --wait 10s/);
});
