/**
 * The DfuSe bootloader simulators (`lib/sim/dfuse`) as lab devices: `--chip stm32f405rg` / `--chip stm32l433rc`.
 *
 * - `--flash-file PATH`: the main flash is loaded from PATH at start (a missing file means erased flash) and
 *   saved back when the lab shuts down.
 * - `--fault SPEC` (repeatable, lib/sim/faults.ts text form): faults the bootloader commits, e.g.
 *   `skip-write@write:occurrence=3`, `hang-up@erase`, `slow-erase@read-unprotect:ms=8000`. A `hang-up` or
 *   `reset` drops the device off the bus; it comes back like a reset one.
 * - Resets: after an option-byte write or a read-unprotect the bootloader resets, so the device leaves the bus
 *   and comes back on the same port with a new address, as a real one re-enumerates. After a DFU leave the
 *   chip runs its application: the DFU device leaves the bus and stays away (until something, e.g. the CDC
 *   application model, plugs it in again with {@linkcode LabDfuseChip.plugIn}).
 *
 * @module
 */

import type { ControlReply, SimulatedUsbDevice, UsbSetup } from "../../lib/transport/usb/control.ts";
import { layoutSize, parseMemoryLayout } from "../../lib/protocol/dfu/memory_layout.ts";
import {
  createDfuseSimulator,
  type DfuseResetReason,
  type DfuseSimulator,
} from "../../lib/sim/dfuse/dfuse_simulator.ts";
import { loadFlashFile, saveFlashFile } from "../../lib/sim/dfuse/flash_file.ts";
import { DFUSE_PARTS, type DfusePartName } from "../../lib/sim/dfuse/parts.ts";
import type { FaultSpec } from "../../lib/sim/faults.ts";
import type { UsbLab } from "./lab.ts";

/** How long a resetting bootloader stays off the bus before it enumerates again (a USB reset is ~10-50 ms). */
const RE_ENUMERATION_MS = 50;

/** Options of {@linkcode createLabDfuseChip}. */
export interface LabDfuseChipOptions {
  /** Flash file to load now and save at {@linkcode LabDfuseChip.shutdown}. */
  flashFile?: string;
  /** Faults the bootloader commits (lib/sim/faults.ts; DfuSe points and kinds in lib/sim/dfuse/faults.ts). */
  faults?: readonly FaultSpec[];
}

/** A DfuSe simulator plugged into a lab, re-plugging itself after resets. */
export class LabDfuseChip implements SimulatedUsbDevice {
  /** The simulated bootloader. */
  readonly simulator: DfuseSimulator;
  /** Resets seen, by reason, in order. */
  readonly resets: DfuseResetReason[] = [];
  readonly #flashFile?: string;
  #lab: UsbLab | undefined;
  #port: string | undefined;
  #plugging: Promise<void> = Promise.resolve();

  constructor(
    part: DfusePartName,
    flash: Uint8Array | undefined,
    flashFile: string | undefined,
    faults: readonly FaultSpec[] = [],
  ) {
    this.#flashFile = flashFile;
    this.simulator = createDfuseSimulator(part, { flash, faults, onReset: (reason) => this.#onReset(reason) });
  }

  descriptors(): Uint8Array {
    return this.simulator.descriptors();
  }

  strings(): ReadonlyMap<number, string> {
    return this.simulator.strings();
  }

  handleControl(setup: UsbSetup, data: Uint8Array): Promise<ControlReply> {
    return this.simulator.handleControl(setup, data);
  }

  setAlternateSetting(interfaceNumber: number, alternateSetting: number): void {
    this.simulator.setAlternateSetting(interfaceNumber, alternateSetting);
  }

  /** Lets the device re-plug itself in `lab` after resets (call once it is plugged in, or before plugIn). */
  attach(lab: UsbLab): void {
    this.#lab = lab;
    this.#port = lab.devices.find((p) => p.device === this)?.port ?? this.#port;
  }

  /** True while the device is on the lab's bus. */
  get plugged(): boolean {
    return this.#lab?.devices.some((p) => p.device === this) ?? false;
  }

  /** Plugs the bootloader in (e.g. when the application jumps to it); resolves once it is on the bus. */
  plugIn(): Promise<void> {
    this.#plugging = this.#plugging.then(async () => {
      const lab = this.#lab;
      if (!lab || this.plugged) return;
      const plugged = await lab.addDevice(this, this.#port ? { port: this.#port } : {});
      this.#port = plugged.port;
    });
    return this.#plugging;
  }

  /** Waits for pending re-plugging, then saves the flash file (if any). */
  async shutdown(): Promise<void> {
    await this.#plugging.catch(() => undefined);
    if (this.#flashFile) await saveFlashFile(this.#flashFile, this.simulator.flash);
  }

  #onReset(reason: DfuseResetReason): void {
    this.resets.push(reason);
    const lab = this.#lab;
    if (!lab) return;
    this.#plugging = this.#plugging.then(async () => {
      if (this.plugged) await lab.removeDevice(this);
      if (reason === "leave") return;
      await new Promise((resolve) => setTimeout(resolve, RE_ENUMERATION_MS));
      const plugged = await lab.addDevice(this, this.#port ? { port: this.#port } : {});
      this.#port = plugged.port;
    }).catch((error) => {
      console.error(`usb lab: re-plugging the ${this.simulator.profile.part} after ${reason} failed:`, error);
    });
  }
}

/** Creates a lab DfuSe chip, loading its flash from `options.flashFile` when that file exists. */
export async function createLabDfuseChip(
  part: DfusePartName,
  options: LabDfuseChipOptions = {},
): Promise<LabDfuseChip> {
  const profile = DFUSE_PARTS[part];
  const flashSize = layoutSize(parseMemoryLayout(profile.alternates[0]));
  const flash = options.flashFile ? await loadFlashFile(options.flashFile, flashSize) : undefined;
  return new LabDfuseChip(part, flash, options.flashFile, options.faults);
}
