/**
 * The simulated board's NRST and BOOT0 pins as the adapter's DTR/RTS lines drive them through the board's wiring.
 * The chip samples BOOT0 when NRST is released (AN2606 §2): high starts the ROM bootloader, low the application.
 * A recipe whose line sequence gets the polarity wrong therefore fails here exactly as on the bench.
 *
 * @module
 */

import type { LineStates } from "../transport/byte_stream.ts";
import { type BoardWiring, pinLevel } from "../transport/board_wiring.ts";

/** What the chip is doing, as far as the pins decide. */
export type BootState = "bootloader" | "application" | "reset";

/** Receives boot decisions. */
export interface BootListener {
  /** NRST went low. */
  onReset(): void;
  /** NRST was released with BOOT0 at `boot0High`. */
  onStart(boot0High: boolean): void;
}

/** NRST/BOOT0 pin model of a board wired to DTR/RTS. */
export class BoardPins {
  readonly #wiring: BoardWiring;
  readonly #listener: BootListener;
  readonly #lines: Required<LineStates> = { dtr: false, rts: false, brk: false };
  #state: BootState;
  #history: string[] = [];

  /** Powers the board with all lines released. */
  constructor(wiring: BoardWiring, listener: BootListener) {
    this.#wiring = wiring;
    this.#listener = listener;
    this.#state = this.nrstHigh ? (this.boot0High ? "bootloader" : "application") : "reset";
  }

  /** What the chip runs now. */
  get state(): BootState {
    return this.#state;
  }

  /** Level of NRST. */
  get nrstHigh(): boolean {
    return pinLevel(this.#lines[this.#wiring.reset], this.#wiring.resetInverted);
  }

  /** Level of BOOT0 (a jumpered BOOT0 is taken as set high, the usual reason to leave it unwired). */
  get boot0High(): boolean {
    if (this.#wiring.boot0 === "none") return true;
    return pinLevel(this.#lines[this.#wiring.boot0], this.#wiring.boot0Inverted);
  }

  /** Applies new line states from the host. */
  setLines(lines: LineStates): void {
    const wasHigh = this.nrstHigh;
    for (const line of ["dtr", "rts", "brk"] as const) {
      const value = lines[line];
      if (value !== undefined) this.#lines[line] = value;
    }
    const isHigh = this.nrstHigh;
    this.#history.push(
      `DTR${this.#lines.dtr ? "+" : "-"} RTS${this.#lines.rts ? "+" : "-"} ` +
        `(NRST ${isHigh ? "high" : "low"}, BOOT0 ${this.boot0High ? "high" : "low"})`,
    );
    if (wasHigh && !isHigh) {
      this.#state = "reset";
      this.#listener.onReset();
    } else if (!wasHigh && isHigh) {
      this.#state = this.boot0High ? "bootloader" : "application";
      this.#listener.onStart(this.boot0High);
    }
  }

  /** Why the bootloader is (not) answering, for error messages. */
  explain(): string {
    const seen = this.#history.length ? `; lines seen: ${this.#history.slice(-4).join(" -> ")}` : "";
    switch (this.#state) {
      case "reset":
        return `the simulated chip is held in reset: NRST is low${seen}`;
      case "application":
        return `the simulated chip is running its application: BOOT0 was low when NRST was released${seen}`;
      case "bootloader":
        return `the simulated chip is in its bootloader${seen}`;
    }
  }
}
