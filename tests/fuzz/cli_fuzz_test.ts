/**
 * Seeded random command lines, in process (with captured output) for speed: every one ends with exit 0, 1 or 2,
 * never a trace or an internal fault, and exit 2 only when no device was contacted. Commands that serve or loop
 * until stopped (`sim`, `station`) and those that open real ports or USB devices are left out: a command line of
 * this corpus reaches only simulated boards, and writes only into a temporary folder (the working directory
 * during the test). See tests/fuzz/mutate.ts for seeds and sizes.
 */
import assert from "node:assert/strict";
import { copy } from "./copy.ts";
import { assertWellBehaved, FUZZ_SEED, fuzzCases, Random } from "./mutate.ts";
import { runCli } from "../helpers/cli.ts";
import { deviceContacted } from "../../lib/cli/device_contact.ts";

const RECIPES = new URL("../../recipes/", import.meta.url);
const FIRMWARE = new URL("../fixtures/firmware/", import.meta.url);
const CASES = fuzzCases(150);

const COMMANDS = ["run", "validate", "image", "convert", "schema", "info", "read", "write", "help", "nope", ""];
const OPTIONS = [
  "--simulate",
  "--set",
  "--json",
  "--quiet",
  "-q",
  "--yes",
  "--confirm-permanent",
  "--output",
  "-o",
  "--address",
  "--length",
  "--format",
  "--help",
  "--debug",
  "--",
  "-",
  "--nope",
  "--simulate=stm32f103c8",
];

Deno.test(`fuzz: ${CASES} command lines`, async () => {
  const dir = await Deno.makeTempDir({ prefix: "flashrecipe-fuzz-" });
  // Relative outputs (`convert IN OUT`, `read -o OUT`) land in the temporary folder, not in the repository.
  const cwd = Deno.cwd();
  Deno.chdir(dir);
  try {
    await copy(RECIPES, dir);
    await copy(FIRMWARE, dir);
    await Deno.mkdir(`${dir}/folder.bin`);
    // A FIFO with no writer would block a plain open forever: the guarded reader must refuse it unopened.
    const fifo = await new Deno.Command("mkfifo", { args: [`${dir}/fifo.hex`] }).output();
    assert.equal(fifo.code, 0, "mkfifo");
    const values = [
      "stm32f103c8",
      "stm32f405rg",
      "stm32l433rc",
      "stm32f103rc",
      "stm32f999",
      `${dir}/demo.yaml`,
      `${dir}/production-f103.yaml`,
      `${dir}/feather-f405-dfu.yaml`,
      `${dir}/blinky.hex`,
      `${dir}/blinky.elf`,
      `${dir}/blinky.bin`,
      `${dir}/blinky.dfu`,
      `${dir}/folder.bin`,
      `${dir}/fifo.hex`,
      "/dev/zero",
      `${dir}/missing/out.bin`,
      `${dir}/out.hex`,
      `${dir}/blinky.hex/out.bin`,
      `${dir}/a\nb.bin`,
      "firmware=x.hex",
      "firmwre=new.bin",
      "toString=1",
      "=",
      "x",
      "0x08000000",
      "0xFFFFFFFF",
      "99999999999",
      "firmware=99999999999999999999",
      "-1",
      "0",
      "16",
      "hex",
      "elf",
      "",
    ];
    for (let n = 0; n < CASES; n++) {
      const seed = FUZZ_SEED * 1_000_003 + 900_000 + n;
      const random = new Random(seed);
      const argv = [random.pick(COMMANDS)];
      const count = random.below(7);
      for (let i = 0; i < count; i++) argv.push(random.below(2) === 0 ? random.pick(OPTIONS) : random.pick(values));
      // Only simulated boards: a command that would pick a real port or USB device gets --simulate.
      if (["run", "info", "read", "write"].includes(argv[0]) && !argv.some((a) => a.startsWith("--simulate"))) {
        argv.push("--simulate", random.pick(["stm32f103c8", "stm32f405rg"]));
      }
      const context = `argv ${JSON.stringify(argv)}, seed ${seed} (FUZZ_SEED=${FUZZ_SEED}, case ${n})`;
      const result = await runCli(...argv);
      assertWellBehaved(result, context);
      if (result.code === 2) assert.equal(deviceContacted(), false, `exit 2 after contact: ${context}`);
    }
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});
