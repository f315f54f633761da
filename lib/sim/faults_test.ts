import assert from "node:assert/strict";
import { FaultSchedule, parseFaultSpec } from "./faults.ts";
import { InputError } from "../errors.ts";

Deno.test("parseFaultSpec: kind, point and parameters", () => {
  assert.deepEqual(parseFaultSpec("corrupt-reply@get-id:byte=2,bit=2"), {
    kind: "corrupt-reply",
    at: "get-id",
    byte: 2,
    bit: 2,
  });
  assert.deepEqual(parseFaultSpec("noise-before-sync:ms=500"), { kind: "noise-before-sync", ms: 500 });
  assert.deepEqual(parseFaultSpec("stuck-bit:address=0x08000400,bit=3"), {
    kind: "stuck-bit",
    address: 0x08000400,
    bit: 3,
  });
  assert.deepEqual(parseFaultSpec("protect-pages:pages=4-6+9"), { kind: "protect-pages", pages: [4, 5, 6, 9] });
});

Deno.test("parseFaultSpec: mistakes are usage errors", () => {
  for (const text of ["melt", "drop-reply:times", "drop-reply:colour=3", "protect-pages:pages=7-4"]) {
    assert.throws(() => parseFaultSpec(text), (e) => e instanceof InputError && e.code === "E_USAGE", text);
  }
});

Deno.test("FaultSchedule: fires at the occurrence, as often as told, at its point only", () => {
  const schedule = new FaultSchedule([{ kind: "nack-once", at: "write-memory", occurrence: 2, times: 2 }]);
  assert.equal(schedule.take("nack-once", "read-memory"), undefined);
  assert.equal(schedule.take("nack-once", "write-memory"), undefined);
  assert.ok(schedule.take("nack-once", "write-memory"));
  assert.ok(schedule.take("nack-once", "write-memory"));
  assert.equal(schedule.take("nack-once", "write-memory"), undefined);
  assert.equal(schedule.take("drop-reply", "write-memory"), undefined);
});
