import assert from "node:assert/strict";
import { CHIPS } from "./database.ts";
import { ERASE_TIMES, eraseTimes } from "./erase_times.ts";
import { flashPages } from "./layout.ts";
import { FLASH_TIMING } from "../sim/timing.ts";

Deno.test("every family in the database has datasheet erase maxima", () => {
  const missing = [...new Set(CHIPS.map((chip) => chip.family))].filter((family) => !(family in ERASE_TIMES));
  assert.deepEqual(missing, []);
});

Deno.test("the maxima are at or above the typical figures the simulator uses, for every page size of every chip", () => {
  for (const chip of CHIPS) {
    const typical = FLASH_TIMING[chip.family];
    if (!typical) continue;
    const max = eraseTimes(chip);
    for (const page of flashPages(chip)) {
      assert.ok(max.pageMs(page.size) >= typical.eraseMs(page.size), `${chip.name} page ${page.index}`);
    }
    assert.ok(max.massMs >= typical.massEraseMs, chip.name);
  }
});
