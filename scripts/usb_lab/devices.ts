/**
 * Registry of simulated devices the lab CLI (`scripts/usb_lab/main.ts --device NAME`) can plug in. Add an
 * entry per device model; the DfuSe chip simulators register here under their chip names (e.g. `stm32f405rg`).
 *
 * @module
 */

import type { SimulatedUsbDevice } from "../../lib/transport/usb/control.ts";
import { DFUSE_PART_NAMES, DFUSE_PARTS } from "../../lib/sim/dfuse/parts.ts";
import type { FaultSpec } from "../../lib/sim/faults.ts";
import { createLabDfuseChip } from "./dfuse_devices.ts";
import type { UsbLab } from "./lab.ts";
import { MinimalDfuDevice, VendorTestDevice } from "./test_devices.ts";

/** Options the CLI passes to a device factory. */
export interface LabDeviceOptions {
  /** `--flash-file PATH`: a file holding the simulated flash contents (meaning is up to the device). */
  flashFile?: string;
  /** `--serial TEXT`: the serial number string. */
  serial?: string;
  /** `--fault SPEC` (repeatable): faults a chip simulator commits (lib/sim/faults.ts). */
  faults?: FaultSpec[];
}

/** A simulated device with an optional hook run when the lab shuts down (e.g. to save flash contents). */
export interface LabDeviceInstance extends SimulatedUsbDevice {
  /** Called once after the command in the lab has finished. */
  shutdown?(): Promise<void>;
  /** Called once the lab has started (and after the device is plugged in), e.g. to re-plug after resets. */
  attach?(lab: UsbLab): void;
  /** Plugs the device in later (e.g. when an application jumps to its bootloader); needs `attach` first. */
  plugIn?(): Promise<void>;
}

/** One registry entry. */
export interface LabDeviceEntry {
  /** One line for `--list-devices`. */
  description: string;
  /** Builds a fresh device. */
  create(options: LabDeviceOptions): LabDeviceInstance | Promise<LabDeviceInstance>;
}

/** The devices the lab CLI knows, by name. */
export const LAB_DEVICES: Record<string, LabDeviceEntry> = {
  "vendor-test": {
    description: "1209:0001 vendor-class test device (echo memory, two named alternate settings)",
    create: (options) => new VendorTestDevice(options.serial),
  },
  "dfu-minimal": {
    description: "0483:df11 DFU-mode device that only reports dfuIDLE (listing tests)",
    create: (options) => new MinimalDfuDevice({ serial: options.serial }),
  },
  ...Object.fromEntries(DFUSE_PART_NAMES.map((part) => [part, {
    description: `${DFUSE_PARTS[part].usb.vendorId.toString(16).padStart(4, "0")}:` +
      `${DFUSE_PARTS[part].usb.productId.toString(16)} ${part.toUpperCase()} DfuSe ROM bootloader ` +
      "(--flash-file persists the flash)",
    create: (options: LabDeviceOptions) =>
      createLabDfuseChip(part, { flashFile: options.flashFile, faults: options.faults }),
  }])),
};

/** Looks up a registry entry; `undefined` when the name is unknown. */
export function labDevice(name: string): LabDeviceEntry | undefined {
  return Object.hasOwn(LAB_DEVICES, name) ? LAB_DEVICES[name] : undefined;
}
