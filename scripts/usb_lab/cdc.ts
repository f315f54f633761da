/**
 * The application side of `jump-to-system-memory` in the lab: a pseudo-terminal stands for the application's
 * USB CDC port, served by the {@linkcode CdcApplication} model; when the trigger (0xAA) arrives, the chip's DFU
 * bootloader is plugged into the lab (an "add" uevent, as the real chip enumerates 0483:df11 after its jump).
 *
 * @module
 */

import { CdcApplication } from "../../lib/sim/cdc_app.ts";
import { openPseudoTerminal, type PseudoTerminal } from "../../lib/transport/serial/pty.ts";

/** A running CDC application model. */
export interface LabCdcApplication {
  /** The pseudo-terminal slave path host programs open as the CDC port. */
  readonly path: string;
  /** The application model (bytes received, whether it jumped). */
  readonly app: CdcApplication;
  /** Resolves `true` once the application jumped, `false` if the port closed first. */
  readonly done: Promise<boolean>;
  /** Closes the port and waits for the model to stop. */
  close(): Promise<void>;
}

/** Options of {@linkcode startLabCdcApplication}. */
export interface LabCdcOptions {
  /** Also link the port here (e.g. /tmp/ttyACM-lab), see `openPseudoTerminal`. */
  link?: string;
  /** Trigger bytes (default 0xAA). */
  trigger?: readonly number[];
  /** What the jump does: plug the DFU device in. */
  onJump(): Promise<void>;
}

/** Opens a pseudo-terminal and serves it with the application model. */
export function startLabCdcApplication(options: LabCdcOptions): LabCdcApplication {
  const pty: PseudoTerminal = openPseudoTerminal({ link: options.link });
  const app = new CdcApplication({ trigger: options.trigger, onTrigger: options.onJump });
  const done = app.run(pty.master);
  return {
    path: options.link ?? pty.path,
    app,
    done,
    async close() {
      await pty.close();
      await done;
    },
  };
}
