/**
 * A model of an STM32 application with a USB CDC (virtual COM port) that jumps to its ROM bootloader when the
 * host sends a trigger sequence (by common convention the single byte 0xAA). The application reads what the
 * host writes; on the trigger it stops reading and calls `onTrigger`, where the caller makes the DFU bootloader
 * appear (the virtual USB lab plugs in 0483:df11; the in-process simulation adds it to its simulated bus).
 *
 * The port it serves is anything that can wait for input and hand over what arrived: the master end of a
 * pseudo-terminal (`lib/transport/serial/pty.ts`) in the lab, or one end of an in-memory pipe in-process.
 *
 * @module
 */

/** What the application reads from: the device side of its CDC port. */
export interface CdcAppPort {
  /** Resolves once input is waiting or the port is closed (a pty master resolves `false` when closed). */
  waitReadable(): Promise<boolean | void>;
  /** Takes whatever input is waiting, possibly nothing. */
  readAvailable(): Uint8Array;
  /** True once the port is closed (in-memory pipes); pseudo-terminals report closing through `waitReadable`. */
  readonly closed?: boolean;
}

/** Options of {@linkcode CdcApplication}. */
export interface CdcApplicationOptions {
  /** The bytes that make the application jump to system memory; default `[0xAA]`. */
  trigger?: readonly number[];
  /** Called once the trigger has arrived: the application has left and the bootloader starts. */
  onTrigger(): void | Promise<void>;
}

/** The default trigger: one byte 0xAA. */
export const DEFAULT_CDC_TRIGGER: readonly number[] = [0xaa];

/** The application model. `run` serves a port until the trigger arrives or the port closes. */
export class CdcApplication {
  /** Every byte received, in order (for tests and diagnostics). */
  readonly received: number[] = [];
  /** True once the trigger arrived and the application jumped to the bootloader. */
  jumped = false;
  readonly #trigger: readonly number[];
  readonly #onTrigger: () => void | Promise<void>;

  constructor(options: CdcApplicationOptions) {
    this.#trigger = options.trigger ?? DEFAULT_CDC_TRIGGER;
    if (this.#trigger.length === 0) throw new RangeError("the trigger needs at least one byte");
    this.#onTrigger = options.onTrigger;
  }

  /**
   * Serves `port`: reads input until the trigger sequence has arrived (then calls `onTrigger` and resolves
   * `true`) or the port closes (resolves `false`).
   */
  async run(port: CdcAppPort): Promise<boolean> {
    while (true) {
      if ((await port.waitReadable()) === false) return false;
      const bytes = port.readAvailable();
      if (bytes.length === 0) {
        if (port.closed) return false;
        continue;
      }
      for (const byte of bytes) {
        this.received.push(byte);
        if (this.#matches()) {
          this.jumped = true;
          await this.#onTrigger();
          return true;
        }
      }
    }
  }

  #matches(): boolean {
    const n = this.#trigger.length;
    if (this.received.length < n) return false;
    const tail = this.received.slice(-n);
    return tail.every((byte, i) => byte === this.#trigger[i]);
  }
}
