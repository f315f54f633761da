import assert from "node:assert/strict";
import { runCli, tempFiles } from "../helpers/cli.ts";

const DEMO = new URL("../../recipes/demo.yaml", import.meta.url).pathname;

type Event = Record<string, unknown> & { event: string };

/** Every stdout line parsed as JSON; fails on any line that is not one JSON object with an `event`. */
function parseEvents(stdout: string): Event[] {
  return stdout.split("\n").map((line, i) => {
    const value = JSON.parse(line);
    assert.equal(typeof value, "object", `line ${i + 1} is an object`);
    assert.equal(typeof value.event, "string", `line ${i + 1} has an event name: ${line}`);
    assert.ok(!Number.isNaN(Date.parse(value.time)), `line ${i + 1} has an ISO time`);
    return value as Event;
  });
}

Deno.test("--json: every stdout line is an event; run-start, steps in order with progress, identity, result", async () => {
  const result = await runCli("run", DEMO, "--simulate", "stm32f103c8", "--json");
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  const events = parseEvents(result.stdout);

  const start = events[0];
  assert.equal(start.event, "run-start");
  assert.equal(start.schema, 1);
  assert.equal(start.recipe, "Demo - blink a Blue Pill");
  assert.equal(start.steps, 5);
  assert.match(String(start.version), /^\d+\.\d+\.\d+$/);

  const last = events.at(-1)!;
  assert.equal(last.event, "result");
  assert.equal(last.ok, true);
  assert.equal(last.exitCode, 0);
  assert.equal(last.error, null);
  assert.equal(events.filter((e) => e.event === "result").length, 1);

  // Between run-start and result: for each step in turn, step-start, then only progress/identity/info of that
  // step, then its step-end.
  const body = events.slice(1, -1);
  const types = ["connect", "erase", "write", "verify", "jump"];
  let at = 0;
  let bytes = 0;
  for (const [i, type] of types.entries()) {
    assert.deepEqual(
      { event: body[at].event, step: body[at].step, type: body[at].type },
      { event: "step-start", step: i + 1, type },
    );
    at++;
    let lastDone = -1;
    let lastUnit = "";
    while (body[at].event !== "step-end") {
      const e = body[at];
      assert.ok(["progress", "identity", "info"].includes(e.event), `unexpected ${e.event} inside step ${i + 1}`);
      if (e.event === "progress") {
        assert.equal(e.step, i + 1);
        // `erase: needed` compares bytes first, then erases pages: each phase counts up on its own.
        if (e.unit !== lastUnit) lastDone = -1;
        assert.ok(Number(e.done) > lastDone && Number(e.done) <= Number(e.total), JSON.stringify(e));
        if (type === "erase") assert.ok(e.unit === "pages" || (e.unit === "bytes" && lastUnit !== "pages"));
        else assert.equal(e.unit, "bytes");
        lastUnit = String(e.unit);
        lastDone = Number(e.done);
      }
      at++;
    }
    const end = body[at];
    assert.equal(end.step, i + 1);
    assert.equal(end.ok, true);
    assert.equal(typeof end.summary, "string");
    assert.equal(typeof end.durationMs, "number");
    bytes += Number(end.bytes);
    if (type === "write" || type === "verify") {
      assert.ok(lastDone > 0, `${type} reported progress`);
      assert.equal(lastDone, end.bytes, `${type}: the last progress is the whole image`);
    }
    at++;
  }
  assert.equal(at, body.length);
  assert.equal(last.bytes, bytes);

  const identity = events.filter((e) => e.event === "identity");
  assert.equal(identity.length, 1);
  assert.equal(identity[0].pid, "0x410");
  assert.equal(identity[0].transport, "usart");
  assert.equal(identity[0].flashSize, 65536);
  assert.match(String(identity[0].uniqueId), /^[0-9a-f]{24}$/);
  assert.equal(last.uniqueId, identity[0].uniqueId);
  // The identity arrives during connect.
  const connectEnd = events.findIndex((e) => e.event === "step-end" && e.step === 1);
  assert.ok(events.indexOf(identity[0]) < connectEnd);
});

Deno.test("--json: a failing step ends with step-end ok:false and a result carrying the error code (exit 1)", async () => {
  const dir = await tempFiles({
    "r.yaml":
      "version: 1\nname: bad\ntarget: { transport: usart, chip: stm32f103c8 }\nsteps:\n  - connect\n  - prompt: ready?\n",
  });
  try {
    const result = await runCli("run", `${dir}/r.yaml`, "--simulate", "stm32f103c8", "--json");
    assert.equal(result.code, 1);
    const events = parseEvents(result.stdout);
    const failed = events.find((e) => e.event === "step-end" && e.ok === false)!;
    assert.equal(failed.step, 2);
    // Nobody can answer the prompt (no terminal): the step fails after the chip was connected.
    assert.equal((failed.error as Record<string, unknown>).code, "E_PROMPT");
    const last = events.at(-1)!;
    assert.equal(last.event, "result");
    assert.equal(last.ok, false);
    assert.equal(last.exitCode, 1);
    assert.equal((last.error as Record<string, unknown>).code, "E_PROMPT");
    assert.match(result.stderr, /^error\[E_PROMPT\]/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--json: a recipe that cannot be read still ends the stream with a result event (exit 2)", async () => {
  const result = await runCli("run", "/nonexistent/recipe.yaml", "--simulate", "stm32f103c8", "--json");
  assert.equal(result.code, 2);
  const events = parseEvents(result.stdout);
  assert.equal(events.length, 1);
  assert.equal(events[0].event, "result");
  assert.equal(events[0].exitCode, 2);
  assert.equal((events[0].error as Record<string, unknown>).code, "E_FILE");
});

Deno.test("--quiet prints only the result line", async () => {
  const result = await runCli("run", DEMO, "--simulate", "stm32f103c8", "--quiet");
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^done on STM32F10xxx medium-density \(0x410\): 680 bytes moved in \d+ ms$/);
});

Deno.test("--json: a mistake in the options is a result event too", async () => {
  const result = await runCli("run", DEMO, "--simulat", "stm32f103c8", "--json");
  assert.equal(result.code, 2);
  const events = parseEvents(result.stdout);
  assert.deepEqual(events.map((e) => e.event), ["result"]);
  assert.equal((events[0].error as Record<string, unknown>).code, "E_USAGE");
  assert.match(result.stderr, /unknown option '--simulat'/);
});
