/** Steps against the simulated F103: wiring, protection, option bytes, read, serial numbers. */
import assert from "node:assert/strict";
import { runCli, runSimulatedStation, tempFiles } from "../helpers/cli.ts";
import { loadImageFile } from "../../lib/image/load.ts";

const HEX = await Deno.readTextFile(new URL("../../recipes/firmware/blinky.hex", import.meta.url));

function recipe(steps: string, target = "{ chip: stm32f103c8 }"): string {
  return `version: 1\nname: test\ntarget: ${target}\nsteps:\n${steps}`;
}

async function withFiles(files: Record<string, string>, fn: (dir: string) => Promise<void>) {
  const dir = await tempFiles({ "fw.hex": HEX, ...files });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const WIRED = "{ chip: stm32f103c8, wiring: { reset: dtr, boot0: rts, boot0Inverted: true } }";

Deno.test("enter-boot derived from the wiring starts the bootloader; leave-boot runs the application", async () => {
  await withFiles({
    "recipe.yaml": recipe(
      "  - enter-boot: { reset-pulse: 1ms, startup: 1ms }\n  - connect\n  - leave-boot: { startup: 1ms }\n",
      WIRED,
    ),
  }, async (dir) => {
    const result = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /enter-boot reset into the bootloader \(DTR\+ RTS\+, 1 ms, DTR- RTS\+, 1 ms\)/);
    assert.match(result.stdout, /leave-boot reset into the application \(DTR\+ RTS-/);
  });
});

Deno.test("a wrong-polarity sequence fails in simulation as on the bench, saying why", async () => {
  // RTS drives BOOT0 through an inverting transistor, so BOOT0 is high only while RTS is ASSERTED.
  // This sequence releases RTS: BOOT0 is low when NRST is released, and the application starts.
  const sequence = "[ { dtr: true, rts: false }, { delay: 1ms }, { dtr: false }, { delay: 1ms } ]";
  await withFiles({
    "recipe.yaml": recipe(
      `  - enter-boot: { sequence: ${sequence} }\n  - connect: { retries: 2 }\n  - erase: all\n`,
      WIRED,
    ),
  }, async (dir) => {
    const result = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8");
    assert.equal(result.code, 1);
    assert.match(result.stderr, /E_NO_RESPONSE/);
    assert.match(result.stderr, /running its application: BOOT0 was low when NRST was released/);
    assert.doesNotMatch(result.stdout, /erase/);
  });
});

Deno.test("a wired board without enter-boot is running its application: connect fails", async () => {
  await withFiles({ "recipe.yaml": recipe("  - connect: { retries: 1 }\n", WIRED) }, async (dir) => {
    const result = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8");
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no response from target/);
  });
});

Deno.test("enter-boot without wiring or a sequence is a validation error", async () => {
  await withFiles({ "recipe.yaml": recipe("  - enter-boot\n  - connect\n") }, async (dir) => {
    const result = await runCli("validate", `${dir}/recipe.yaml`);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /recipe\.yaml:5:5: enter-boot needs the board's wiring or an explicit sequence/);
  });
});

Deno.test("option-bytes: set a field by name, read back by the tool after the reset", async () => {
  await withFiles({
    "recipe.yaml": recipe(
      "  - connect\n  - option-bytes: { set: { WDG_SW: 0, Data0: 0x42 } }\n  - option-bytes: read\n",
    ),
  }, async (dir) => {
    const result = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /set WDG_SW=0, Data0=66; the chip reset/);
    assert.match(result.stdout, /RDP=0xa5 WDG_SW=0x0 .*Data0=0x42/);
  });
});

Deno.test("option-bytes: a field the family does not have, with a suggestion", async () => {
  await withFiles({ "recipe.yaml": recipe("  - connect\n  - option-bytes: { set: { WDGSW: 1 } }\n") }, async (dir) => {
    const result = await runCli("validate", `${dir}/recipe.yaml`);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /recipe\.yaml:6:28: the F1 family has no option field 'WDGSW' \(did you mean 'WDG_SW'\?\)/,
    );
  });
});

Deno.test("RDP level 2 needs allow-permanent in the recipe and --confirm-permanent on the command line", async () => {
  const target = "{ chip: stm32f405rg }";
  await withFiles({
    "a.yaml": recipe("  - connect\n  - option-bytes: { set: { RDP: 0xCC } }\n", target),
    "b.yaml": recipe("  - connect\n  - option-bytes: { set: { RDP: 0xCC }, allow-permanent: true }\n", target),
  }, async (dir) => {
    const a = await runCli("validate", `${dir}/a.yaml`);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /E_PERMANENT|RDP level 2 is permanent/);
    assert.match(a.stderr, /allow-permanent: true/);
    const b = await runCli("validate", `${dir}/b.yaml`);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /run with --confirm-permanent/);
    const confirmed = await runCli("run", `${dir}/b.yaml`, "--confirm-permanent", "--simulate", "stm32f999");
    assert.equal(confirmed.code, 2); // unknown simulated chip: refused before anything else
  });
});

Deno.test("protect read, then unprotect read erases the flash; read saves a region to a file", async () => {
  await withFiles({
    "recipe.yaml": recipe(
      "  - connect\n  - erase: needed\n  - write: { file: fw.hex }\n  - read: { address: 0x08000000, length: 1024, file: out.hex }\n" +
        "  - protect: { read: true }\n  - unprotect: read\n  - read: { address: 0x08000000, length: 16, file: after.bin }\n",
    ),
  }, async (dir) => {
    const result = await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8");
    assert.equal(result.code, 0, result.stderr);
    const written = await loadImageFile(`${dir}/fw.hex`);
    const saved = await loadImageFile(`${dir}/out.hex`);
    assert.deepEqual(saved.slice(0x0800_0000, 1024), written.slice(0x0800_0000, 1024));
    assert.deepEqual(await Deno.readFile(`${dir}/after.bin`), new Uint8Array(16).fill(0xff));
    assert.match(result.stdout, /read protection removed \(flash erased\)/);
  });
});

Deno.test("serial-number from --set, encoded as BCD, and one that does not fit", async () => {
  const steps = (value: string) =>
    `  - connect\n  - erase: { address: 0x0800FC00, length: 1024 }\n` +
    `  - serial-number: { address: 0x0800FC00, encoding: bcd, length: 2, value: "${value}" }\n` +
    `  - read: { address: 0x0800FC00, length: 4, file: sn.bin }\n`;
  await withFiles({ "ok.yaml": recipe(steps("${serial}")), "big.yaml": recipe(steps("12345")) }, async (dir) => {
    const ok = await runCli("run", `${dir}/ok.yaml`, "--simulate", "stm32f103c8", "--set", "serial=1234");
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(await Deno.readFile(`${dir}/sn.bin`), new Uint8Array([0x12, 0x34, 0xff, 0xff]));
    const big = await runCli("validate", `${dir}/big.yaml`);
    assert.equal(big.code, 2);
    assert.match(
      big.stderr,
      /recipe\.yaml|big\.yaml:7:\d+: the serial number does not fit its field: 12345 has 5 digits/,
    );
  });
});

/** The records of the SQLite store at `db`, through `flashrecipe records`. */
async function storedRecords(db: string): Promise<Record<string, unknown>[]> {
  const out = await runCli("records", "--db", db, "--format", "jsonl");
  assert.equal(out.code, 0, out.stderr);
  return out.stdout === "" ? [] : out.stdout.split("\n").map((line) => JSON.parse(line));
}

Deno.test("counter serial numbers come from the store, bound to the board: flashed again, a board keeps its number", async () => {
  const steps = (extra: string) =>
    `  - connect\n  - erase: { address: 0x0800FC00, length: 1024 }\n` +
    `  - serial-number: { address: 0x0800FC00, encoding: u32le, counter: { name: sn, start: 500 } }\n${extra}`;
  await withFiles({
    "pass.yaml": recipe(steps("")),
    "fail.yaml": recipe(steps('  - prompt: "label fitted?"\n')), // nobody can answer (no terminal): the run fails
  }, async (dir) => {
    const db = `${dir}/line.db`;
    // `run --simulate` is the same simulated chip (one unique ID) every time: the same board flashed again.
    const first = await runCli("run", `${dir}/pass.yaml`, "--simulate", "stm32f103c8", "--db", db);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /serial number 500 /);
    const failed = await runCli("run", `${dir}/fail.yaml`, "--simulate", "stm32f103c8", "--db", db);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /this board already holds serial 500; writing it again/);
    assert.match(failed.stdout, /serial number 500 /);
    // Three new boards (a station's simulated boards each have their own unique ID), the last one failing.
    const station = await runSimulatedStation(`${dir}/pass.yaml`, { boards: 3, db, log: `${dir}/log.csv` }, "-q");
    assert.equal(station.code, 0, station.stderr);
    const records = await storedRecords(db);
    assert.deepEqual(records.map((r) => [r.serial_number, r.counter, r.result]), [
      ["500", "sn", "PASS"],
      ["500", "sn", "FAIL"],
      ["501", "sn", "PASS"],
      ["502", "sn", "PASS"],
      ["503", "sn", "PASS"],
    ]);
    assert.equal(records[0].board_uid, records[1].board_uid);
    assert.equal(new Set(records.map((r) => r.board_uid)).size, 4);
    assert.match(await Deno.readTextFile(`${dir}/log.csv`), /,501,/, "the flat log carries the number too");
  });
});

Deno.test("a dry run never touches production data: --simulate without --db uses a throwaway store", async () => {
  const steps = `  - connect\n  - erase: { address: 0x0800FC00, length: 1024 }\n` +
    `  - serial-number: { address: 0x0800FC00, encoding: u32le, counter: { name: sn, start: 900 } }\n`;
  await withFiles({ "r.yaml": recipe(steps) }, async (dir) => {
    const production = `${dir}/flashrecipe-station.db`;
    const previous = Deno.env.get("FLASHRECIPE_DB");
    Deno.env.set("FLASHRECIPE_DB", production);
    try {
      for (let i = 0; i < 2; i++) {
        const dry = await runCli("run", `${dir}/r.yaml`, "--simulate", "stm32f103c8");
        assert.equal(dry.code, 0, dry.stderr);
        assert.match(dry.stdout, /serial number 900 /, "every dry run starts from the recipe's start");
      }
      await assert.rejects(Deno.stat(production), Deno.errors.NotFound);
    } finally {
      if (previous === undefined) Deno.env.delete("FLASHRECIPE_DB");
      else Deno.env.set("FLASHRECIPE_DB", previous);
    }
  });
});

Deno.test("a counter file (the old text-file counter) is a recipe error saying what replaced it", async () => {
  const steps = `  - connect\n  - serial-number: { address: 0x0800FC00, encoding: u32le, counter: { file: sn.txt } }\n`;
  await withFiles({ "old.yaml": recipe(steps) }, async (dir) => {
    const result = await runCli("validate", `${dir}/old.yaml`);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /old\.yaml:6:\d+: counter files are replaced by named counters/);
    assert.match(result.stderr, /counter: \{ name: board-sn, start: N \}/);
  });
});

Deno.test("a run killed after its serial number was issued: the number is never issued again, the record is marked", async () => {
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const steps = `  - connect\n  - erase: { address: 0x0800FC00, length: 1024 }\n` +
    `  - serial-number: { address: 0x0800FC00, encoding: u32le, counter: { name: sn, start: 700 } }\n` +
    `  - log: issued\n  - delay: 30s\n`;
  await withFiles(
    { "slow.yaml": recipe(steps), "quick.yaml": recipe(steps.replace("  - delay: 30s\n", "")) },
    async (dir) => {
      const db = `${dir}/line.db`;
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", main, "run", `${dir}/slow.yaml`, "--simulate", "stm32f103c8", "--db", db],
        stdout: "piped",
        stderr: "null",
      }).spawn();
      // Wait until the number has been issued, then kill the process outright.
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let seen = "";
      while (!seen.includes("issued")) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += value;
      }
      child.kill("SIGKILL");
      await child.status;
      await reader.cancel();
      assert.match(seen, /serial number 700/);
      const next = await runCli("run", `${dir}/quick.yaml`, "--simulate", "stm32f103c8", "--db", db);
      assert.equal(next.code, 0, next.stderr);
      // The same simulated chip again: it gets its own number back, and the killed run's record is marked.
      assert.match(next.stdout, /serial number 700 /);
      assert.match(next.stderr, /warning: record 1 \(board [0-9a-f]{24}, serial 700\) was in progress .*INTERRUPTED/);
      const records = await storedRecords(db);
      assert.deepEqual(records.map((r) => [r.serial_number, r.result, r.error_code]), [
        ["700", "INTERRUPTED", "E_INTERRUPTED"],
        ["700", "PASS", ""],
      ]);
      assert.equal(records[0].board_uid, records[1].board_uid);
    },
  );
});
