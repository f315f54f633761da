/** The re-flash optimisation in recipes: `erase: needed` leaves pages that already hold the image, `write` skips them. */
import assert from "node:assert/strict";
import { runCli, tempFiles } from "../helpers/cli.ts";

const HEX = await Deno.readTextFile(new URL("../../recipes/firmware/blinky.hex", import.meta.url));

async function run(steps: string) {
  const dir = await tempFiles({
    "fw.hex": HEX,
    "recipe.yaml": `version: 1\nname: reflash\ntarget: { chip: stm32f103c8 }\nsteps:\n${steps}`,
  });
  try {
    return await runCli("run", `${dir}/recipe.yaml`, "--simulate", "stm32f103c8");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const FLASH = "  - erase: needed\n  - write: { file: fw.hex }\n  - verify\n";

Deno.test("the same firmware twice in one run: the second pass neither erases nor writes, and verifies", async () => {
  const result = await run(`  - connect\n${FLASH}${FLASH}`);
  assert.equal(result.code, 0, result.stderr);
  const erases = [...result.stdout.matchAll(/erase +(.*)/g)].map((m) => m[1]);
  assert.match(erases[0], /^erased 2 page\(s\), 2048 bytes from 0x08000000 \(/);
  assert.match(erases[1], /^nothing to erase; 2 page\(s\) already held the image \(/);
  const writes = [...result.stdout.matchAll(/write +(wrote .*)/g)].map((m) => m[1]);
  assert.match(writes[1], /^wrote 0 bytes in 2 segment\(s\) from 0x08000000 \(\d+ bytes already in place\) \(/);
  const verifies = [...result.stdout.matchAll(/verify +(verified .*)/g)].map((m) => m[1]);
  assert.match(verifies[0], /^verified 340 bytes by read-back \(/);
  // The second pass's pages were compared byte for byte by `erase: needed` and nothing touched them since.
  // (verify checks every image written in the run; the same image written twice counts once.)
  assert.match(verifies[1], /^verified 340 bytes all in pages proven before \(unchanged, or read back as written\) \(/);
});

Deno.test("a protection change after `erase: needed` voids its proof: write and verify do the full work", async () => {
  const result = await run(
    `  - connect
${FLASH}  - erase: needed
  - unprotect: read
  - write: { file: fw.hex }
  - verify
`,
  );
  assert.equal(result.code, 0, result.stderr);
  const writes = [...result.stdout.matchAll(/write +(wrote .*)/g)].map((m) => m[1]);
  assert.doesNotMatch(writes[1], /already in place/);
  const verifies = [...result.stdout.matchAll(/verify +(verified .*)/g)].map((m) => m[1]);
  assert.match(verifies[1], /^verified 340 bytes by read-back \(/);
});

Deno.test("an erase between the passes forgets what was in place: everything is written again", async () => {
  const result = await run(
    `  - connect\n${FLASH}  - erase: needed\n  - erase: all\n  - write: { file: fw.hex }\n  - verify\n`,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /nothing to erase; 2 page\(s\) already held the image/);
  const writes = [...result.stdout.matchAll(/write +(wrote .*)/g)].map((m) => m[1]);
  assert.doesNotMatch(writes[1], /already in place/);
});
