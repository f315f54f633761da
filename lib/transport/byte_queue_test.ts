import assert from "node:assert/strict";
import { ByteQueue } from "./byte_queue.ts";

Deno.test("ByteQueue hands bytes out in order, across and within chunks", () => {
  const queue = new ByteQueue();
  queue.push(new Uint8Array([1, 2, 3]));
  queue.push(new Uint8Array([]));
  queue.push(new Uint8Array([4, 5]));
  assert.equal(queue.size, 5);
  assert.deepEqual(queue.take(2), new Uint8Array([1, 2]));
  assert.deepEqual(queue.take(2), new Uint8Array([3, 4]));
  assert.equal(queue.size, 1);
  assert.deepEqual(queue.take(1), new Uint8Array([5]));
  assert.deepEqual(queue.take(0), new Uint8Array([]));
  assert.equal(queue.size, 0);
});

Deno.test("ByteQueue keeps its own copy of what was pushed", () => {
  const queue = new ByteQueue();
  const buffer = new Uint8Array([7, 8]);
  queue.push(buffer);
  buffer.fill(0);
  assert.deepEqual(queue.take(2), new Uint8Array([7, 8]));
});

Deno.test("ByteQueue refuses to take more than it holds, and clear empties it", () => {
  const queue = new ByteQueue();
  queue.push(new Uint8Array([1, 2, 3]));
  assert.throws(() => queue.take(4), RangeError);
  assert.equal(queue.size, 3);
  queue.clear();
  assert.equal(queue.size, 0);
  assert.throws(() => queue.take(1), RangeError);
  queue.push(new Uint8Array([9]));
  assert.deepEqual(queue.take(1), new Uint8Array([9]));
});

Deno.test("ByteQueue: a byte pushed with a line error is reported by the take that includes it, and only that one", () => {
  const queue = new ByteQueue();
  queue.push(Uint8Array.of(1, 2, 3), [1]);
  queue.push(Uint8Array.of(4, 5));
  assert.deepEqual(queue.takeChecked(1), { data: Uint8Array.of(1), errors: false });
  assert.deepEqual(queue.takeChecked(2), { data: Uint8Array.of(2, 3), errors: true });
  assert.deepEqual(queue.takeChecked(2), { data: Uint8Array.of(4, 5), errors: false });
  queue.push(Uint8Array.of(6), [0]);
  queue.clear();
  queue.push(Uint8Array.of(7));
  assert.deepEqual(queue.takeChecked(1), { data: Uint8Array.of(7), errors: false }, "cleared with the bytes");
});
