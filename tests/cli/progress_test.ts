import assert from "node:assert/strict";
import { runCli, tempFiles } from "../helpers/cli.ts";

/** 256 KiB of firmware-like data (no 0xFF runs): an F4's sectors 0-5, the last one 128 KiB. */
function firmware(): Uint8Array {
  const data = new Uint8Array(256 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 8)) & 0x7f;
  return data;
}

interface Event {
  event: string;
  step?: number;
  type?: string;
  done?: number;
  total?: number;
  unit?: string;
}

/** The largest jump between two progress events of the steps of `type`, in bytes, and how many there were. */
function largestJump(events: Event[], type: string): { jump: number; count: number } {
  const steps = new Set(events.filter((e) => e.event === "step-start" && e.type === type).map((e) => e.step));
  let jump = 0;
  let count = 0;
  let last = 0;
  for (const e of events) {
    if (e.event === "step-start") last = 0;
    if (e.event !== "progress" || !steps.has(e.step) || e.unit !== "bytes") continue;
    if (e.done! < last) last = 0; // a new phase
    jump = Math.max(jump, e.done! - last);
    last = e.done!;
    count++;
  }
  return { jump, count };
}

Deno.test("run: the write bar moves within a 128 KiB F4 sector (a blank chip's sectors written unerased)", async () => {
  const dir = await tempFiles({
    "fw.bin": firmware(),
    "f4.yaml": "name: f4\ntarget: { chip: stm32f405rg }\n" +
      "steps: [connect, { erase: needed }, { write: { file: fw.bin, address: 0x08000000 } }, verify]\n",
  });
  const run = await runCli("run", `${dir}/f4.yaml`, "--simulate", "stm32f405rg", "--json");
  assert.equal(run.code, 0, run.stderr);
  const events: Event[] = run.stdout.split("\n").map((line) => JSON.parse(line));
  const write = largestJump(events, "write");
  assert.ok(write.count >= 50, `write reported ${write.count} times`);
  assert.ok(write.jump <= 8 * 1024, `the write bar jumped ${write.jump} bytes at once`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("write and read one-shots report progress by bytes all the way (no silent minute)", async () => {
  const dir = await tempFiles({ "fw.bin": firmware() });
  const write = await runCli("write", `${dir}/fw.bin`, "--simulate", "stm32f405rg", "--json");
  assert.equal(write.code, 0, write.stderr);
  const events: Event[] = write.stdout.split("\n").map((line) => JSON.parse(line));
  for (const type of ["write", "verify"]) {
    const { jump, count } = largestJump(events, type);
    assert.ok(count >= 50 || type === "verify", `${type}: ${count} progress events`);
    assert.ok(jump <= 8 * 1024, `${type}: jumped ${jump} bytes`);
  }
  const read = await runCli("read", "--simulate", "stm32f405rg", "--length", "262144", "-o", `${dir}/r.bin`, "--json");
  assert.equal(read.code, 0, read.stderr);
  const readEvents: Event[] = read.stdout.split("\n").map((line) => JSON.parse(line));
  const { jump, count } = largestJump(readEvents, "read");
  assert.ok(count >= 50 && jump <= 8 * 1024, `read: ${count} events, largest jump ${jump}`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("erase all one-shot on an F4: the mass erase reports sectors, ending with all of them", async () => {
  const erase = await runCli("erase", "all", "--simulate", "stm32f405rg", "--json");
  assert.equal(erase.code, 0, erase.stderr);
  const events: Event[] = erase.stdout.split("\n").map((line) => JSON.parse(line));
  const progress = events.filter((e) => e.event === "progress");
  assert.deepEqual(progress.at(0), { ...progress.at(0), done: 0, total: 12, unit: "pages" });
  assert.deepEqual(progress.at(-1), { ...progress.at(-1), done: 12, total: 12, unit: "pages" });
});
