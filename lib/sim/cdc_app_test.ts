import assert from "node:assert/strict";
import { createMemoryPipe } from "../transport/memory_pipe.ts";
import { CdcApplication } from "./cdc_app.ts";

Deno.test("cdc app: other bytes are read and ignored; the default trigger 0xAA jumps once", async () => {
  const [host, device] = createMemoryPipe();
  let jumps = 0;
  const app = new CdcApplication({ onTrigger: () => void jumps++ });
  const running = app.run(device);
  await host.write(new Uint8Array([0x01, 0x55]));
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(app.jumped, false);
  await host.write(new Uint8Array([0xaa, 0xaa]));
  assert.equal(await running, true);
  assert.equal(jumps, 1);
  assert.deepEqual(app.received, [0x01, 0x55, 0xaa]);
  await host.close();
});

Deno.test("cdc app: a multi-byte trigger must arrive in order, even split over writes", async () => {
  const [host, device] = createMemoryPipe();
  const app = new CdcApplication({ trigger: [0x55, 0xaa], onTrigger: () => {} });
  const running = app.run(device);
  await host.write(new Uint8Array([0xaa, 0x55]));
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(app.jumped, false);
  await host.write(new Uint8Array([0xaa]));
  assert.equal(await running, true);
  await host.close();
});

Deno.test("cdc app: closing the port ends it without a jump; bytes sent just before closing still count", async () => {
  const [host, device] = createMemoryPipe();
  const idle = new CdcApplication({ onTrigger: () => assert.fail("no trigger was sent") });
  const running = idle.run(device);
  await host.write(new Uint8Array([0x10]));
  await host.close();
  assert.equal(await running, false);
  assert.deepEqual(idle.received, [0x10]);

  const [host2, device2] = createMemoryPipe();
  await host2.write(new Uint8Array([0xaa]));
  await host2.close();
  assert.equal(await new CdcApplication({ onTrigger: () => {} }).run(device2), true);
  assert.throws(() => new CdcApplication({ trigger: [], onTrigger: () => {} }), RangeError);
});
