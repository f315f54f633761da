/**
 * Listing serial ports (Linux from sysfs, Windows from the registry and SetupAPI), choosing one by path or USB
 * identity, and printing the list for the `ports` subcommand.
 *
 * Linux: every terminal is a directory in `/sys/class/tty`; only those with a `device` link are hardware.
 * That link leads into `/sys/devices`, and walking up its parents finds the USB interface
 * (`bInterfaceNumber`) and the USB device (`idVendor`, `idProduct`, `serial`, `manufacturer`, `product`)
 * (Documentation/ABI/stable/sysfs-bus-usb). Built-in 8250 UART slots that have no chip report `type` 0
 * (PORT_UNKNOWN, include/uapi/linux/serial_core.h) and are left out.
 *
 * Windows: `windows_list_ports.ts` reads the COM names from `HKLM\HARDWARE\DEVICEMAP\SERIALCOMM` and the USB
 * identity of each from SetupAPI, into the same {@linkcode SerialPortInfo} shape, so `target.match` works alike.
 *
 * macOS listing is not implemented: there, name the port directly (`/dev/cu.usbserial-*`); the ports show in
 * `ls /dev/cu.*`.
 *
 * @module
 */

import { DeviceError, InputError } from "../../errors.ts";

/** One serial port found on the system. */
export interface SerialPortInfo {
  /** Device path to open, e.g. `/dev/ttyUSB0` or `COM3`. */
  path: string;
  /**
   * Driver: on Linux the kernel driver (`cp210x`, `ch341-uart`, `cdc_acm`, `serial`), on Windows the driver
   * service (`FTDIBUS`, `usbser`, `silabser`); empty when none is bound or known.
   */
  driver: string;
  /** USB vendor ID. */
  vid?: number;
  /** USB product ID. */
  pid?: number;
  /** USB serial number string. */
  serialNumber?: string;
  /** USB manufacturer string. */
  manufacturer?: string;
  /** USB product string. */
  product?: string;
  /** USB interface number (multi-port adapters have one per port). */
  interfaceNumber?: number;
  /** USB topology name of the device, e.g. `1-2.3` (bus 1, port 2, hub port 3). */
  location?: string;
}

/** What {@linkcode selectSerialPort} looks for; fields left out match anything. */
export interface SerialPortMatch {
  /** Exact device path. */
  path?: string;
  /** USB vendor ID. */
  vid?: number;
  /** USB product ID. */
  pid?: number;
  /** USB serial number. */
  serial?: string;
}

/** Drivers of serial-core's own `ctrl`/`port` devices (drivers/tty/serial/serial_base_bus.c); look past them. */
const SERIAL_BASE_DRIVERS = new Set(["port", "ctrl"]);

/**
 * Lists the serial ports the system knows, sorted by path (Windows: by COM number). `sysRoot`/`devRoot` exist for
 * tests that build a sysfs fixture tree (given them, the sysfs walk runs on any OS); on systems other than Linux
 * and Windows the list is empty.
 */
export async function listSerialPorts(sysRoot?: string, devRoot = "/dev"): Promise<SerialPortInfo[]> {
  if (sysRoot === undefined && Deno.build.os === "windows") {
    const { listWindowsSerialPorts } = await import("./windows_list_ports.ts");
    return listWindowsSerialPorts();
  }
  sysRoot ??= "/sys";
  const classDir = `${sysRoot}/class/tty`;
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(classDir));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  const root = await Deno.realPath(sysRoot);
  const ports: SerialPortInfo[] = [];
  for (const entry of entries) {
    const info = await describeTty(root, `${classDir}/${entry.name}`, `${devRoot}/${entry.name}`);
    if (info) ports.push(info);
  }
  return ports.sort((a, b) => a.path.localeCompare(b.path, "en", { numeric: true }));
}

async function describeTty(root: string, ttyDir: string, path: string): Promise<SerialPortInfo | undefined> {
  let deviceDir: string;
  try {
    deviceDir = await Deno.realPath(`${ttyDir}/device`);
  } catch (error) {
    // Virtual terminals, ptmx, console: no device behind them.
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  if ((await readAttribute(ttyDir, "type")) === "0") return undefined;

  const info: SerialPortInfo = { path, driver: "" };
  for (let dir = deviceDir; dir.startsWith(root) && dir !== root; dir = parentOf(dir)) {
    if (info.interfaceNumber === undefined) {
      const number = await readAttribute(dir, "bInterfaceNumber");
      if (number !== undefined) info.interfaceNumber = parseInt(number, 16);
    }
    const vendor = await readAttribute(dir, "idVendor");
    if (vendor !== undefined) {
      info.vid = parseInt(vendor, 16);
      const product = await readAttribute(dir, "idProduct");
      if (product !== undefined) info.pid = parseInt(product, 16);
      info.serialNumber = await readAttribute(dir, "serial");
      info.manufacturer = await readAttribute(dir, "manufacturer");
      info.product = await readAttribute(dir, "product");
      info.location = dir.slice(dir.lastIndexOf("/") + 1);
      break; // the USB device's own driver ("usb") says nothing about the port
    }
    if (!info.driver) {
      const driver = await driverOf(dir);
      if (driver && !SERIAL_BASE_DRIVERS.has(driver)) info.driver = driver;
    }
  }
  for (const key of Object.keys(info) as (keyof SerialPortInfo)[]) {
    if (info[key] === undefined) delete info[key];
  }
  return info;
}

function parentOf(dir: string): string {
  const slash = dir.lastIndexOf("/");
  return slash <= 0 ? "/" : dir.slice(0, slash);
}

async function driverOf(dir: string): Promise<string | undefined> {
  try {
    const target = await Deno.readLink(`${dir}/driver`);
    return target.slice(target.lastIndexOf("/") + 1);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** A sysfs attribute's text without the trailing newline, or undefined when the file is absent. */
async function readAttribute(dir: string, name: string): Promise<string | undefined> {
  try {
    return (await Deno.readTextFile(`${dir}/${name}`)).trim();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** `0483:5740` */
export function formatUsbId(vid: number, pid: number): string {
  return `${hex4(vid)}:${hex4(pid)}`;
}

function hex4(value: number): string {
  return value.toString(16).padStart(4, "0");
}

function describe(port: SerialPortInfo): string {
  const usb = port.vid !== undefined && port.pid !== undefined ? ` ${formatUsbId(port.vid, port.pid)}` : "";
  const serial = port.serialNumber ? ` serial ${port.serialNumber}` : "";
  const name = [port.manufacturer, port.product].filter(Boolean).join(" ");
  return `${port.path}${usb}${serial}${name ? ` (${name})` : ""}`;
}

/**
 * Picks one port. With only a `path`, that path is used even when the list does not show it (a
 * pseudo-terminal or a symlink such as /dev/serial/by-id/...); opening it then reports whether it exists.
 * USB criteria filter the list. With no criteria, the USB ports are the candidates when there are any,
 * else all ports. Exactly one candidate must remain: none is a `DeviceError` `E_PORT_NOT_FOUND`, several an
 * `InputError` `E_PORT_AMBIGUOUS`; both list what is there.
 */
export function selectSerialPort(ports: readonly SerialPortInfo[], match: SerialPortMatch = {}): SerialPortInfo {
  const byUsb = match.vid !== undefined || match.pid !== undefined || match.serial !== undefined;
  if (match.path !== undefined && !byUsb) {
    return ports.find((port) => port.path === match.path) ?? { path: match.path, driver: "" };
  }
  let candidates = ports.filter((port) =>
    (match.path === undefined || port.path === match.path) &&
    (match.vid === undefined || port.vid === match.vid) &&
    (match.pid === undefined || port.pid === match.pid) &&
    (match.serial === undefined || port.serialNumber === match.serial)
  );
  if (!byUsb && match.path === undefined) {
    const usb = candidates.filter((port) => port.vid !== undefined);
    if (usb.length > 0) candidates = usb;
  }
  if (candidates.length === 1) return candidates[0];
  const wanted = describeMatch(match);
  if (candidates.length === 0) {
    const present = ports.length === 0 ? "no serial ports are present" : `present: ${ports.map(describe).join("; ")}`;
    return failNone(wanted, present);
  }
  throw new InputError(
    "E_PORT_AMBIGUOUS",
    `${candidates.length} serial ports match ${wanted}: ${candidates.map(describe).join("; ")}`,
    { hint: "name one with --port <path>, or narrow down by USB serial number (--serial)" },
  );
}

function failNone(wanted: string, present: string): never {
  throw new DeviceError("E_PORT_NOT_FOUND", `no serial port matches ${wanted} (${present})`, {
    hint: "check that the adapter is plugged in; `flashrecipe ports` lists the ports present",
  });
}

function describeMatch(match: SerialPortMatch): string {
  const parts: string[] = [];
  if (match.path !== undefined) parts.push(`path ${match.path}`);
  if (match.vid !== undefined) parts.push(`vid ${hex4(match.vid)}`);
  if (match.pid !== undefined) parts.push(`pid ${hex4(match.pid)}`);
  if (match.serial !== undefined) parts.push(`serial ${match.serial}`);
  return parts.length > 0 ? parts.join(", ") : "any port";
}

/** The `ports` subcommand's table: one line per port, columns aligned, or a note when there are none. */
export function formatPortList(ports: readonly SerialPortInfo[]): string {
  if (ports.length === 0) {
    return "no serial ports found (is the adapter plugged in? on Windows check Device Manager, " +
      "'Ports (COM & LPT)'; on macOS name a /dev/cu.* port)\n";
  }
  const rows = ports.map((port) => [
    port.path,
    port.vid !== undefined && port.pid !== undefined ? formatUsbId(port.vid, port.pid) : "-",
    port.driver || "-",
    port.serialNumber ?? "-",
    [port.manufacturer, port.product].filter(Boolean).join(" ") ||
    (port.vid === undefined ? "built-in or non-USB serial port" : "-"),
  ]);
  const header = ["PORT", "VID:PID", "DRIVER", "SERIAL", "DESCRIPTION"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}
