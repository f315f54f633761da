import assert from "node:assert/strict";
import { runCli, tempFiles } from "../helpers/cli.ts";
import { withPtyChip } from "../helpers/pty_chip.ts";
import { SimulatedChip } from "../../lib/sim/sim_chip.ts";
import { simulatedPart } from "../../lib/sim/parts.ts";
import { rdpOffset } from "../../lib/sim/option_bytes.ts";

const BLINKY_HEX = new URL("../fixtures/firmware/blinky.hex", import.meta.url).pathname;

/** A simulated chip with read protection (RDP level 1) on and `firmware` in flash. */
function lockedChip(part: string, firmware: Uint8Array): SimulatedChip {
  const chip = new SimulatedChip(simulatedPart(part));
  chip.flash.load(firmware);
  const options = chip.optionBytes.slice();
  options[rdpOffset(chip.part.chip)] = 0x55;
  chip.programOptionBytes(options);
  assert.ok(chip.readProtected);
  return chip;
}

Deno.test("erase one-shot: all, pages, a range; a sector that does not exist is refused before any erase", async () => {
  const all = await runCli("erase", "all", "--simulate", "stm32f405rg");
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /\[2\/2\] erase +mass erase/);
  const pages = await runCli("erase", "--pages", "0-2", "--simulate", "stm32f405rg");
  assert.equal(pages.code, 0, pages.stderr);
  assert.match(pages.stdout, /erased 3 sector\(s\), 49152 bytes from 0x08000000/);
  const range = await runCli("erase", "--address", "0x08000400", "--length", "2048", "--simulate", "stm32f103c8");
  assert.equal(range.code, 0, range.stderr);
  assert.match(range.stdout, /erased 2 page\(s\), 2048 bytes from 0x08000400/);
  // Known only once the chip has answered: exit 1 (the board was touched), with nothing erased.
  const missing = await runCli("erase", "--pages", "12", "--simulate", "stm32f405rg");
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /error\[E_USAGE\]: sector 12 does not exist: .* sectors 0 to 11/);
  const neither = await runCli("erase", "--simulate", "stm32f405rg");
  assert.equal(neither.code, 2);
  assert.match(neither.stderr, /erase needs exactly one of: all, --pages LIST, --address ADDR --length N/);
  const both = await runCli("erase", "all", "--pages", "1", "--simulate", "stm32f405rg");
  assert.equal(both.code, 2);
});

Deno.test({
  name: "a read-protected chip: write names the exact unlock command and its cost; unprotect read unlocks it",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const firmware = new Uint8Array(4096).fill(0x42);
    const chip = lockedChip("stm32f405rg", firmware);
    await withPtyChip({ chip }, async ({ pty: { path: port } }) => {
      const write = await runCli("write", BLINKY_HEX, "--port", port);
      assert.equal(write.code, 1, write.stderr);
      assert.match(write.stderr, /error\[E_READ_PROTECTED\]: the STM32F40xxx\/41xxx is read-protected/);
      assert.ok(write.stderr.includes(`\`flashrecipe unprotect read --port ${port}\``), write.stderr);
      assert.match(write.stderr, /MASS ERASE: everything in flash is lost/);
      assert.doesNotMatch(write.stdout, /\] erase/, "nothing was attempted after the chip was identified");
      assert.equal(chip.flash.read(0x0800_0000, 4)[0], 0x42, "the flash was left alone");

      const info = await runCli("info", "--port", port);
      assert.equal(info.code, 0, info.stderr);
      assert.match(info.stdout, /protection +READ-PROTECTED \(RDP level 1\): `flashrecipe unprotect read` removes it/);
      assert.match(info.stdout, /option-bytes +at 0x1FFFC000: not readable/);

      const erase = await runCli("erase", "--pages", "0", "--port", port);
      assert.equal(erase.code, 1);
      assert.match(erase.stderr, /E_READ_PROTECTED/);

      const unlock = await runCli("unprotect", "read", "--port", port);
      assert.equal(unlock.code, 0, unlock.stderr);
      assert.match(unlock.stdout, /read protection removed \(flash erased\)/);
      assert.ok(!chip.readProtected);
      assert.equal(chip.flash.read(0x0800_0000, 4)[0], 0xff, "unlocking mass-erased the flash");

      const again = await runCli("write", BLINKY_HEX, "--port", port, "--quiet");
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^done on STM32F40xxx\/41xxx/);
    });
  },
});

Deno.test("a recipe erasing a read-protected chip is told to add `unprotect: read`, not to remove write protection", async () => {
  const dir = await tempFiles({
    "r.yaml": "name: t\ntarget: { chip: stm32f405rg }\nsteps: [connect, { erase: all }]\n",
  });
  const chip = lockedChip("stm32f405rg", new Uint8Array(16));
  try {
    if (Deno.build.os === "windows") return;
    await withPtyChip({ chip }, async ({ pty: { path: port } }) => {
      const run = await runCli("run", `${dir}/r.yaml`, "--port", port);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /E_READ_PROTECTED.*add an `unprotect: read` step before this one/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("protect and unprotect one-shots on simulated chips; usage mistakes exit 2", async () => {
  const read = await runCli("protect", "read", "--simulate", "stm32f103c8");
  assert.equal(read.code, 0, read.stderr);
  assert.match(read.stdout, /read protection \(RDP level 1\) set/);
  const write = await runCli("protect", "write", "0,1", "--simulate", "stm32f405rg");
  assert.equal(write.code, 0, write.stderr);
  assert.match(write.stdout, /write protection on sector\(s\) 0, 1 set/);
  const unwrite = await runCli("unprotect", "write", "--simulate", "stm32f405rg", "--json");
  assert.equal(unwrite.code, 0, unwrite.stderr);
  const events = unwrite.stdout.split("\n").map((l) => JSON.parse(l));
  assert.equal(events.at(-1).event, "result");
  assert.equal(events.at(-1).ok, true);
  for (const bad of [["protect"], ["protect", "everything"], ["unprotect"], ["unprotect", "rdp"]]) {
    const result = await runCli(...bad, "--simulate", "stm32f103c8");
    assert.equal(result.code, 2, bad.join(" "));
  }
});

Deno.test("options one-shot: shows fields, sets by name, refuses RDP level 2 without the explicit flag", async () => {
  const show = await runCli("options", "--simulate", "stm32f103c8");
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /RDP +0xA5/);
  const set = await runCli("options", "--set", "WDG_SW=0", "--simulate", "stm32f103c8");
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /set WDG_SW=0; the chip reset, reloaded its options and reads them back/);
  const typo = await runCli("options", "--set", "WDG_SX=0", "--simulate", "stm32f103c8");
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /no chip has an option field 'WDG_SX' \(did you mean 'WDG_SW'\?\)/);
  assert.equal(typo.stdout, "", "refused before the board was touched");
  const level2 = await runCli("options", "--set", "RDP=0xCC", "--simulate", "stm32f405rg");
  assert.equal(level2.code, 2);
  assert.match(level2.stderr, /E_PERMANENT.*level 2, which is permanent.*--i-understand-rdp2-is-permanent/);
  assert.equal(level2.stdout, "", "refused before the board was touched");
  const allowed = await runCli(
    "options",
    "--set",
    "RDP=0xCC",
    "--i-understand-rdp2-is-permanent",
    "--simulate",
    "stm32f405rg",
  );
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /read protection on/);
});

Deno.test("go, reset and write --go / --wiring one-shots", async () => {
  const go = await runCli("go", "--address", "0x08000000", "--simulate", "stm32f103c8");
  assert.equal(go.code, 0, go.stderr);
  assert.match(go.stdout, /application started at 0x08000000/);
  const byGo = await runCli("reset", "--simulate", "stm32f103c8");
  assert.equal(byGo.code, 0, byGo.stderr);
  assert.match(byGo.stdout, /application started at 0x08000000/);
  const wired = await runCli("reset", "--wiring", "dtr-reset-rts-boot0", "--simulate", "stm32f103c8");
  assert.equal(wired.code, 0, wired.stderr);
  assert.match(wired.stdout, /reset into the application \(DTR\+ /);
  assert.doesNotMatch(wired.stdout, /connect/, "a reset by the lines needs no bootloader");
  const noWiring = await runCli("reset", "--into", "bootloader", "--simulate", "stm32f103c8");
  assert.equal(noWiring.code, 2);
  // A wired simulated board starts its application; --wiring puts it into the bootloader and back out.
  const flash = await runCli("write", BLINKY_HEX, "--wiring", "dtr-reset-rts-boot0", "--simulate", "stm32f103c8");
  assert.equal(flash.code, 0, flash.stderr);
  assert.match(flash.stdout, /\[1\/6\] enter-boot +reset into the bootloader/);
  assert.match(flash.stdout, /\[6\/6\] leave-boot +reset into the application/);
  const unwired = await runCli("write", BLINKY_HEX, "--simulate", "stm32f103c8", "--go");
  assert.equal(unwired.code, 0, unwired.stderr);
  assert.match(unwired.stdout, /\[5\/5\] go +application started at 0x08000000/);
  const badPreset = await runCli("write", BLINKY_HEX, "--wiring", "dtr-rst", "--simulate", "stm32f103c8");
  assert.equal(badPreset.code, 2);
  assert.match(badPreset.stderr, /unknown wiring preset 'dtr-rst' \(did you mean 'dtr-reset'\?\)/);
  // esptool's words for the same: default_reset / hard_reset / no_reset.
  const esptool = await runCli(
    "write",
    BLINKY_HEX,
    "--wiring",
    "dtr-reset-rts-boot0",
    "--before",
    "default_reset",
    "--after",
    "no_reset",
    "--simulate",
    "stm32f103c8",
  );
  assert.equal(esptool.code, 0, esptool.stderr);
  assert.match(esptool.stdout, /\[1\/5\] enter-boot/);
  assert.doesNotMatch(esptool.stdout, /leave-boot/);
  const afterReset = await runCli("write", BLINKY_HEX, "--after", "reset", "--simulate", "stm32f103c8");
  assert.equal(afterReset.code, 2);
  assert.match(afterReset.stderr, /--after reset needs the board's wiring/);
});

Deno.test("chips lists the supported parts; a filter, a series, a full ordering code", async () => {
  const all = await runCli("chips");
  assert.equal(all.code, 0);
  assert.match(all.stdout, /^PART +PID +SERIES/);
  const f4 = await runCli("chips", "f4");
  assert.ok(f4.stdout.split("\n").slice(1).every((line) => / F4 /.test(line)), f4.stdout);
  const one = await runCli("chips", "STM32F103C8T6");
  assert.equal(one.code, 0);
  assert.match(one.stdout, /stm32f103c8 +0x410 +F1 +64 KiB +64 pages of 1 KiB +usart/);
  assert.match(one.stdout, /Option bytes: 16 bytes at 0x1FFFF800/);
  const none = await runCli("chips", "esp32");
  assert.equal(none.code, 1);
  const json = await runCli("chips", "g0", "--json");
  assert.ok(JSON.parse(json.stdout).every((row: { family: string }) => row.family === "G0"));
});

Deno.test("full part numbers: package and temperature suffixes are stripped; suggestions agree with the error", async () => {
  const sim = await runCli("info", "--simulate", "stm32f103c8t6", "--quiet");
  assert.equal(sim.code, 0, sim.stderr);
  const dir = await tempFiles({
    "ok.yaml": "name: t\ntarget: { chip: STM32F103C8T6 }\nsteps: [connect]\n",
    "bad.yaml": "name: t\ntarget: { chip: stm32f103x8t6 }\nsteps: [connect]\n",
  });
  const ok = await runCli("validate", `${dir}/ok.yaml`);
  assert.equal(ok.code, 0, ok.stderr);
  const bad = await runCli("validate", `${dir}/bad.yaml`);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown chip 'stm32f103x8t6' \(did you mean 'stm32f103[a-z]8'\?\)/);
  assert.match(bad.stderr, /stm32f103c8t6 as printed on the package/);
  const badSim = await runCli("info", "--simulate", "stm32f103x8t6");
  assert.equal(badSim.code, 2);
  assert.match(badSim.stderr, /did you mean 'stm32f103c8'/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--json and --quiet on every one-shot that touches a device", async () => {
  const dir = await tempFiles({});
  const commands = [
    ["info"],
    ["read", "--length", "64", "--output", `${dir}/r.bin`],
    ["write", BLINKY_HEX],
    ["erase", "all"],
    ["go"],
    ["reset"],
    ["protect", "read"],
    ["unprotect", "write"],
    ["options"],
  ];
  for (const command of commands) {
    const json = await runCli(...command, "--simulate", "stm32f103c8", "--json");
    assert.equal(json.code, 0, `${command[0]}: ${json.stderr}`);
    const events = json.stdout.split("\n").map((line) => JSON.parse(line));
    assert.equal(events[0].event, "run-start", command[0]);
    assert.ok(events.some((e) => e.event === "result" && e.ok === true), command[0]);
    const quiet = await runCli(...command, "--simulate", "stm32f103c8", "-q");
    assert.equal(quiet.code, 0, `${command[0]}: ${quiet.stderr}`);
    assert.match(quiet.stdout, /^done on STM32F10xxx medium-density \(0x410\): \d+ bytes moved in /, command[0]);
    assert.equal(quiet.stdout.split("\n").length, 1, `${command[0]} --quiet: ${quiet.stdout}`);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("read one-shot: a region from flash past its end is refused before a byte is read (exit 1: the chip was asked)", async () => {
  const dir = await tempFiles({});
  try {
    const past = await runCli("read", "-o", `${dir}/r.bin`, "--length", "70000", "--simulate", "stm32f103c8");
    assert.equal(past.code, 1, past.stderr);
    assert.match(
      past.stderr,
      /^error\[E_USAGE\]: 0x08000000 \+ 70000 bytes runs past the end of flash \(0x0800FFFF\)/m,
    );
    assert.doesNotMatch(past.stderr, /read protection|RDP/);
    await assert.rejects(Deno.stat(`${dir}/r.bin`));
    const whole = await runCli("read", "-o", `${dir}/r.bin`, "--length", "65536", "--simulate", "stm32f103c8");
    assert.equal(whole.code, 0, whole.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
