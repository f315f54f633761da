import assert from "node:assert/strict";
import { MemoryImage } from "../image/memory_image.ts";
import { checkStepOrder, findConflictingWrites, type OrderedStep, type PlannedWrite } from "./step_order.ts";
import type { StepFlow } from "./step.ts";

const step = (type: string, flow: Partial<StepFlow>, line: number, when?: string): OrderedStep => ({
  type,
  flow: { needsTarget: true, ...flow },
  location: { file: "r.yaml", line, column: 5 },
  when,
});
const CONNECT = { needsTarget: false, connects: true };
const START = { transport: "usart", connected: "no", written: "no" } as const;

Deno.test("step order: connection, written images, read protection and transport", () => {
  const ok = checkStepOrder([
    step("connect", CONNECT, 1),
    step("write", { writes: true, accessesFlash: true }, 2),
    step("verify", { needsWritten: true, accessesFlash: true }, 3),
    step("jump", { endsConnection: true }, 4),
    step("connect", CONNECT, 5),
    step("protect", { readProtection: true }, 6),
    step("unprotect", { readProtection: false }, 7),
    step("erase", { accessesFlash: true }, 8),
  ], START);
  assert.deepEqual(ok, []);
  const bad = checkStepOrder([
    step("erase", { accessesFlash: true }, 1),
    step("connect", CONNECT, 2),
    step("verify", { needsWritten: true }, 3),
    step("protect", { readProtection: true }, 4, "x == 1"),
    step("read", { accessesFlash: true }, 5),
    step("wait-usb", { needsTarget: false, transport: "dfu" }, 6),
    step("jump", { endsConnection: true }, 7, "y == 1"),
    step("write", { writes: true }, 8),
  ], START);
  assert.deepEqual(bad.map((e) => [e.location?.line, e.code]), [
    [1, "E_RECIPE"],
    [3, "E_RECIPE_ORDER"],
    [5, "E_RECIPE_ORDER"],
    [6, "E_RECIPE_ORDER"],
    [8, "E_RECIPE_ORDER"],
  ]);
  assert.match(bad[2].message, /'read' may come after 'protect' at line 4/);
  assert.match(bad[4].message, /'write' may come after 'jump' at line 7 of r\.yaml when y == 1/);
});

Deno.test("conflicting writes: different bytes at one address, in any segment order; same bytes and alternatives pass", () => {
  const image = (...segments: [number, number[]][]) =>
    new MemoryImage(segments.map(([address, bytes]) => ({ address, data: new Uint8Array(bytes) })));
  const write = (file: string, img: MemoryImage, when?: string): PlannedWrite => ({
    image: img,
    file,
    when,
    location: { file: "r.yaml", line: file.length, column: 1 },
  });
  const a = image([0x100, [1, 2, 3, 4]], [0x200, [9, 9]]);
  assert.deepEqual(findConflictingWrites([write("a", a), write("same", image([0x102, [3, 4]]))]), []);
  assert.deepEqual(findConflictingWrites([write("a", a), write("b", image([0x201, [8]]), "rev == 2")]), []);
  const errors = findConflictingWrites([write("a", a), write("bb", image([0x0f0, [0]], [0x201, [8]]))]);
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /'bb' and 'a' .* put different bytes at 0x00000201/);
  // A long segment of the first write reaches over a short one of the second and beyond.
  const long = image([0x000, Array(0x300).fill(0)]);
  const errs = findConflictingWrites([write("long", long), write("x", image([0x050, [0]], [0x280, [1]]))]);
  assert.equal(errs.length, 1);
  assert.match(errs[0].message, /at 0x00000280/);
});
