/**
 * Test-side driver of `lab_client.ts`: starts it inside a lab with the Deno that runs the tests and exchanges
 * JSON lines with it.
 *
 * @module
 */

import type { UsbLab } from "../../scripts/usb_lab/lab.ts";

/** The answer of one command. */
export type ClientAnswer =
  | { ok: unknown; error?: undefined }
  | { ok?: undefined; error: { name: string; code: string; message: string; hint?: string } };

/** A running lab_client.ts. */
export class LabClient {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: AsyncIterator<string>;
  #stderr: Promise<string>;

  /** Starts the client in `lab`; `extraEnv` adds environment variables (e.g. FLASHRECIPE_LIBUSB). */
  constructor(lab: UsbLab, extraEnv?: Record<string, string>) {
    const script = new URL("./lab_client.ts", import.meta.url).pathname;
    this.#child = lab.spawn(Deno.execPath(), ["run", "-A", "--quiet", script], extraEnv);
    this.#writer = this.#child.stdin.getWriter();
    this.#lines = lines(this.#child.stdout)[Symbol.asyncIterator]();
    this.#stderr = new Response(this.#child.stderr).text();
  }

  /** Sends one command and waits for its answer. */
  async send(command: Record<string, unknown>): Promise<ClientAnswer> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(command) + "\n"));
    const next = await this.#lines.next();
    if (next.done) {
      throw new Error(`lab client exited before answering ${JSON.stringify(command)}: ${await this.#stderr}`);
    }
    return JSON.parse(next.value) as ClientAnswer;
  }

  /** Sends a command that must succeed and returns its result. */
  async ok<T>(command: Record<string, unknown>): Promise<T> {
    const answer = await this.send(command);
    if (answer.error) throw new Error(`${command.op} failed: ${JSON.stringify(answer.error)}`);
    return answer.ok as T;
  }

  /** Ends the client and returns its exit code and stderr. */
  async close(): Promise<{ code: number; stderr: string }> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify({ op: "exit" }) + "\n"));
    await this.#writer.close();
    while (!(await this.#lines.next()).done) { /* drain */ }
    const status = await this.#child.status;
    return { code: status.code, stderr: await this.#stderr };
  }
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
    }
  }
  if (buffered) yield buffered;
}
