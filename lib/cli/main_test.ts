import assert from "node:assert/strict";
import { COMMANDS } from "./main.ts";

Deno.test("each command entry loads its command, with the same name and summary", async () => {
  for (const entry of COMMANDS) {
    const command = await entry.load();
    assert.equal(command.name, entry.name);
    assert.equal(command.summary, entry.summary, entry.name);
  }
});
