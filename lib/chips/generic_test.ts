import assert from "node:assert/strict";
import { CHIPS } from "./database.ts";
import { GENERIC_FLASH_SIZE, genericChip, resolveChip } from "./generic.ts";
import { flashPages } from "./layout.ts";

Deno.test("resolveChip returns database entries without a warning", () => {
  const resolved = resolveChip(0x410);
  assert.equal(resolved.known, true);
  assert.equal(resolved.warning, undefined);
  assert.equal(resolved.chip.name, "STM32F10xxx medium-density");
});

Deno.test("resolveChip falls back to a generic profile with a warning", () => {
  const resolved = resolveChip(0x4ab);
  assert.equal(resolved.known, false);
  assert.equal(resolved.chip.pid, 0x4ab);
  assert.equal(
    resolved.warning,
    "unknown product ID 0x4ab; using a generic profile — check flash size and page layout",
  );
  assert.ok(!CHIPS.some((chip) => chip.pid === 0x4ab), "test PID must be unknown");
});

Deno.test("the generic profile is conservative", () => {
  const chip = genericChip(0x4ab);
  assert.equal(chip.flash.base, 0x0800_0000);
  assert.equal(chip.flash.maxSize, GENERIC_FLASH_SIZE);
  const smallest = Math.min(...CHIPS.map((c) => c.flash.maxSize));
  assert.ok(GENERIC_FLASH_SIZE <= smallest, "no bigger than the smallest known flash");
  const pages = flashPages(chip);
  assert.equal(pages.reduce((sum, page) => sum + page.size, 0), GENERIC_FLASH_SIZE);
  const largestUnit = Math.max(...CHIPS.map((c) => c.flash.programUnit));
  assert.equal(chip.flash.programUnit, largestUnit);
  assert.equal(chip.ram.userStart, chip.ram.base + chip.ram.size, "no RAM assumed free");
  assert.equal(chip.optionBytes.size, 0);
  assert.deepEqual(chip.optionBytes.fields, []);
  assert.ok(chip.quirks.some((quirk) => /Get/.test(quirk)), "erase command left to the protocol layer");
});
