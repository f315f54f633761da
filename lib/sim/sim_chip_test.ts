import assert from "node:assert/strict";
import { decodeOptionBytes } from "../chips/format.ts";
import { flashPages } from "../chips/layout.ts";
import { simulatedPart, simulatedPartNames } from "./parts.ts";
import { AccessError, SimulatedChip } from "./sim_chip.ts";

function field(chip: SimulatedChip, name: string): number {
  const value = decodeOptionBytes(chip.part.chip, chip.optionBytes).find((v) => v.name === name);
  assert.ok(value, `no field ${name}`);
  return value.value;
}

Deno.test("every simulated part starts unprotected, with factory option bytes that decode by name", () => {
  assert.deepEqual(simulatedPartNames(), [
    "stm32f103c8",
    "stm32f103cb",
    "stm32f103rc",
    "stm32f405rg",
    "stm32l433rc",
    "stm32g071rb",
    "stm32h743zi",
    "stm32g071rb-crc",
  ]);
  for (const name of simulatedPartNames()) {
    const chip = new SimulatedChip(simulatedPart(name));
    assert.equal(chip.readProtected, false, name);
    assert.equal(chip.writeProtectedPages().size, 0, name);
    assert.equal(chip.optionBytes.length, chip.part.chip.optionBytes.size, name);
    assert.equal(chip.flash.size, chip.part.part.flashSize, name);
    const rdp = field(chip, "RDP");
    assert.equal(rdp, name.startsWith("stm32f1") ? 0xa5 : 0xaa, name);
  }
});

Deno.test("Extended Erase where the database says so; Get Checksum only on the -crc variant", () => {
  for (const name of simulatedPartNames()) {
    const part = simulatedPart(name);
    assert.ok(part.usart.commands.includes(part.chip.eraseCommand), name);
    assert.equal(part.usart.commands.includes(part.chip.eraseCommand === 0x44 ? 0x43 : 0x44), false, name);
    assert.equal(part.usart.commands.includes(0xa1), name.endsWith("-crc"), name);
  }
  assert.equal(simulatedPart("stm32f405rg").chip.eraseCommand, 0x44);
});

Deno.test("Get reports the USART protocol version AN2606 gives (2.2 on F1, 3.1 after), not the firmware version", () => {
  const versions = Object.fromEntries(simulatedPartNames().map((name) => [name, simulatedPart(name).usart.version]));
  assert.deepEqual(versions, {
    "stm32f103c8": 0x22,
    "stm32f103cb": 0x22,
    "stm32f103rc": 0x22,
    "stm32f405rg": 0x31,
    "stm32l433rc": 0x31,
    "stm32g071rb": 0x31,
    "stm32h743zi": 0x31,
    "stm32g071rb-crc": 0x31,
  });
  // A real G0x1 lists exactly this (stm32loader pull request #32).
  assert.deepEqual(simulatedPart("stm32g071rb").usart.commands, [
    0x00,
    0x01,
    0x02,
    0x11,
    0x21,
    0x31,
    0x44,
    0x63,
    0x73,
    0x82,
    0x92,
  ]);
});

Deno.test("F405RG: 16/64/128 KiB sectors, half-word complements, nWRP bit per sector", () => {
  const chip = new SimulatedChip(simulatedPart("stm32f405rg"));
  const sizes = chip.flash.pages.map((p) => p.size / 1024);
  assert.deepEqual(sizes, [16, 16, 16, 16, 64, 128, 128, 128, 128, 128, 128, 128]);
  // RM0090 §3.6.1: 0x1FFFC000 holds USER, RDP and their complements.
  assert.deepEqual([...chip.optionBytes.subarray(0, 4)], [0xec, 0xaa, 0x13, 0x55]);
  chip.writeProtect([1, 5]);
  assert.deepEqual([...chip.writeProtectedPages()].sort((a, b) => a - b), [1, 5]);
  assert.equal(field(chip, "nWRP"), 0xfff & ~0b100010);
  assert.equal(chip.optionBytes[10], ~chip.optionBytes[8] & 0xff, "complement half-word updated");
  assert.throws(() => chip.erasePages([5]), AccessError);
  chip.erasePages([0]);
  chip.writeUnprotect();
  assert.equal(chip.writeProtectedPages().size, 0);
  assert.throws(() => chip.writeProtect([12]), AccessError);
});

Deno.test("F103C8: WRP bit protects 4 pages; byte complements kept by the hardware", () => {
  const chip = new SimulatedChip(simulatedPart("stm32f103c8"));
  chip.writeProtect([1]);
  assert.deepEqual([...chip.writeProtectedPages()], [4, 5, 6, 7]);
  assert.equal(chip.optionBytes[8], 0xfd);
  assert.equal(chip.optionBytes[9], 0x02);
  assert.throws(() => chip.write(0x0800_1000, new Uint8Array(4)), AccessError);
  chip.write(0x0800_0000, new Uint8Array(4));
  assert.deepEqual(chip.resets, ["write-protect"]);
});

Deno.test("readout protection: reads and writes refused; unprotect mass-erases (every family)", () => {
  for (const name of simulatedPartNames()) {
    const chip = new SimulatedChip(simulatedPart(name));
    chip.write(0x0800_0000, new Uint8Array(32).fill(0x12));
    chip.readoutProtect();
    assert.equal(chip.readProtected, true, name);
    assert.throws(() => chip.read(0x0800_0000, 4), AccessError);
    assert.throws(() => chip.write(0x0800_0100, new Uint8Array(32)), AccessError);
    assert.throws(() => chip.erasePages([0]), AccessError);
    chip.readoutUnprotect();
    assert.equal(chip.readProtected, false, name);
    assert.deepEqual(chip.read(0x0800_0000, 4), new Uint8Array([0xff, 0xff, 0xff, 0xff]), name);
    assert.deepEqual(chip.resets, ["readout-protect", "readout-unprotect"], name);
  }
});

Deno.test("L433RC and G071RB: write protection as WRP areas, word complements", () => {
  for (const name of ["stm32l433rc", "stm32g071rb"]) {
    const chip = new SimulatedChip(simulatedPart(name));
    assert.equal(chip.flash.pages[1].size, 2048);
    chip.writeProtect([3, 4, 5, 10]);
    assert.deepEqual([...chip.writeProtectedPages()].sort((a, b) => a - b), [3, 4, 5, 10], name);
    assert.equal(field(chip, "WRP1A_STRT"), 3);
    assert.equal(field(chip, "WRP1A_END"), 5);
    assert.equal(field(chip, "WRP1B_STRT"), 10);
    for (let i = 0; i < 0x28; i += 8) {
      for (let j = 0; j < 4; j++) assert.equal(chip.optionBytes[i + 4 + j], ~chip.optionBytes[i + j] & 0xff);
    }
    // Three separate runs do not fit two areas: the device refuses.
    assert.throws(() => chip.writeProtect([1, 3, 5]), AccessError);
    chip.writeUnprotect();
    assert.equal(chip.writeProtectedPages().size, 0, name);
  }
});

Deno.test("H743ZI: 128 KiB sectors in two banks, 32-byte flash words, WPSN mirrored to the _CUR register", () => {
  const part = simulatedPart("stm32h743zi");
  const chip = new SimulatedChip(part);
  const pages = flashPages(part.chip, part.part.flashSize);
  assert.equal(pages.length, 16);
  assert.equal(pages[8].bank, "bank 2");
  assert.equal(chip.flash.programUnit, 32);
  chip.write(0x0800_0000, new Uint8Array(4).fill(0));
  // ECC flash words take one program between erases.
  assert.throws(() => chip.write(0x0800_0010, new Uint8Array(4).fill(0)), AccessError);
  chip.writeProtect([2]);
  assert.deepEqual([...chip.writeProtectedPages()], [2]);
  assert.deepEqual(chip.optionBytes.subarray(0x1c, 0x20), chip.optionBytes.subarray(0x20, 0x24));
  chip.readoutProtect();
  assert.equal(chip.optionBytes[1], 0xbb, "OPTSR_CUR follows OPTSR_PRG");
});

Deno.test("onChange fires on program, erase and option-byte changes", () => {
  let changes = 0;
  const chip = new SimulatedChip(simulatedPart("stm32f103c8"), { onChange: () => changes++ });
  chip.write(0x0800_0000, new Uint8Array(4));
  chip.erasePages([0]);
  chip.readoutProtect();
  assert.equal(changes, 3);
});
