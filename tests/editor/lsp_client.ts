/**
 * A minimal Language Server Protocol client over stdio (Content-Length framed JSON-RPC 2.0), enough to drive
 * yaml-language-server the way an editor does: initialize, configure schemas, open documents, wait for their
 * diagnostics, ask for completion and hover. Every wait is bounded and waits for the specific message, never a sleep.
 *
 * @module
 */

/** A JSON-RPC message as the server sends it. */
interface Message {
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

/** An LSP diagnostic (the fields the tests read). */
export interface Diagnostic {
  /** Where, zero-based. */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  /** The message shown in the editor. */
  message: string;
  /** 1 error, 2 warning, 3 information, 4 hint. */
  severity?: number;
}

/** An LSP completion item (the fields the tests read). */
export interface CompletionItem {
  /** What the list shows. */
  label: string;
  /** Shown beside the label. */
  detail?: string;
  /** Shown when the item is selected. */
  documentation?: string | { kind: string; value: string };
  /** What is inserted. */
  insertText?: string;
  /** Kind number (10 property, 12 value...). */
  kind?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** How long any one answer may take before the test fails rather than hangs. */
const ANSWER_TIMEOUT_MS = 15_000;

/** yaml-language-server, started from this repository's node_modules, and a client for it. */
export class YamlLanguageServer {
  #process: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #nextId = 1;
  #pending = new Map<number, { resolve(message: Message): void }>();
  #diagnostics = new Map<string, { version: number | undefined; diagnostics: Diagnostic[] }>();
  #diagnosticWaiters: Array<{ uri: string; version: number; resolve(d: Diagnostic[]): void }> = [];
  #versions = new Map<string, number>();
  #reading: Promise<void>;
  #stderr: Promise<string>;
  #closed = false;
  #settings: Record<string, unknown> = {};
  #configured: () => void = () => {};
  /** Set once a wait failed or the server exited: later calls fail at once instead of waiting out their bound. */
  #broken: Error | undefined;
  #exited: Promise<never>;

  private constructor(child: Deno.ChildProcess) {
    this.#process = child;
    this.#writer = child.stdin.getWriter();
    this.#reading = this.#readLoop();
    this.#stderr = new Response(child.stderr).text();
    this.#exited = child.status.then(async (status) => {
      if (!this.#closed) {
        this.#broken = new Error(`yaml-language-server exited (${status.code}): ${await this.#stderr}`);
      }
      throw this.#broken ?? new Error("yaml-language-server was shut down");
    });
    this.#exited.catch(() => {}); // observed by every wait through #bounded
  }

  /** Waits for `promise` at most ANSWER_TIMEOUT_MS, and not past the server's exit. */
  async #bounded<T>(promise: Promise<T>, what: string): Promise<T> {
    if (this.#broken) throw this.#broken;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#broken = new Error(`LSP: no ${what} within ${ANSWER_TIMEOUT_MS} ms`);
        reject(this.#broken);
      }, ANSWER_TIMEOUT_MS);
    });
    try {
      return await Promise.race([promise, timeout, this.#exited]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Starts the server (Node.js runs it, as in an editor) and initializes it with `schemas` (schema URL → globs). */
  static async start(root: URL, schemas: Record<string, string[]>): Promise<YamlLanguageServer> {
    const server = new URL("node_modules/yaml-language-server/bin/yaml-language-server", root);
    const child = new Deno.Command("node", {
      args: [server.pathname, "--stdio"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const client = new YamlLanguageServer(child);
    await client.request("initialize", {
      processId: null,
      rootUri: root.href,
      capabilities: {
        textDocument: {
          completion: { completionItem: { documentationFormat: ["markdown", "plaintext"], snippetSupport: true } },
          hover: { contentFormat: ["markdown", "plaintext"] },
          publishDiagnostics: { versionSupport: true },
        },
        workspace: { configuration: false },
      },
    });
    client.#settings = { validate: true, completion: true, hover: true, schemaStore: { enable: false }, schemas };
    // The server pulls its settings (workspace/configuration) when told they changed; documents opened before it
    // has them would be checked against no schema, so wait until it has asked and been answered.
    const configured = new Promise<void>((resolve) => client.#configured = resolve);
    await client.notify("initialized", {});
    await client.notify("workspace/didChangeConfiguration", { settings: { yaml: client.#settings } });
    await client.#bounded(configured, "workspace/configuration request");
    return client;
  }

  async #send(message: Record<string, unknown>): Promise<void> {
    // One write per message: answers to the server's requests are sent from the read loop while the test sends
    // its own messages, and two writes could interleave with another message's.
    const body = encoder.encode(JSON.stringify({ jsonrpc: "2.0", ...message }));
    const header = encoder.encode(`Content-Length: ${body.length}\r\n\r\n`);
    const frame = new Uint8Array(header.length + body.length);
    frame.set(header);
    frame.set(body, header.length);
    await this.#writer.write(frame);
  }

  async #readLoop(): Promise<void> {
    let buffer = new Uint8Array(0);
    for await (const chunk of this.#process.stdout) {
      const joined = new Uint8Array(buffer.length + chunk.length);
      joined.set(buffer);
      joined.set(chunk, buffer.length);
      buffer = joined;
      for (;;) {
        const headerEnd = findHeaderEnd(buffer);
        if (headerEnd < 0) break;
        const header = decoder.decode(buffer.subarray(0, headerEnd));
        const length = Number(/Content-Length: *(\d+)/i.exec(header)?.[1]);
        if (!Number.isFinite(length)) throw new Error(`LSP: a header without Content-Length: ${header}`);
        const start = headerEnd + 4;
        if (buffer.length < start + length) break;
        const message = JSON.parse(decoder.decode(buffer.subarray(start, start + length))) as Message;
        buffer = buffer.slice(start + length);
        await this.#dispatch(message);
      }
    }
  }

  async #dispatch(message: Message): Promise<void> {
    if (Deno.env.get("LSP_DEBUG")) console.error("<-", JSON.stringify(message).slice(0, 600));
    if (message.method !== undefined && message.id !== undefined) {
      // A request from the server (workspace/configuration, client/registerCapability...): answer it plainly.
      // workspace/configuration asks for the settings by section; only `yaml` has any.
      const result = message.method === "workspace/configuration"
        ? ((message.params as { items: Array<{ section?: string }> }).items ?? []).map((item) =>
          item.section === "yaml" ? this.#settings : {}
        )
        : null;
      await this.#send({ id: message.id, result });
      if (message.method === "workspace/configuration") this.#configured();
      return;
    }
    if (message.method === "textDocument/publishDiagnostics") {
      const params = message.params as { uri: string; version?: number; diagnostics: Diagnostic[] };
      this.#diagnostics.set(params.uri, { version: params.version, diagnostics: params.diagnostics });
      this.#diagnosticWaiters = this.#diagnosticWaiters.filter((waiter) => {
        if (waiter.uri !== params.uri || (params.version !== undefined && params.version < waiter.version)) {
          return true;
        }
        waiter.resolve(params.diagnostics);
        return false;
      });
      return;
    }
    if (typeof message.id === "number") {
      this.#pending.get(message.id)?.resolve(message);
      this.#pending.delete(message.id);
    }
  }

  /** Sends a request and returns its result; fails on an error answer or after a bounded wait. */
  async request<T = unknown>(method: string, params: unknown): Promise<T> {
    const id = this.#nextId++;
    const answer = new Promise<Message>((resolve) => this.#pending.set(id, { resolve }));
    await this.#send({ id, method, params });
    const message = await this.#bounded(answer, `${method} answered`);
    if (message.error) throw new Error(`LSP ${method}: ${message.error.message}`);
    return message.result as T;
  }

  /** Sends a notification. */
  async notify(method: string, params: unknown): Promise<void> {
    await this.#send({ method, params });
  }

  /** Opens (or replaces) a document and waits for the diagnostics of that version. */
  async open(uri: string, text: string): Promise<Diagnostic[]> {
    const previous = this.#versions.get(uri);
    const version = (previous ?? 0) + 1;
    this.#versions.set(uri, version);
    const published = new Promise<Diagnostic[]>((resolve) => this.#diagnosticWaiters.push({ uri, version, resolve }));
    if (previous === undefined) {
      await this.notify("textDocument/didOpen", { textDocument: { uri, languageId: "yaml", version, text } });
    } else {
      await this.notify("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
    }
    return await this.#bounded(published, `diagnostics for ${uri}`);
  }

  /** Completion items at a zero-based position. */
  async completion(uri: string, line: number, character: number): Promise<CompletionItem[]> {
    const result = await this.request<{ items: CompletionItem[] } | CompletionItem[] | null>(
      "textDocument/completion",
      { textDocument: { uri }, position: { line, character } },
    );
    return result === null ? [] : Array.isArray(result) ? result : result.items;
  }

  /** Hover text at a zero-based position ("" when none). */
  async hover(uri: string, line: number, character: number): Promise<string> {
    const result = await this.request<
      { contents: string | { value: string } | Array<string | { value: string }> } | null
    >(
      "textDocument/hover",
      { textDocument: { uri }, position: { line, character } },
    );
    if (!result) return "";
    const contents = Array.isArray(result.contents) ? result.contents : [result.contents];
    return contents.map((c) => typeof c === "string" ? c : c.value).join("\n");
  }

  /** Shuts the server down and waits for it to exit (killed if it does not within the bound). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.request("shutdown", null);
      await this.notify("exit", null);
      await this.#writer.close();
    } catch {
      // The server is already gone; killing below is what matters.
    }
    const timer = setTimeout(() => {
      try {
        this.#process.kill("SIGKILL");
      } catch { /* exited meanwhile */ }
    }, 5_000);
    await this.#process.status;
    clearTimeout(timer);
    await this.#reading.catch(() => {});
    await this.#stderr;
  }
}

function findHeaderEnd(buffer: Uint8Array): number {
  for (let i = 0; i + 3 < buffer.length; i++) {
    if (buffer[i] === 13 && buffer[i + 1] === 10 && buffer[i + 2] === 13 && buffer[i + 3] === 10) return i;
  }
  return -1;
}
