/**
 * `usb`: list the USB devices libusb sees; for DFU interfaces (class 0xFE, subclass 0x01, DFU 1.1 §4.2.1) also
 * their alternate settings and, for DfuSe bootloaders, the memory layout each setting's name encodes
 * (AN3156 §4). `--json` prints one JSON document.
 *
 * @module
 */

import type { CommandSpec } from "../command.ts";
import { type MemoryLayout, MemoryLayoutError, parseMemoryLayout } from "../../protocol/dfu/memory_layout.ts";
import { listUsbDevices, type UsbDeviceInfo } from "../../transport/usb/libusb.ts";
import { matchesSelector, parseUsbSelector } from "../../transport/usb/selector.ts";
import { formatVidPid } from "../../transport/usb/usb_errors.ts";

const DFU_CLASS = 0xfe; // application specific (DFU 1.1 §4.2.1 Table 4.1)
const DFU_SUBCLASS = 0x01;

/** One alternate setting of a DFU interface, as `usb` reports it. */
export interface DfuSettingReport {
  /** Interface number. */
  interface: number;
  /** Alternate setting number. */
  alternateSetting: number;
  /** 1 = DFU run-time, 2 = DFU mode. */
  protocol: number;
  /** The setting's name (iInterface string), when readable. */
  name?: string;
  /** The DfuSe memory layout the name encodes. */
  layout?: MemoryLayout;
  /** Why the name is not a DfuSe layout. */
  layoutError?: string;
}

/** One device, as `usb` reports it. */
export interface UsbDeviceReport {
  /** `1-2.3`. */
  portPath: string;
  /** `0483:df11`. */
  id: string;
  /** Bus number. */
  busNumber: number;
  /** Device address. */
  deviceAddress: number;
  /** Manufacturer string. */
  manufacturer?: string;
  /** Product string. */
  product?: string;
  /** Serial number string. */
  serialNumber?: string;
  /** Why strings are missing (e.g. LIBUSB_ERROR_ACCESS). */
  openError?: string;
  /** DFU alternate settings (empty for other devices). */
  dfu: DfuSettingReport[];
}

/** Builds the report of one listed device. */
export function usbDeviceReport(info: UsbDeviceInfo): UsbDeviceReport {
  const dfu: DfuSettingReport[] = [];
  for (const configuration of info.configurations) {
    for (const iface of configuration.interfaces) {
      for (const setting of iface.alternateSettings) {
        if (setting.bInterfaceClass !== DFU_CLASS || setting.bInterfaceSubClass !== DFU_SUBCLASS) continue;
        const entry: DfuSettingReport = {
          interface: setting.bInterfaceNumber,
          alternateSetting: setting.bAlternateSetting,
          protocol: setting.bInterfaceProtocol,
          name: setting.name,
        };
        if (setting.name !== undefined) {
          try {
            entry.layout = parseMemoryLayout(setting.name);
          } catch (error) {
            if (!(error instanceof MemoryLayoutError)) throw error;
            entry.layoutError = error.message;
          }
        }
        dfu.push(entry);
      }
    }
  }
  return {
    portPath: info.portPath,
    id: formatVidPid(info.idVendor, info.idProduct),
    busNumber: info.busNumber,
    deviceAddress: info.deviceAddress,
    manufacturer: info.manufacturer,
    product: info.product,
    serialNumber: info.serialNumber,
    openError: info.openError,
    dfu,
  };
}

function size(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

/** The text listing: one line per device, then its DFU settings and their segments. */
export function formatUsbReport(devices: readonly UsbDeviceReport[]): string {
  if (devices.length === 0) return "no USB devices found";
  const lines: string[] = [];
  for (const device of devices) {
    const product = [device.manufacturer, device.product].filter(Boolean).map((s) => `"${s}"`).join(" ");
    const serial = device.serialNumber ? ` serial ${device.serialNumber}` : "";
    const unreadable = device.openError ? ` (strings unreadable: ${device.openError})` : "";
    lines.push(`${device.portPath.padEnd(8)} ${device.id} ${product}${serial}${unreadable}`.trimEnd());
    for (const setting of device.dfu) {
      const mode = setting.protocol === 2 ? "DFU mode" : setting.protocol === 1 ? "DFU run-time" : "DFU";
      lines.push(`    ${mode} interface ${setting.interface} alt ${setting.alternateSetting}: ${setting.name ?? "?"}`);
      for (const segment of setting.layout?.segments ?? []) {
        const access = `${segment.readable ? "r" : "-"}${segment.erasable ? "e" : "-"}${segment.writable ? "w" : "-"}`;
        const end = segment.start + segment.count * segment.pageSize - 1;
        lines.push(
          `        ${hex32(segment.start)}-${hex32(end)}  ${segment.count} x ${size(segment.pageSize)}  ${access}`,
        );
      }
      if (setting.layoutError) lines.push(`        (not a DfuSe layout: ${setting.layoutError})`);
    }
  }
  return lines.join("\n");
}

/** The `usb` command. */
export const usbCommand: CommandSpec = {
  name: "usb",
  summary: "list USB devices, with the alternate settings and memory layouts of DFU devices",
  usage: "usb [--usb VID:PID] [--json]",
  description: "Needs libusb-1.0 (Linux: libusb-1.0-0; macOS: brew install libusb; Windows: libusb-1.0.dll\n" +
    "beside flashrecipe.exe, and the WinUSB driver bound to the DFU device, e.g. with Zadig).",
  options: [
    {
      name: "usb",
      type: "string",
      valueName: "VID:PID",
      description: "only devices matching (vid:pid, 1-2.3, serial)",
    },
    { name: "json", type: "boolean", description: "print one JSON document" },
  ],
  examples: [
    ["usb", "every USB device; DFU bootloaders with their memories"],
    ["usb --usb 0483:df11 --json", "the ST DFU bootloader, machine-readable"],
  ],
  async run(args, console) {
    const filter = args.options.usb as string | undefined;
    const selector = filter !== undefined ? parseUsbSelector(filter) : undefined;
    const devices = (await listUsbDevices())
      .filter((d) => selector === undefined || matchesSelector(d, selector))
      .map(usbDeviceReport);
    console.out(args.options.json ? JSON.stringify(devices, null, 2) : formatUsbReport(devices));
    return 0;
  },
};
