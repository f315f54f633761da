/**
 * Runs a command inside the virtual USB lab with simulated devices plugged in, and exits with its exit code.
 *
 * ```
 * deno run -A scripts/usb_lab/main.ts --device NAME [--device NAME2] [--flash-file PATH] [--serial S] -- COMMAND ARGS...
 * deno run -A scripts/usb_lab/main.ts --chip stm32f405rg -- dfu-util -l
 * deno run -A scripts/usb_lab/main.ts --list-devices
 * ```
 *
 * `--cdc PATH` starts the board in its application instead: PATH (a symlink to a pseudo-terminal) is the
 * application's CDC port; when it receives 0xAA the first device (the chip's DFU bootloader) is plugged in.
 *
 * `--fault SPEC` (repeatable) makes a chip simulator commit a fault (lib/sim/faults.ts text form, DfuSe points and
 * kinds in lib/sim/dfuse/faults.ts), e.g. `--fault skip-write@write:occurrence=2`.
 *
 * `--chip` is the same as `--device` (chip simulators register under their chip names). Linux only; needs
 * umockdev, gir1.2-umockdev-1.0 and python3-gi. `USB_LAB_DEBUG=1` shows the bridge's diagnostics.
 *
 * @module
 */

import { LAB_DEVICES, labDevice, type LabDeviceInstance, type LabDeviceOptions } from "./devices.ts";
import { startUsbLab, UsbLabError } from "./lab.ts";
import { parseFaultSpec } from "../../lib/sim/faults.ts";
import { type LabCdcApplication, startLabCdcApplication } from "./cdc.ts";

const USAGE = "usage: main.ts (--device NAME | --chip NAME)... [--flash-file PATH] [--serial S] [--cdc PATH]" +
  " [--fault SPEC]..." +
  " -- COMMAND ARGS...\n" +
  "       main.ts --list-devices";

/** Parsed command line. */
export interface LabCommandLine {
  /** Device names in plug-in order. */
  devices: string[];
  /** Options for every device factory. */
  options: LabDeviceOptions;
  /** Command and its arguments (empty with --list-devices). */
  command: string[];
  /** `--list-devices` was given. */
  list: boolean;
  /** `--cdc PATH`: start in the application, with its CDC port at PATH. */
  cdc?: string;
}

/** Parses the lab command line; throws `Error` with the usage on mistakes. */
export function parseLabCommandLine(args: string[]): LabCommandLine {
  const parsed: LabCommandLine = { devices: [], options: {}, command: [], list: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const next = args[++i];
      if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === "--") {
      parsed.command = args.slice(i + 1);
      break;
    } else if (arg === "--device" || arg === "--chip") parsed.devices.push(value());
    else if (arg === "--flash-file") parsed.options.flashFile = value();
    else if (arg === "--serial") parsed.options.serial = value();
    else if (arg === "--fault") (parsed.options.faults ??= []).push(parseFaultSpec(value(), "--fault"));
    else if (arg === "--list-devices") parsed.list = true;
    else if (arg === "--cdc") parsed.cdc = value();
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  if (!parsed.list && (parsed.devices.length === 0 || parsed.command.length === 0)) {
    throw new Error(`give at least one --device and a command after --\n${USAGE}`);
  }
  return parsed;
}

async function main(args: string[]): Promise<number> {
  let commandLine: LabCommandLine;
  try {
    commandLine = parseLabCommandLine(args);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  if (commandLine.list) {
    for (const [name, entry] of Object.entries(LAB_DEVICES)) console.log(`${name.padEnd(16)} ${entry.description}`);
    return 0;
  }
  const devices: LabDeviceInstance[] = [];
  for (const name of commandLine.devices) {
    const entry = labDevice(name);
    if (!entry) {
      console.error(`unknown lab device '${name}'; known: ${Object.keys(LAB_DEVICES).join(", ")}`);
      return 2;
    }
    devices.push(await entry.create(commandLine.options));
  }
  let lab;
  // With --cdc the first device (the DFU bootloader) appears only when the application jumps to it.
  const [first, ...others] = devices;
  try {
    lab = await startUsbLab({ devices: commandLine.cdc !== undefined ? others : devices });
  } catch (error) {
    if (error instanceof UsbLabError) {
      console.error(error.message);
      return 3;
    }
    throw error;
  }
  for (const device of devices) device.attach?.(lab);
  let cdc: LabCdcApplication | undefined;
  try {
    if (commandLine.cdc !== undefined) {
      const started = lab;
      cdc = startLabCdcApplication({
        link: commandLine.cdc,
        onJump: async () => {
          if (first.plugIn) await first.plugIn();
          else await started.addDevice(first);
        },
      });
    }
    const [command, ...rest] = commandLine.command;
    return await lab.run(command, rest);
  } finally {
    await cdc?.close();
    await lab.close();
    for (const device of devices) await device.shutdown?.();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
