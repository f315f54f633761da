import assert from "node:assert/strict";
import { DFU_REQUEST_FAULT_KINDS, FAULT_KINDS, FaultSchedule, parseFaultSpec, USART_FAULT_KINDS } from "./faults.ts";
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

Deno.test("fault kinds: every kind once, the USART device's first; the DFU requests' own are not the USART's", () => {
  // The order usage messages list them in.
  const listed = "corrupt-reply drop-reply nack-once noise-before-sync hang-up reset slow-erase skip-write stuck-bit " +
    "protect-pages stall error-status skip-erase";
  assert.equal(FAULT_KINDS.join(" "), listed);
  assert.equal(new Set(FAULT_KINDS).size, FAULT_KINDS.length);
  for (const kind of DFU_REQUEST_FAULT_KINDS) assert.ok(!(USART_FAULT_KINDS as readonly string[]).includes(kind));
});
