/**
 * What the line tests run: a short recipe that draws a serial number from a counter, and station processes of the
 * real program on simulated boards.
 *
 * @module
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A recipe: connect, erase the serial page, write a counter serial number, then `extra` steps. */
export function counterRecipe(counter: string, start: number, extra = ""): string {
  return "version: 1\nname: line test\ntarget: { chip: stm32f103c8 }\nsteps:\n  - connect\n" +
    "  - erase: { address: 0x0800FC00, length: 1024 }\n" +
    `  - serial-number: { address: 0x0800FC00, encoding: u32le, counter: { name: ${counter}, start: ${start} } }\n` +
    extra;
}

/**
 * Starts `flashrecipe station RECIPE --simulate stm32f103c8 ARGS...` as its own process, in the recipe's folder
 * (so a default log or store lands there, never in the repository).
 */
export function spawnStation(recipe: string, args: string[], env: Record<string, string> = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    cwd: recipe.slice(0, recipe.lastIndexOf("/")),
    args: ["run", "-A", MAIN, "station", recipe, "--simulate", "stm32f103c8", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env,
  }).spawn();
}

/** Runs `flashrecipe ARGS...` as its own process; returns exit code and output. */
export async function runProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: result.code, stdout: decode(result.stdout), stderr: decode(result.stderr) };
}

/** The records of a store, through `flashrecipe records --format jsonl` in its own process. */
export async function recordsOf(db: string): Promise<Record<string, unknown>[]> {
  const out = await runProcess(["records", "--db", db, "--format", "jsonl"]);
  if (out.code !== 0) throw new Error(`records failed: ${out.stderr}`);
  return out.stdout.trim() === "" ? [] : out.stdout.trim().split("\n").map((line) => JSON.parse(line));
}

/** Reads a child's stream as text until `pattern` has appeared (or the stream ends); returns what was read. */
export async function readUntil(stream: ReadableStream<Uint8Array>, pattern: RegExp): Promise<{
  text: string;
  rest: ReadableStreamDefaultReader<string>;
}> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  return { text, rest: reader };
}

/**
 * Reads from `reader` until the last whole line read matches `pattern` — with output that then pauses (a delay
 * step), the process is at that line now, not at a line that sat in the pipe.
 */
export async function readUntilLastLine(reader: ReadableStreamDefaultReader<string>, pattern: RegExp): Promise<string> {
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += value;
    if (!text.endsWith("\n")) continue;
    const lines = text.slice(0, -1).split("\n");
    if (pattern.test(lines[lines.length - 1])) return text;
  }
}
