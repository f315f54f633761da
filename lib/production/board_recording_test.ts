import assert from "node:assert/strict";
import { DeviceError } from "../errors.ts";
import { SILENT_REPORTER } from "../recipe/reporter.ts";
import type { TargetIdentity } from "../target/target.ts";
import { BoardRecording } from "./board_recording.ts";
import { openStore } from "./open_store.ts";
import { TEST_START } from "./test_util.ts";

const IDENTITY = {
  uniqueId: "00112233445566778899aabb",
  chip: { name: "STM32F10xxx medium-density" },
} as unknown as TargetIdentity;
const STEP = { index: 0, count: 2, type: "connect", label: "connect" };

Deno.test("board recording: the steps and chip the run reports; ABORTED keeps what is known", async () => {
  const store = await openStore(undefined);
  const session = await store.openSession("s");
  const recording = await BoardRecording.begin(session, TEST_START);
  const reporter = recording.observe(SILENT_REPORTER);
  reporter.identity(IDENTITY);
  reporter.stepEnd(STEP, { summary: "ok" }, 12.4);
  assert.deepEqual(await recording.serials({ name: "sn", start: 9, boardUid: IDENTITY.uniqueId }), {
    value: 9,
    reissued: false,
  });
  reporter.stepFailed({ ...STEP, index: 1, type: "write", label: "write" }, new DeviceError("E_X", "x"), 3);
  const aborted = await recording.abort();
  assert.equal(aborted.result, "ABORTED");
  assert.equal(aborted.error_code, "E_ABORTED");
  assert.equal(aborted.serial_number, "9");
  assert.equal(aborted.board_uid, IDENTITY.uniqueId);
  assert.equal(aborted.chip, "STM32F10xxx medium-density");
  assert.deepEqual(aborted.steps, [
    { step: "connect", type: "connect", ms: 12, ok: true },
    { step: "write", type: "write", ms: 3, ok: false },
  ]);
  // Written once: a later finish (the run ending after all) returns the same record.
  const again = await recording.finish({ ok: true, durationMs: 5, steps: [] });
  assert.equal(again.result, "ABORTED");
  assert.equal((await store.records()).length, 1);
  await session.close();
  await store.close();
});
