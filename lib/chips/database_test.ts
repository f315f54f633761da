import assert from "node:assert/strict";
import { chipByPid, CHIPS, formatPid, partByName, PARTS } from "./database.ts";
import { flashPages, pageAt } from "./layout.ts";
import { complementScheme } from "./option_layout.ts";
import type { ChipInfo } from "./types.ts";

const KIB = 1024;

function bankSize(chip: ChipInfo, index: number): number {
  return chip.flash.banks[index].regions.reduce((sum, region) => sum + region.pageSize * region.count, 0);
}

function mustChip(pid: number): ChipInfo {
  const chip = chipByPid(pid);
  assert.ok(chip, `no chip ${formatPid(pid)}`);
  return chip;
}

Deno.test("product IDs are unique", () => {
  const seen = new Set<number>();
  for (const chip of CHIPS) {
    assert.ok(!seen.has(chip.pid), `duplicate product ID ${formatPid(chip.pid)}`);
    seen.add(chip.pid);
  }
});

Deno.test("every entry names AN2606 and a reference manual or tool source", () => {
  for (const chip of CHIPS) {
    assert.match(chip.source, /AN2606/, `${formatPid(chip.pid)} source`);
    assert.match(chip.source, /RM\d{4}/, `${formatPid(chip.pid)} source names no reference manual`);
    assert.ok(chip.name.length > 0 && chip.family.length > 0);
    assert.ok(chip.bootloaderVersions.length > 0, `${formatPid(chip.pid)} has no bootloader version`);
  }
});

Deno.test("flash regions are ascending, non-overlapping and contiguous from the flash base", () => {
  for (const chip of CHIPS) {
    let next = chip.flash.base;
    for (const bank of chip.flash.banks) {
      assert.ok(bank.regions.length > 0, `${formatPid(chip.pid)} ${bank.name} is empty`);
      for (const region of bank.regions) {
        assert.equal(region.start, next, `${formatPid(chip.pid)} ${bank.name} region at ${region.start.toString(16)}`);
        assert.ok(region.pageSize > 0 && region.count > 0);
        assert.equal(region.start % region.pageSize, 0, `${formatPid(chip.pid)} region not aligned to its page size`);
        next = region.start + region.pageSize * region.count;
      }
    }
    assert.equal(next - chip.flash.base, chip.flash.maxSize, `${formatPid(chip.pid)} pages do not add up to maxSize`);
  }
});

Deno.test("dual-bank products split flash into equal banks", () => {
  for (const chip of CHIPS.filter((c) => c.flash.banks.length > 1)) {
    assert.equal(chip.flash.banks.length, 2, formatPid(chip.pid));
    assert.equal(bankSize(chip, 0), chip.flash.maxSize / 2, `${formatPid(chip.pid)} bank 1`);
    assert.equal(bankSize(chip, 1), chip.flash.maxSize / 2, `${formatPid(chip.pid)} bank 2`);
    assert.deepEqual(chip.flash.banks.map((b) => b.name), ["bank 1", "bank 2"]);
  }
});

Deno.test("memory facts are plausible", () => {
  for (const chip of CHIPS) {
    const id = formatPid(chip.pid);
    assert.ok([2, 4, 8, 16, 32].includes(chip.flash.programUnit), `${id} program unit`);
    assert.ok(chip.ram.size > 0, `${id} RAM size`);
    assert.ok(chip.ram.userStart >= chip.ram.base, `${id} RAM user start below RAM`);
    assert.ok(chip.ram.userStart <= chip.ram.base + chip.ram.size, `${id} RAM user start past RAM`);
    assert.ok(chip.systemMemory.size > 0, `${id} system memory size`);
    assert.ok(chip.optionBytes.size > 0 && chip.optionBytes.size % 4 === 0, `${id} option-byte size`);
    assert.ok([0x43, 0x44].includes(chip.eraseCommand));
    for (const address of [chip.uniqueIdAddress, chip.flash.sizeRegister]) {
      assert.ok(address !== undefined, `${id} lacks a unique-ID or flash-size address`);
    }
    // A bootloader below V3.0 only has Erase (AN3155 §3.7); V3.0 and later, Extended Erase (§3.8). A product
    // seen with both kinds lists the newer command and says so in a quirk.
    const old = chip.bootloaderVersions.filter((version) => version < 0x30).length;
    if (old === chip.bootloaderVersions.length) assert.equal(chip.eraseCommand, 0x43, `${id} old bootloader`);
    else if (old === 0) assert.equal(chip.eraseCommand, 0x44, `${id} new bootloader`);
    else assert.ok(chip.quirks.some((quirk) => quirk.includes("0x43")), `${id} mixed versions without a quirk`);
  }
});

Deno.test("option-byte fields fit the option area, do not overlap and avoid complement bits", () => {
  for (const chip of CHIPS) {
    const id = formatPid(chip.pid);
    const { fields, size } = chip.optionBytes;
    assert.ok(fields.length > 0, `${id} has no option fields`);
    const names = new Set<string>();
    const usedBits = new Map<number, number[]>();
    for (const field of fields) {
      assert.ok(!names.has(field.name), `${id} field ${field.name} twice`);
      names.add(field.name);
      assert.equal(field.offset % 4, 0, `${id} ${field.name} offset not word-aligned`);
      assert.ok(field.offset + 4 <= size, `${id} ${field.name} outside the ${size}-byte option area`);
      assert.ok(field.width >= 1 && field.shift >= 0 && field.shift + field.width <= 32, `${id} ${field.name} bits`);
      const bits = usedBits.get(field.offset) ?? [];
      for (let bit = field.shift; bit < field.shift + field.width; bit++) {
        assert.ok(!bits.includes(bit), `${id} ${field.name} overlaps another field at bit ${bit}`);
        bits.push(bit);
      }
      usedBits.set(field.offset, bits);
      switch (complementScheme(chip)) {
        case "byte":
          for (let bit = field.shift; bit < field.shift + field.width; bit++) {
            assert.ok(bit % 16 < 8, `${id} ${field.name} bit ${bit} is a complement bit`);
          }
          break;
        case "halfword":
          assert.ok(field.shift + field.width <= 16, `${id} ${field.name} reaches the complement half-word`);
          break;
        case "word":
          assert.equal(field.offset % 8, 0, `${id} ${field.name} sits in a complement word`);
          break;
        case "none":
          break;
      }
    }
    for (const required of ["RDP"]) assert.ok(names.has(required), `${id} lacks ${required}`);
    assert.ok([...names].some((n) => /WRP/.test(n)), `${id} lacks a write-protection field`);
    assert.ok([...names].some((n) => /WDG/.test(n)), `${id} lacks a watchdog field`);
    assert.ok([...names].some((n) => /nRST_ST(OP|BY|DBY)/.test(n)), `${id} lacks reset-on-low-power fields`);
  }
});

Deno.test("every family listed by the task has entries and a complement scheme", () => {
  const families = new Set(CHIPS.map((chip) => chip.family));
  for (
    const family of ["F0", "F1", "F2", "F3", "F4", "F7", "G0", "G4", "H7", "L0", "L1", "L4", "L5", "U5", "WB", "WL"]
  ) {
    assert.ok(families.has(family), `no ${family} entry`);
  }
  // Only option windows on flash registers (peripheral space) come without complements.
  for (const chip of CHIPS) {
    const registers = chip.optionBytes.address >= 0x4000_0000;
    assert.equal(complementScheme(chip) === "none", registers, `${chip.family} complement scheme`);
  }
});

Deno.test("every part resolves to a chip, fits it and is a whole number of pages", () => {
  const required = [
    "stm32f103c8",
    "stm32f103cb",
    "stm32f103rc",
    "stm32f103re",
    "stm32f030f4",
    "stm32f042k6",
    "stm32f072rb",
    "stm32f303cc",
    "stm32f401cc",
    "stm32f405rg",
    "stm32f407vg",
    "stm32f411ce",
    "stm32f446re",
    "stm32f746zg",
    "stm32g031k8",
    "stm32g071rb",
    "stm32g431kb",
    "stm32g474re",
    "stm32h743zi",
    "stm32l031k6",
    "stm32l073rz",
    "stm32l152re",
    "stm32l432kc",
    "stm32l433rc",
    "stm32l476rg",
    "stm32wb55rg",
  ];
  for (const name of required) assert.ok(partByName(name), `part ${name} missing`);
  const seen = new Set<string>();
  for (const part of PARTS) {
    assert.equal(part.part, part.part.toLowerCase());
    assert.ok(!seen.has(part.part), `part ${part.part} twice`);
    seen.add(part.part);
    const chip = chipByPid(part.pid);
    assert.ok(chip, `${part.part} has unknown product ID ${formatPid(part.pid)}`);
    assert.ok(part.flashSize > 0 && part.flashSize <= chip.flash.maxSize, `${part.part} larger than its die`);
    const pages = flashPages(chip, part.flashSize);
    const covered = pages.reduce((sum, page) => sum + page.size, 0);
    assert.equal(covered, part.flashSize, `${part.part} is not a whole number of pages`);
  }
  assert.equal(partByName("STM32F103C8")?.flashSize, 64 * KIB);
  assert.equal(partByName("stm32f999zz"), undefined);
});

Deno.test("F103 medium density (0x410): 128 pages of 1 KiB, Erase 0x43", () => {
  const chip = mustChip(0x410);
  const pages = flashPages(chip);
  assert.equal(pages.length, 128);
  assert.ok(pages.every((page) => page.size === KIB));
  assert.equal(pageAt(pages, 0x0800_fc00)?.index, 63);
  assert.equal(flashPages(chip, partByName("stm32f103c8")!.flashSize).length, 64);
  assert.equal(chip.eraseCommand, 0x43);
  assert.equal(chip.optionBytes.address, 0x1fff_f800);
  assert.equal(chip.ram.userStart, 0x2000_0200);
});

Deno.test("F405 (0x413): 4 x 16 KiB, 1 x 64 KiB, 7 x 128 KiB sectors, Extended Erase", () => {
  const chip = mustChip(0x413);
  const sizes = flashPages(chip).map((page) => page.size / KIB);
  assert.deepEqual(sizes, [16, 16, 16, 16, 64, 128, 128, 128, 128, 128, 128, 128]);
  assert.equal(pageAt(flashPages(chip), 0x0802_0000)?.index, 5);
  assert.equal(chip.eraseCommand, 0x44);
  assert.equal(chip.optionBytes.address, 0x1fff_c000);
  assert.equal(chip.optionBytes.size, 16);
});

Deno.test("F42x (0x419): two banks of 12 sectors, bank 2 at 0x08100000", () => {
  const chip = mustChip(0x419);
  const pages = flashPages(chip);
  assert.equal(pages.length, 24);
  assert.equal(pages[12].start, 0x0810_0000);
  assert.equal(pages[12].size, 16 * KIB);
  assert.equal(pages[12].bank, "bank 2");
});

Deno.test("L433 (0x435): 128 pages of 2 KiB, double-word programming", () => {
  const chip = mustChip(0x435);
  const pages = flashPages(chip);
  assert.equal(pages.length, 128);
  assert.ok(pages.every((page) => page.size === 2 * KIB));
  assert.equal(chip.flash.programUnit, 8);
  assert.equal(chip.optionBytes.address, 0x1fff_7800);
  assert.equal(partByName("stm32l433rc")?.pid, 0x435);
});

Deno.test("G071 (0x460): 64 pages of 2 KiB, RAM free from 0x20002700", () => {
  const chip = mustChip(0x460);
  const pages = flashPages(chip);
  assert.equal(pages.length, 64);
  assert.ok(pages.every((page) => page.size === 2 * KIB));
  assert.equal(chip.ram.userStart, 0x2000_2700);
  assert.equal(chip.family, "G0");
});

Deno.test("H743 (0x450): two banks of 8 x 128 KiB sectors, 32-byte program unit", () => {
  const chip = mustChip(0x450);
  assert.equal(chip.flash.banks.length, 2);
  const pages = flashPages(chip);
  assert.equal(pages.length, 16);
  assert.ok(pages.every((page) => page.size === 128 * KIB));
  assert.equal(pages[8].start, 0x0810_0000);
  assert.equal(pages[8].bank, "bank 2");
  assert.equal(chip.flash.programUnit, 32);
});

Deno.test("formatPid pads to three hex digits", () => {
  assert.equal(formatPid(0x410), "0x410");
  assert.equal(formatPid(0x44), "0x044");
});
