import assert from "node:assert/strict";
import { DfuState, dfuStateName } from "./state.ts";

Deno.test("dfuStateName spells states as DFU 1.1 §6.1.2 does, with hyphens", () => {
  assert.equal(dfuStateName(DfuState.appIDLE), "appIDLE");
  assert.equal(dfuStateName(DfuState.dfuIDLE), "dfuIDLE");
  assert.equal(dfuStateName(DfuState.dfuDNLOAD_SYNC), "dfuDNLOAD-SYNC");
  assert.equal(dfuStateName(DfuState.dfuDNLOAD_IDLE), "dfuDNLOAD-IDLE");
  assert.equal(dfuStateName(DfuState.dfuMANIFEST_WAIT_RESET), "dfuMANIFEST-WAIT-RESET");
  assert.equal(dfuStateName(DfuState.dfuUPLOAD_IDLE), "dfuUPLOAD-IDLE");
  assert.equal(dfuStateName(DfuState.dfuERROR), "dfuERROR");
});

Deno.test("dfuStateName names an unknown value by its number", () => {
  assert.equal(dfuStateName(11), "state 11");
  assert.equal(dfuStateName(-1), "state -1");
  assert.equal(dfuStateName(2.5), "state 2.5");
});
