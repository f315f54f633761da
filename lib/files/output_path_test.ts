import assert from "node:assert/strict";
import { assertWritableOutput, outputPathProblem, writeOutputFile } from "./output_path.ts";
import { InputError } from "../errors.ts";

Deno.test("a new file in an existing folder, or an existing file, is writable", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await outputPathProblem(`${dir}/new.bin`), undefined);
    await Deno.writeTextFile(`${dir}/old.bin`, "x");
    assert.equal(await outputPathProblem(`${dir}/old.bin`), undefined);
    // Nothing was created by looking.
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["old.bin"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a folder, a missing folder and a path through a file are problems", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file`, "x");
    assert.equal(await outputPathProblem(dir), "it is a folder");
    assert.match((await outputPathProblem(`${dir}/missing/out.bin`))!, /its folder '.*\/missing' does not exist/);
    assert.match((await outputPathProblem(`${dir}/file/out.bin`))!, /'.*\/file' is a regular file, not a folder/);
    assert.match((await outputPathProblem(`${dir}/file/deeper/out.bin`))!, /is a file, not a folder/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a device or FIFO is not an output file",
  ignore: Deno.build.os === "windows",
  async fn() {
    assert.equal(await outputPathProblem("/dev/zero"), "it is a character device");
  },
});

Deno.test("assertWritableOutput throws E_FILE (exit 2) naming the path", async () => {
  await assert.rejects(
    () => assertWritableOutput("/nonexistent-folder/out.hex", "the output file"),
    (error: unknown) =>
      error instanceof InputError && error.code === "E_FILE" &&
      /cannot write the output file '\/nonexistent-folder\/out.hex': its folder '\/nonexistent-folder' does not exist/
        .test(error.message),
  );
});

Deno.test("writeOutputFile writes, or fails with one E_FILE line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeOutputFile(`${dir}/a.bin`, new Uint8Array([1, 2]));
    assert.deepEqual(await Deno.readFile(`${dir}/a.bin`), new Uint8Array([1, 2]));
    await assert.rejects(
      () => writeOutputFile(`${dir}/gone/a.bin`, new Uint8Array(1), "the output file"),
      (error: unknown) =>
        error instanceof InputError && error.code === "E_FILE" &&
        /^cannot write the output file '.*gone\/a\.bin': no such file$/.test(error.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
