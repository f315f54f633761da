/**
 * Boards on fixed adapters — a fixture whose serial port is always there, one board after another put on it — and
 * the round of a gang fixture: with `--manual` the technician presses Enter for each board (one slot) or for each
 * round of boards (every slot of a gang at once).
 *
 * A fixed adapter's port never goes away between boards, so waiting for it to go away (as for boards that bring their
 * own USB-serial chip, `portBoards`) would wait forever: the next board is the one on the fixture when
 * Enter is pressed.
 *
 * @module
 */

import type { Connector } from "../connector.ts";
import { sleep } from "./abortable.ts";
import { type BoardSource, type LineReader, pathExists } from "./board_source.ts";

/** Options of {@linkcode fixedPortBoards}. */
export interface FixedPortBoardsOptions {
  /** Polling period while the port is missing, ms (default 250). */
  pollMs?: number;
  /** Whether a path exists; `Deno.stat` by default. */
  exists?: (path: string) => Promise<boolean>;
  /** Opens the link to the board on `path`. */
  connect(path: string): Connector;
  /** Tells the technician what the station waits for. */
  notify(message: string): void;
}

/**
 * The board on a fixed adapter at `path`: every call connects to the port as it is (waiting only while the port is
 * missing, e.g. the adapter was unplugged). Meant behind a wait for the technician (`manualBoards` or a
 * {@linkcode RoundGate}), which says when the next board is on the fixture.
 */
export function fixedPortBoards(path: string, options: FixedPortBoardsOptions): BoardSource {
  const exists = options.exists ?? pathExists;
  const pollMs = options.pollMs ?? 250;
  return {
    description: `${path} (fixed adapter)`,
    async next(signal) {
      if (!await exists(path)) {
        options.notify(`plug the adapter in (waiting for ${path})`);
        while (!await exists(path)) {
          if (!await sleep(pollMs, signal)) return undefined;
        }
      }
      return signal.aborted ? undefined : options.connect(path);
    },
  };
}

/**
 * Rounds of a gang fixture: every slot's next board starts together. Once every slot waits for its next board, the
 * technician is asked to put the next boards on and press Enter; then all of them go. The end of input, or a stop
 * (the signal a slot waits with), ends the waiting of every slot; an error reading the input is every waiting slot's.
 */
export class RoundGate {
  readonly #slots: number;
  readonly #readLine: LineReader;
  readonly #prompt: (message: string) => void;
  readonly #waiting = new Set<(go: boolean | { error: unknown }) => void>();
  #ended = false;

  /** `slots` slots take part; `readLine` reads the technician's Enter; `prompt` asks for it. */
  constructor(slots: number, readLine: LineReader, prompt: (message: string) => void) {
    this.#slots = slots;
    this.#readLine = readLine;
    this.#prompt = prompt;
  }

  /** `source`, whose next board waits for the round. */
  wrap(source: BoardSource): BoardSource {
    return {
      description: `${source.description}, Enter for each round`,
      next: async (signal) => {
        if (!await this.#wait(signal)) return undefined;
        return await source.next(signal);
      },
    };
  }

  /** Resolves true when the round starts, false when input ended or `signal` aborted first. */
  #wait(signal: AbortSignal): Promise<boolean> {
    if (this.#ended || signal.aborted) return Promise.resolve(false);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#waiting.delete(settle);
        resolve(false);
      };
      const settle = (go: boolean | { error: unknown }) => {
        signal.removeEventListener("abort", onAbort);
        if (typeof go === "boolean") resolve(go);
        else reject(go.error);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiting.add(settle);
      if (this.#waiting.size === this.#slots) void this.#round(signal);
    });
  }

  async #round(signal: AbortSignal): Promise<void> {
    this.#prompt(`put the next ${this.#slots} boards on the fixture and press Enter (Ctrl-C to stop)`);
    let outcome: boolean | { error: unknown };
    try {
      outcome = await this.#readLine(signal) !== undefined;
    } catch (error) {
      outcome = { error };
    }
    if (outcome !== true) this.#ended = true;
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const settle of waiting) settle(outcome);
  }
}
