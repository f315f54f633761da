/**
 * Builds the demo firmware in `scripts/firmware/` with independent tools and writes the image fixtures:
 *
 * - `arm-none-eabi-gcc` → `tests/fixtures/firmware/blinky.elf`
 * - `arm-none-eabi-objcopy` → `blinky.hex` (Intel HEX), `blinky.srec` (S-records), `blinky.bin` (raw, gaps
 *   filled with 0xFF by `--gap-fill`)
 * - dfu-util's `dfuse-pack` → `blinky.dfu` (DfuSe: one target, one element per flash segment)
 * - dfu-util's `dfu-suffix` → `blinky_plain.dfu` (the .bin plus a DFU suffix, no addresses)
 * - a copy of the .hex as the demo image `recipes/firmware/blinky.hex`.
 *
 * Run: `npx deno run -A scripts/build_firmware.ts` (paths are taken from the repository root, wherever it is run
 * from). Needs the Debian packages
 * gcc-arm-none-eabi, binutils-arm-none-eabi and dfu-util.
 *
 * @module
 */

const SOURCE_DIR = "scripts/firmware";
const FIXTURE_DIR = "tests/fixtures/firmware";
const DEMO_DIR = "recipes/firmware";
/** Load addresses of the two flash segments, as placed by scripts/firmware/stm32f103c8.ld. */
const MAIN_ADDRESS = "0x08000000";
const TABLE_ADDRESS = "0x08004000";
/** The STM32 ROM bootloader's USB IDs in DFU mode (AN2606: VID 0x0483, PID 0xDF11). */
const USB_ID = { vendor: "0483", product: "df11" };

/** Runs a program, failing loudly with its stderr when it does not exit 0. */
async function run(program: string, args: string[], cwd?: string): Promise<void> {
  const { code, stderr, stdout } = await new Deno.Command(program, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (code !== 0) {
    const output = new TextDecoder().decode(stderr) + new TextDecoder().decode(stdout);
    throw new Error(`${program} ${args.join(" ")} exited with ${code}:\n${output}`);
  }
}

async function main(): Promise<void> {
  Deno.chdir(new URL("../", import.meta.url));
  const work = await Deno.makeTempDir({ prefix: "flashrecipe-firmware-" });
  try {
    const elf = `${FIXTURE_DIR}/blinky.elf`;
    await Deno.mkdir(FIXTURE_DIR, { recursive: true });
    await Deno.mkdir(DEMO_DIR, { recursive: true });
    await run("arm-none-eabi-gcc", [
      "-mcpu=cortex-m3",
      "-mthumb",
      "-Os",
      "-g0",
      "-ffreestanding",
      "-nostdlib",
      "-nostartfiles",
      "-Wall",
      "-Wextra",
      "-Werror",
      "-Wl,--build-id=none",
      `-Wl,-T,${SOURCE_DIR}/stm32f103c8.ld`,
      "-o",
      elf,
      `${SOURCE_DIR}/startup.c`,
      `${SOURCE_DIR}/main.c`,
    ]);
    await run("arm-none-eabi-objcopy", ["-O", "ihex", elf, `${FIXTURE_DIR}/blinky.hex`]);
    await run("arm-none-eabi-objcopy", ["-O", "srec", elf, `${FIXTURE_DIR}/blinky.srec`]);
    await run("arm-none-eabi-objcopy", ["-O", "binary", "--gap-fill", "0xff", elf, `${FIXTURE_DIR}/blinky.bin`]);

    // DfuSe: one element per flash segment, each from its own binary.
    const mainBin = `${work}/main.bin`;
    const tableBin = `${work}/table.bin`;
    await run("arm-none-eabi-objcopy", ["-O", "binary", "--remove-section", ".blink_table", elf, mainBin]);
    await run("arm-none-eabi-objcopy", ["-O", "binary", "--only-section", ".blink_table", elf, tableBin]);
    await run("dfuse-pack", [
      "-D",
      `0x${USB_ID.vendor}:0x${USB_ID.product}`,
      "-b",
      `${MAIN_ADDRESS}:${mainBin}`,
      "-b",
      `${TABLE_ADDRESS}:${tableBin}`,
      `${FIXTURE_DIR}/blinky.dfu`,
    ]);

    // Plain DFU: the gap-filled binary plus a suffix.
    const plain = `${FIXTURE_DIR}/blinky_plain.dfu`;
    await Deno.copyFile(`${FIXTURE_DIR}/blinky.bin`, plain);
    await run("dfu-suffix", ["-v", USB_ID.vendor, "-p", USB_ID.product, "-a", plain]);

    await Deno.copyFile(`${FIXTURE_DIR}/blinky.hex`, `${DEMO_DIR}/blinky.hex`);
    for (const name of ["blinky.elf", "blinky.hex", "blinky.srec", "blinky.bin", "blinky.dfu", "blinky_plain.dfu"]) {
      const { size } = await Deno.stat(`${FIXTURE_DIR}/${name}`);
      console.log(`${FIXTURE_DIR}/${name}: ${size} bytes`);
    }
    console.log(`${DEMO_DIR}/blinky.hex`);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

if (import.meta.main) await main();
