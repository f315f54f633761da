import assert from "node:assert/strict";
import { startupModules } from "../../scripts/bench/module_graph.ts";

// What start-up loads, not how long it takes (no timed assertions; scripts/bench_startup.ts prints the figures).

/** Modules only simulation, DFU or USB need; the names-only lib/sim/part_names.ts is allowed. */
function simulatorOrUsb(modules: Set<string>): string[] {
  return [...modules].filter((m) =>
    (m.startsWith("lib/sim/") && m !== "lib/sim/part_names.ts") ||
    m.startsWith("lib/protocol/dfu/") ||
    m.startsWith("lib/transport/usb/") ||
    m === "lib/target/dfu_target.ts"
  );
}

Deno.test("the serial-port commands load no simulator, DFU or libusb module at start-up", async () => {
  for (const command of ["write", "read", "info", "run"]) {
    const modules = await startupModules("main.ts", `lib/cli/commands/${command}.ts`);
    assert.ok(modules.has("lib/cli/connector.ts"), `${command} reaches the connector`);
    assert.deepEqual(simulatorOrUsb(modules), [], command);
  }
});

Deno.test("--version and --help load neither a command nor the chip database", async () => {
  const modules = await startupModules("main.ts");
  assert.ok(modules.has("lib/cli/main.ts"));
  assert.equal(modules.has("lib/chips/database.ts"), false);
  assert.deepEqual([...modules].filter((m) => m.startsWith("lib/cli/commands/")), []);
});

Deno.test("serial_port.ts imports the POSIX and Windows implementations only when a port is opened", async () => {
  const modules = await startupModules("lib/transport/serial/serial_port.ts");
  assert.equal(modules.has("lib/transport/serial/posix_port.ts"), false);
  assert.equal(modules.has("lib/transport/serial/windows_port.ts"), false);
});

Deno.test("run and validate load yaml as ES modules, not the CommonJS build behind npm:yaml", async () => {
  for (const command of ["run", "validate"]) {
    const modules = await startupModules("main.ts", `lib/cli/commands/${command}.ts`);
    assert.ok(modules.has("node_modules/yaml/browser/index.js"), command);
    assert.deepEqual([...modules].filter((m) => m.startsWith("npm:yaml")), [], command);
  }
});

Deno.test("run loads no production-store module at start-up; no command loads the PostgreSQL client", async () => {
  const run = await startupModules("main.ts", "lib/cli/commands/run.ts");
  assert.deepEqual(
    [...run].filter((m) =>
      m.startsWith("lib/production/") && m !== "lib/production/redact.ts" && m !== "lib/production/store_retry.ts"
    ),
    [],
  );
  for (const command of ["run", "station", "records"]) {
    const modules = await startupModules("main.ts", `lib/cli/commands/${command}.ts`);
    const postgres = [...modules].filter((m) => m === "lib/production/postgres_driver.ts" || m.startsWith("npm:pg"));
    assert.deepEqual(postgres, [], command);
  }
});
