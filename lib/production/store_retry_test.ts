import assert from "node:assert/strict";
import { DeviceError } from "../errors.ts";
import { withStoreRetry } from "./store_retry.ts";

const unreachable = () => new DeviceError("E_STORE", "production store x: cannot record the start of a board: gone");

Deno.test("store retry: stop throws the store error at once; other errors are never retried", async () => {
  let calls = 0;
  const failing = () => {
    calls++;
    return Promise.reject(unreachable());
  };
  await assert.rejects(withStoreRetry(failing, { policy: "stop", notify: () => {} }), /E_STORE|cannot record/);
  assert.equal(calls, 1);
  const other = () => Promise.reject(new DeviceError("E_VERIFY", "not a store error"));
  await assert.rejects(withStoreRetry(other, { policy: "wait", notify: () => {}, intervalMs: 1 }), /not a store/);
});

Deno.test("store retry: wait says so and tries again until the store answers", async () => {
  let calls = 0;
  const notes: string[] = [];
  const value = await withStoreRetry(() => (++calls < 3 ? Promise.reject(unreachable()) : Promise.resolve(42)), {
    policy: "wait",
    notify: (message) => notes.push(message),
    intervalMs: 1,
  });
  assert.equal(value, 42);
  assert.equal(calls, 3);
  assert.equal(notes.length, 2);
  assert.match(
    notes[0],
    /cannot record the start of a board: gone; trying again in 0\.001 s \(attempt 1; Ctrl-C stops\)/,
  );
});

Deno.test("store retry: Ctrl-C ends the waiting with no result", async () => {
  const controller = new AbortController();
  const result = await withStoreRetry(() => Promise.reject(unreachable()), {
    policy: "wait",
    signal: controller.signal,
    notify: () => controller.abort(),
    intervalMs: 60_000,
  });
  assert.equal(result, undefined);
});
