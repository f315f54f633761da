/**
 * The simulated device's end of a pseudo-terminal as a {@linkcode ByteStream}: what `sim usart` serves the
 * bootloader on. A UART receiver only makes sense of frames in the format it expects, so bytes that arrive while
 * the host has not put the port in raw 8-bit mode (a terminal left in canonical mode, echo, 7-bit characters) are
 * dropped like line noise instead of being taken as commands. Linux keeps no parity on a pty (drivers/tty/pty.c
 * clears PARENB), so parity can be neither required nor checked here.
 *
 * @module
 */

import { type ByteStream, ReadTimeoutError, StreamClosedError } from "../transport/byte_stream.ts";
import type { PseudoTerminal } from "../transport/serial/pty.ts";
import type { TermiosSummary } from "../transport/serial/termios.ts";

/** Options of {@linkcode PtyDeviceLink}. */
export interface PtyDeviceLinkOptions {
  /** Called when received bytes are dropped because the port is not raw 8-bit. */
  onDrop?: (count: number, settings: TermiosSummary) => void;
}

/** The device side of a pseudo-terminal, accepting bytes only while the host's port is raw 8-bit. */
export class PtyDeviceLink implements ByteStream {
  readonly #pty: PseudoTerminal;
  readonly #onDrop?: (count: number, settings: TermiosSummary) => void;
  #buffer = new Uint8Array(0);
  #closed = false;

  constructor(pty: PseudoTerminal, options: PtyDeviceLinkOptions = {}) {
    this.#pty = pty;
    this.#onDrop = options.onDrop;
  }

  /** Whether the host's settings let bytes through: raw mode and 8 data bits. */
  accepting(): boolean {
    const settings = this.#pty.slaveSettings();
    return settings.raw && settings.dataBits === 8;
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.#closed) throw new StreamClosedError("pseudo-terminal");
    await this.#pty.master.write(data);
  }

  async read(length: number, timeoutMs: number): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    while (this.#buffer.length < length) {
      if (this.#closed) throw new StreamClosedError("pseudo-terminal");
      const left = deadline - Date.now();
      if (left <= 0) throw new ReadTimeoutError(length, this.#buffer.length, timeoutMs);
      const ready = await this.#pty.master.waitReadable(left);
      if (this.#closed) throw new StreamClosedError("pseudo-terminal");
      if (!ready) continue;
      const chunk = this.#pty.master.readAvailable();
      if (chunk.length === 0) continue;
      const settings = this.#pty.slaveSettings();
      if (!settings.raw || settings.dataBits !== 8) {
        this.#onDrop?.(chunk.length, settings);
        continue;
      }
      const joined = new Uint8Array(this.#buffer.length + chunk.length);
      joined.set(this.#buffer);
      joined.set(chunk, this.#buffer.length);
      this.#buffer = joined;
    }
    const out = this.#buffer.slice(0, length);
    this.#buffer = this.#buffer.slice(length);
    return out;
  }

  async discardInput(): Promise<void> {
    this.#buffer = new Uint8Array(0);
    await this.#pty.master.discardInput();
  }

  /** Marks the link closed; the pseudo-terminal itself is closed by its owner. */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }
}
