import assert from "node:assert/strict";
import { hasStm32flash } from "../witness/sim_process.ts";

const BENCH = new URL("../../scripts/bench.ts", import.meta.url).pathname;

// The shape of `bench --quick --json` on the USART rows; never the speed (no timed assertions).
Deno.test({
  name: "bench --quick --json --usart-only: one USART row, both tools, limit and targets",
  ignore: !(await hasStm32flash()),
  async fn() {
    const result = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", BENCH, "--quick", "--json", "--usart-only"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(result.stderr);
    assert.equal(result.code, 0, stderr);
    const doc = JSON.parse(new TextDecoder().decode(result.stdout));
    assert.equal(doc.settings.quick, true);
    assert.equal(doc.settings.runs, 1);
    assert.equal(doc.settings.usart.baud, 115200);
    assert.equal(doc.rows.length, 1);
    const [row] = doc.rows;
    assert.equal(row.link, "usart");
    assert.equal(row.chip, "stm32f103cb");
    assert.equal(row.bytes, 16384);
    assert.equal(row.reflash, false);
    assert.ok(row.limitMs > 0);
    for (const part of ["wireMs", "latencyMs", "eraseMs", "programMs"]) assert.equal(typeof row.limit[part], "number");
    assert.deepEqual(row.tools.map((t: { tool: string }) => t.tool).sort(), ["flashrecipe", "stm32flash"]);
    for (const tool of row.tools) {
      assert.equal(tool.runsMs.length, 1);
      assert.equal(tool.medianMs, tool.runsMs[0]);
      assert.ok(tool.minMs <= tool.medianMs && tool.medianMs <= tool.maxMs);
      assert.equal(typeof tool.ofLimit, "number");
      assert.equal(typeof tool.vsAnchor, "number");
    }
    assert.equal(typeof row.speedup, "number");
    assert.equal(typeof row.targets.fasterThanAnchor, "boolean");
    assert.equal(typeof row.targets.ninetyPercentOfLimit, "boolean");
  },
});
