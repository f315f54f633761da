import assert from "node:assert/strict";
import { CHIPS } from "./database.ts";
import { ERASE_BASE_MS, ERASE_MARGIN, eraseTimes, massEraseTimeoutMs, pageEraseTimeoutMs } from "./erase_times.ts";
import { CONSERVATIVE, familyTiming, FLASH_FIGURES, FLASH_TIMING, type TypMax } from "./flash_timing.ts";
import { flashPages } from "./layout.ts";
import { genericChip } from "./generic.ts";

const FAMILIES = [...new Set(CHIPS.map((chip) => chip.family))];

Deno.test("every family in the chip database has flash figures: program, page/sector, mass and bank erase", () => {
  assert.deepEqual(FAMILIES.filter((family) => !(family in FLASH_FIGURES)), []);
  for (const family of FAMILIES) {
    const timing = FLASH_FIGURES[family];
    assert.ok(timing.pageEraseMs.length > 0, family);
    assert.ok(timing.programUnitUs.typ > 0 && timing.massEraseMs.typ > 0 && timing.bankEraseMs.typ > 0, family);
    assert.match(timing.source, /\bDS\d{4,5}\b/, `${family}: the datasheet is named`);
    if (!timing.confirmed) assert.ok(timing.notes.length > 20, `${family}: an unconfirmed figure says what backs it`);
  }
});

Deno.test("every figure's maximum is at or above its typical, and sector rows ascend by size", () => {
  for (const [family, timing] of [...Object.entries(FLASH_FIGURES), ["conservative", CONSERVATIVE] as const]) {
    const figures: TypMax[] = [timing.programUnitUs, timing.massEraseMs, timing.bankEraseMs, ...timing.pageEraseMs];
    for (const figure of figures) assert.ok(figure.max >= figure.typ, `${family}: ${JSON.stringify(figure)}`);
    for (let i = 1; i < timing.pageEraseMs.length; i++) {
      assert.ok(timing.pageEraseMs[i].upTo > timing.pageEraseMs[i - 1].upTo, family);
    }
  }
});

Deno.test("the conservative figures cover every family's maxima (an unknown product never times out early)", () => {
  for (const chip of CHIPS) {
    const times = eraseTimes(chip);
    for (const page of flashPages(chip)) {
      assert.ok(eraseTimes(genericChip(0)).pageMs(page.size) >= times.pageMs(page.size));
    }
    assert.ok(CONSERVATIVE.massEraseMs.max >= times.massMs, chip.name);
  }
  assert.equal(familyTiming(genericChip(0x999)), CONSERVATIVE);
});

Deno.test("timeouts derive from the maxima, progress and the simulator from the typicals, for every page of every chip", () => {
  for (const chip of CHIPS) {
    const timing = familyTiming(chip);
    for (const page of flashPages(chip)) {
      const row = timing.pageEraseMs.find((r) => page.size <= r.upTo) ?? timing.pageEraseMs.at(-1)!;
      assert.equal(pageEraseTimeoutMs(chip, [page.size]), Math.ceil(ERASE_BASE_MS + row.max * ERASE_MARGIN));
      assert.equal(FLASH_TIMING[chip.family].eraseMs(page.size), row.typ, chip.name);
    }
    assert.equal(massEraseTimeoutMs(chip), Math.ceil(ERASE_BASE_MS + timing.massEraseMs.max * ERASE_MARGIN));
    assert.equal(FLASH_TIMING[chip.family].massEraseMs, timing.massEraseMs.typ);
  }
});

Deno.test("sector size selects the F4 row: 16, 64 and 128 KiB sectors have their own figures", () => {
  const f4 = CHIPS.find((chip) => chip.family === "F4")!;
  assert.deepEqual([16, 64, 128].map((k) => eraseTimes(f4).pageMs(k * 1024)), [800, 2400, 4000]);
  assert.deepEqual([16, 64, 128].map((k) => FLASH_TIMING.F4.eraseMs(k * 1024)), [400, 1100, 2000]);
});
