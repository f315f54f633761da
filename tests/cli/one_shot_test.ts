import assert from "node:assert/strict";
import { runCli, tempFiles } from "../helpers/cli.ts";
import { withPtyChip } from "../helpers/pty_chip.ts";
import { createConnector } from "../../lib/cli/connector.ts";
import { FlashRecipeError } from "../../lib/errors.ts";
import type { SerialPortInfo } from "../../lib/transport/serial/list_ports.ts";

const DEMO = new URL("../../recipes/demo.yaml", import.meta.url).pathname;
const BLINKY_HEX = new URL("../fixtures/firmware/blinky.hex", import.meta.url).pathname;

Deno.test("connect: a recipe for the F103C8 run on an F405RG stops with E_CHIP_MISMATCH before any erase", async () => {
  const result = await runCli("run", DEMO, "--simulate", "stm32f405rg");
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /error\[E_CHIP_MISMATCH\]: expected stm32f103c8 \(product ID 0x410\) but found STM32F40/);
  assert.match(result.stdout, /\[1\/5\] connect +FAILED/);
  assert.doesNotMatch(result.stdout, /\] (erase|write) /);
});

Deno.test("info on each simulated chip names it, its bootloader and decodes the option bytes", async () => {
  const expected: Record<string, RegExp> = {
    stm32f103c8: /bootloader +2\.2 over usart[\s\S]*RDP +0xA5/,
    stm32f405rg: /bootloader +3\.1 over usart[\s\S]*Extended Erase[\s\S]*nWRP +0xFFF/,
    stm32l433rc: /bootloader +3\.1 over usart[\s\S]*WRP1A_STRT +0xFF/,
    stm32g071rb: /bootloader +3\.1 over usart[\s\S]*RDP +0xAA/,
    stm32h743zi: /bootloader +3\.1 over usart[\s\S]*flash +2 MiB[\s\S]*WRPSn1 +0xFF/,
  };
  for (const [chip, pattern] of Object.entries(expected)) {
    const result = await runCli("info", "--simulate", chip);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, pattern, chip);
    assert.match(result.stdout, /unique ID +[0-9a-f]{24}/, chip);
  }
});

Deno.test("write and read one-shots on simulated boards: erase needed pages, verify; output format by name", async () => {
  const dir = await tempFiles({});
  const write = await runCli("write", BLINKY_HEX, "--simulate", "stm32f103c8");
  assert.equal(write.code, 0, write.stderr);
  assert.match(write.stdout, /erased 2 page\(s\), 2048 bytes/);
  assert.match(write.stdout, /verified \d+ bytes by read-back/);
  // A one-shot --simulate starts a fresh chip, so a read sees erased flash, written in the format the name says.
  const read = await runCli("read", "--simulate", "stm32f103c8", "--length", "32", "--output", `${dir}/out.hex`);
  assert.equal(read.code, 0, read.stderr);
  const hex = await Deno.readTextFile(`${dir}/out.hex`);
  assert.match(hex, /^:020000040800F2\n:10000000F{32}00\n/);
  const whole = await runCli("read", "--simulate", "stm32f103c8", "--output", `${dir}/all.bin`);
  assert.equal(whole.code, 0, whole.stderr);
  assert.equal((await Deno.readFile(`${dir}/all.bin`)).length, 64 * 1024);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("one-shot usage mistakes exit 2 before touching a device", async () => {
  const neither = await runCli("info");
  assert.equal(neither.code, 2);
  assert.match(neither.stderr, /info needs exactly one of --port PATH, --usb VID:PID and --simulate CHIP/);
  const both = await runCli("read", "--port", "/dev/null", "--simulate", "stm32f103c8", "-o", "x.bin");
  assert.equal(both.code, 2);
  const noOutput = await runCli("read", "--simulate", "stm32f103c8");
  assert.equal(noOutput.code, 2);
  assert.match(noOutput.stderr, /read needs --output FILE/);
  const missing = await runCli("write", "/nonexistent/fw.hex", "--simulate", "stm32f103c8");
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /E_FILE/);
  const tooBig = await tempFiles({ "big.bin": new Uint8Array(70 * 1024) });
  // Too big for the chip is known only once the chip said its flash size: exit 1, nothing erased.
  const big = await runCli("write", `${tooBig}/big.bin`, "--simulate", "stm32f103c8");
  assert.equal(big.code, 1);
  assert.match(
    big.stderr,
    /error\[E_IMAGE_FIT\]: 6144 bytes of .*big\.bin lie outside the 64 KiB flash.*nothing was erased/,
  );
  await Deno.remove(tooBig, { recursive: true });
  const badSim = await runCli("sim", "dfu", "--chip", "stm32f103c8");
  assert.equal(badSim.code, 2);
  const noChip = await runCli("sim", "usart");
  assert.equal(noChip.code, 2);
  assert.match(noChip.stderr, /--chip CHIP/);
  // A DFU request's fault is not the USART simulator's: refused, naming the kinds it does commit.
  const dfuFault = await runCli("sim", "usart", "--chip", "stm32f103c8", "--fault", "stall");
  assert.equal(dfuFault.code, 2);
  assert.match(
    dfuFault.stderr,
    /--fault stall: the USART simulator does not commit it \(choose one of corrupt-reply,.* protect-pages\)/,
  );
});

Deno.test("ports prints a table or JSON", async () => {
  const table = await runCli("ports");
  assert.equal(table.code, 0);
  assert.match(table.stdout, /^(PORT +VID:PID|no serial ports found)/);
  const json = await runCli("ports", "--json");
  assert.equal(json.code, 0);
  assert.ok(Array.isArray(JSON.parse(json.stdout)));
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FlashRecipeError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return "ok";
}

Deno.test({
  name: "target.match picks the one port with the USB identity; none or several is an error listing them",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withPtyChip({}, async ({ pty }) => {
      const ports: SerialPortInfo[] = [
        { path: pty.path, driver: "ftdi_sio", vid: 0x0403, pid: 0x6001, serialNumber: "A1" },
        { path: "/dev/ttyUSB7", driver: "ftdi_sio", vid: 0x0403, pid: 0x6001, serialNumber: "B2" },
      ];
      const listPorts = () => Promise.resolve(ports);
      const warnings: string[] = [];
      const connector = (match: { vid?: number; pid?: number; serial?: string }) =>
        createConnector({ match, listPorts, warn: (m) => warnings.push(m) });
      const request = { baud: 115200, retries: 3 };
      assert.match(await codeOf(connector({ vid: 0x0403 }).connect(request)), /^E_PORT_AMBIGUOUS: 2 serial ports/);
      assert.match(await codeOf(connector({ serial: "C3" }).connect(request)), /^E_PORT_NOT_FOUND: .*ttyUSB7/);
      const target = await connector({ vid: 0x0403, serial: "A1" }).connect(request);
      assert.equal(target.identity.pid, 0x410);
      await target.close();
      assert.ok(warnings.some((w) => w.includes("parity")), warnings.join("\n"));
    });
  },
});

Deno.test("recipe target.match is validated: numbers for vid/pid, no unknown keys", async () => {
  const dir = await tempFiles({
    "ok.yaml": "name: t\ntarget: { chip: stm32f103c8, match: { vid: 0x0483, pid: 0x5740, serial: ABC } }\n" +
      "steps: [connect]\n",
    "bad.yaml": "name: t\ntarget: { chip: stm32f103c8, match: { vendor: 1 } }\nsteps: [connect]\n",
  });
  const ok = await runCli("validate", `${dir}/ok.yaml`);
  assert.equal(ok.code, 0, ok.stderr);
  const bad = await runCli("validate", `${dir}/bad.yaml`);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /vendor/);
  await Deno.remove(dir, { recursive: true });
});
