/**
 * USB host access through libusb-1.0 under Deno FFI: list devices with their descriptors and strings, choose
 * one by `vid:pid`, serial number or port path, open it as a {@linkcode UsbControlDevice}, and wait for devices
 * to appear or go away (by polling: libusb has no hotplug on Windows).
 *
 * Control transfers call the synchronous `libusb_control_transfer` as a `nonblocking` FFI call, which runs it
 * on one of Deno's worker threads, so the event loop never waits on USB. libusb's synchronous API is thread-safe
 * (libusb docs, "Multi-threaded applications"); this module further keeps at most one operation per device
 * handle in flight and never closes a handle while a transfer on it runs.
 *
 * @module
 */

import type { UsbControlDevice, UsbSetup } from "./control.ts";
import {
  parseConfigurationDescriptor,
  parseDeviceDescriptor,
  type UsbConfiguration,
  type UsbDeviceDescriptor,
} from "./descriptors.ts";
import { controlTransferArguments, type Libusb, loadLibusb, type LoadLibusbOptions } from "./libusb_ffi.ts";
import { describeSelector, matchesSelector, type UsbSelector } from "./selector.ts";
import { formatVidPid, LIBUSB_ERROR, libusbErrorName, UsbError, usbErrorFromLibusb } from "./usb_errors.ts";

/** Everything known about one attached device. */
export interface UsbDeviceInfo {
  /** Bus number. */
  busNumber: number;
  /** Device address on its bus. */
  deviceAddress: number;
  /** Port numbers from the root hub down. */
  portNumbers: number[];
  /** `bus-port.port...`, e.g. `1-2.3` (the Linux sysfs name). */
  portPath: string;
  /** The device descriptor. */
  descriptor: UsbDeviceDescriptor;
  /** Vendor id (same as descriptor.idVendor). */
  idVendor: number;
  /** Product id (same as descriptor.idProduct). */
  idProduct: number;
  /** Manufacturer string, when the device could be opened. */
  manufacturer?: string;
  /** Product string, when the device could be opened. */
  product?: string;
  /** Serial number string, when the device could be opened. */
  serialNumber?: string;
  /** Why strings are missing (libusb error name), when opening failed. */
  openError?: string;
  /** Parsed configurations, alternate-setting names filled in when the device could be opened. */
  configurations: UsbConfiguration[];
}

/** Options for listing. */
export interface UsbListOptions extends LoadLibusbOptions {
  /** Open each device to read its strings (default true). */
  strings?: boolean;
  /** Timeout for each string request in ms (default 1000). */
  stringTimeoutMs?: number;
}

/**
 * A fresh libusb context. Every listing and every opened device gets its own: each enumeration then reads the
 * system's current device set instead of relying on hotplug events (absent on Windows, and lagging while a
 * device re-enumerates), and closing a device frees everything that belonged to it.
 */
function openContext(lib: Libusb): Deno.PointerObject {
  const out = new BigUint64Array(1);
  const result = lib.libusb_init(out);
  if (result < 0) throw usbErrorFromLibusb(result, "initialising libusb");
  const context = Deno.UnsafePointer.create(out[0]);
  if (context === null) throw usbErrorFromLibusb(LIBUSB_ERROR.OTHER, "initialising libusb");
  return context;
}

function pointerAt(view: Deno.UnsafePointerView, offset: number): Deno.PointerValue {
  return view.getPointer(offset);
}

function copyBytes(pointer: Deno.PointerValue, length: number): Uint8Array {
  if (pointer === null || length <= 0) return new Uint8Array(0);
  return new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(pointer, length)).slice();
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Layouts of the libusb.h structs read through pointers, on 64-bit targets (8-byte pointers, 4-byte int; the same
 * on LP64 and LLP64). Each starts with the descriptor's wire bytes as on the bus. Checked against libusb.h by
 * `lib/transport/ffi_layouts_test.ts` where the header is installed.
 */
export const LIBUSB_LAYOUT = {
  /** struct libusb_config_descriptor */
  config: { wireBytes: 9, bNumInterfaces: 4, interface: 16, extra: 24, extra_length: 32 },
  /** struct libusb_interface */
  interface: { altsetting: 0, num_altsetting: 8, size: 16 },
  /** struct libusb_interface_descriptor */
  interfaceDescriptor: { wireBytes: 9, bNumEndpoints: 4, endpoint: 16, extra: 24, extra_length: 32, size: 40 },
  /** struct libusb_endpoint_descriptor: up to 9 wire bytes (bRefresh, bSynchAddress of audio endpoints). */
  endpoint: { wireBytes: 9, extra: 16, extra_length: 24, size: 32 },
  /** struct libusb_device_descriptor: the 18 wire bytes, host byte order for the 16-bit fields. */
  deviceDescriptor: { size: 18 },
} as const;

/** Rebuilds the raw configuration descriptor from libusb's parsed struct (which keeps unknown ones as "extra"). */
function rawConfiguration(config: Deno.PointerObject): Uint8Array {
  const L = LIBUSB_LAYOUT;
  const view = new Deno.UnsafePointerView(config);
  const parts: Uint8Array[] = [
    copyBytes(config, L.config.wireBytes),
    copyBytes(pointerAt(view, L.config.extra), view.getInt32(L.config.extra_length)),
  ];
  const interfaces = pointerAt(view, L.config.interface);
  const interfaceCount = view.getUint8(L.config.bNumInterfaces);
  for (let i = 0; interfaces !== null && i < interfaceCount; i++) {
    const iface = new Deno.UnsafePointerView(interfaces);
    const settings = pointerAt(iface, i * L.interface.size + L.interface.altsetting);
    const settingCount = iface.getInt32(i * L.interface.size + L.interface.num_altsetting);
    for (let a = 0; settings !== null && a < settingCount; a++) {
      const setting = new Deno.UnsafePointerView(settings);
      const D = L.interfaceDescriptor;
      const base = a * D.size;
      parts.push(new Uint8Array(setting.getArrayBuffer(D.wireBytes, base)).slice());
      parts.push(copyBytes(setting.getPointer(base + D.extra), setting.getInt32(base + D.extra_length)));
      const endpoints = setting.getPointer(base + D.endpoint);
      const endpointCount = setting.getUint8(base + D.bNumEndpoints);
      for (let e = 0; endpoints !== null && e < endpointCount; e++) {
        const endpoint = new Deno.UnsafePointerView(endpoints);
        const eBase = e * L.endpoint.size;
        const length = Math.min(Math.max(endpoint.getUint8(eBase), 7), L.endpoint.wireBytes);
        const bytes = new Uint8Array(endpoint.getArrayBuffer(length, eBase)).slice();
        bytes[0] = length;
        parts.push(bytes);
        parts.push(
          copyBytes(endpoint.getPointer(eBase + L.endpoint.extra), endpoint.getInt32(eBase + L.endpoint.extra_length)),
        );
      }
    }
  }
  const raw = concat(parts);
  raw[2] = raw.length & 0xff; // wTotalLength of what we rebuilt
  raw[3] = raw.length >> 8;
  return raw;
}

interface ListedDevice {
  pointer: Deno.PointerObject;
  info: UsbDeviceInfo;
}

function readInfo(lib: Libusb, device: Deno.PointerObject): UsbDeviceInfo {
  const descriptorBytes = new Uint8Array(LIBUSB_LAYOUT.deviceDescriptor.size);
  const result = lib.libusb_get_device_descriptor(device, descriptorBytes);
  if (result < 0) throw usbErrorFromLibusb(result, "reading a device descriptor");
  // struct libusb_device_descriptor has the wire layout (libusb.h), so it parses as one.
  const descriptor = parseDeviceDescriptor(descriptorBytes);
  const busNumber = lib.libusb_get_bus_number(device);
  const ports = new Uint8Array(7); // USB 3.0 allows at most 7 tiers (libusb_get_port_numbers docs)
  const portCount = lib.libusb_get_port_numbers(device, ports, ports.length);
  const portNumbers = portCount > 0 ? Array.from(ports.subarray(0, portCount)) : [];
  const configurations: UsbConfiguration[] = [];
  for (let index = 0; index < descriptor.bNumConfigurations; index++) {
    const out = new BigUint64Array(1);
    const r = lib.libusb_get_config_descriptor(device, index, out);
    if (r < 0) continue; // a configuration libusb could not read is left out, as lsusb does
    const config = Deno.UnsafePointer.create(out[0]);
    if (config === null) continue;
    try {
      configurations.push(parseConfigurationDescriptor(rawConfiguration(config)));
    } finally {
      lib.libusb_free_config_descriptor(config);
    }
  }
  return {
    busNumber,
    deviceAddress: lib.libusb_get_device_address(device),
    portNumbers,
    portPath: portNumbers.length ? `${busNumber}-${portNumbers.join(".")}` : `usb${busNumber}`,
    descriptor,
    idVendor: descriptor.idVendor,
    idProduct: descriptor.idProduct,
    configurations,
  };
}

/** Runs `body` with libusb's current device list, freeing it afterwards (opened handles keep their device). */
async function withDeviceList<T>(
  lib: Libusb,
  context: Deno.PointerObject,
  body: (devices: ListedDevice[]) => Promise<T>,
): Promise<T> {
  const out = new BigUint64Array(1);
  const count = Number(lib.libusb_get_device_list(context, out));
  if (count < 0) throw usbErrorFromLibusb(count, "listing USB devices");
  const list = Deno.UnsafePointer.create(out[0]);
  if (list === null) return await body([]);
  try {
    const view = new Deno.UnsafePointerView(list);
    const devices: ListedDevice[] = [];
    for (let i = 0; i < count; i++) {
      const pointer = view.getPointer(i * 8);
      if (pointer !== null) devices.push({ pointer, info: readInfo(lib, pointer) });
    }
    return await body(devices);
  } finally {
    lib.libusb_free_device_list(list, 1);
  }
}

function openHandle(lib: Libusb, device: ListedDevice): Deno.PointerObject {
  const out = new BigUint64Array(1);
  const result = lib.libusb_open(device.pointer, out);
  if (result < 0) throw usbErrorFromLibusb(result, "opening", device.info);
  const handle = Deno.UnsafePointer.create(out[0]);
  if (handle === null) throw usbErrorFromLibusb(LIBUSB_ERROR.OTHER, "opening", device.info);
  return handle;
}

/** Fills in strings (manufacturer, product, serial, setting names) by opening the device briefly. */
async function readStrings(lib: Libusb, device: ListedDevice, timeoutMs: number): Promise<void> {
  let handle: Deno.PointerObject;
  try {
    handle = openHandle(lib, device);
  } catch (error) {
    if (!(error instanceof UsbError)) throw error;
    device.info.openError = libusbErrorName(error.libusbCode ?? LIBUSB_ERROR.OTHER);
    return;
  }
  const opened = new LibusbDevice(lib, null, handle, device.info);
  try {
    await opened.fillStrings(timeoutMs);
  } finally {
    await opened.close();
  }
}

/** Lists attached USB devices with descriptors and (where the device can be opened) strings. */
export async function listUsbDevices(options: UsbListOptions = {}): Promise<UsbDeviceInfo[]> {
  const lib = loadLibusb(options);
  const context = openContext(lib);
  try {
    return await withDeviceList(lib, context, async (devices) => {
      if (options.strings ?? true) {
        for (const device of devices) await readStrings(lib, device, options.stringTimeoutMs ?? 1000);
      }
      return devices.map((d) => d.info);
    });
  } finally {
    lib.libusb_exit(context);
  }
}

/** One line per device for messages: `1-2 0483:df11 "STM32 BOOTLOADER" serial 3574364C3034`. */
export function describeDevice(info: UsbDeviceInfo): string {
  const product = info.product ? ` "${info.product}"` : "";
  const serial = info.serialNumber ? ` serial ${info.serialNumber}` : "";
  const unreadable = info.openError ? ` (strings unreadable: ${info.openError})` : "";
  return `${info.portPath} ${formatVidPid(info.idVendor, info.idProduct)}${product}${serial}${unreadable}`;
}

function seenList(devices: UsbDeviceInfo[]): string {
  return devices.length ? devices.map(describeDevice).join("; ") : "no USB devices at all";
}

/** Options for {@linkcode openUsbDevice}. */
export interface UsbOpenOptions extends UsbListOptions {}

/** Opens the one device matching `selector`. Fails with `E_USB_NOT_FOUND` (or `E_USB_AMBIGUOUS`) listing what is attached. */
export async function openUsbDevice(selector: UsbSelector, options: UsbOpenOptions = {}): Promise<LibusbDevice> {
  const lib = loadLibusb(options);
  const needStrings = selector.serialNumber !== undefined;
  const context = openContext(lib);
  let device: LibusbDevice | undefined;
  try {
    device = await withDeviceList(lib, context, async (devices) => {
      for (const device of devices) {
        if (needStrings || options.strings) await readStrings(lib, device, options.stringTimeoutMs ?? 1000);
      }
      const matching = devices.filter((d) => matchesSelector(d.info, selector));
      if (matching.length !== 1 && !needStrings && !options.strings) {
        // The error lists what is attached; strings make that list recognisable.
        for (const device of devices) await readStrings(lib, device, options.stringTimeoutMs ?? 1000);
      }
      if (matching.length === 0) {
        const locked = devices.find((d) => d.info.openError === libusbErrorName(LIBUSB_ERROR.ACCESS));
        const permission = locked
          ? `; some devices could not be opened to read their strings: ${
            usbErrorFromLibusb(LIBUSB_ERROR.ACCESS, "opening", locked.info).hint
          }`
          : "";
        throw new UsbError("E_USB_NOT_FOUND", `no USB device matches ${describeSelector(selector)}`, {
          hint: `attached: ${seenList(devices.map((d) => d.info))}${permission}`,
        });
      }
      if (matching.length > 1) {
        throw new UsbError("E_USB_AMBIGUOUS", `${matching.length} USB devices match ${describeSelector(selector)}`, {
          hint: `choose one by port path or serial number: ${seenList(matching.map((d) => d.info))}`,
        });
      }
      return new LibusbDevice(lib, context, openHandle(lib, matching[0]), matching[0].info);
    });
  } finally {
    if (device === undefined) lib.libusb_exit(context);
  }
  if (!needStrings && !options.strings) {
    // Strings of the opened device are cheap now that it is open; USB errors leave them unset.
    try {
      await device.fillStrings(options.stringTimeoutMs ?? 1000);
    } catch (error) {
      await device.close();
      throw error;
    }
  }
  return device;
}

function describeSetup(setup: UsbSetup): string {
  const hex = (n: number, w: number) => n.toString(16).padStart(w, "0");
  return `control transfer ${hex(setup.bmRequestType, 2)}/${hex(setup.bRequest, 2)} ` +
    `value ${hex(setup.wValue, 4)} index ${hex(setup.wIndex, 4)}`;
}

/** An opened device: control transfers, interfaces, strings. At most one operation runs at a time. */
export class LibusbDevice implements UsbControlDevice {
  /** What was known about the device when it was opened. */
  readonly info: UsbDeviceInfo;
  #lib: Libusb;
  #context: Deno.PointerObject | null;
  #handle: Deno.PointerObject | null;
  #claimed = new Set<number>();
  #queue: Promise<unknown> = Promise.resolve();
  #langId?: number;

  /** Use {@linkcode openUsbDevice}. `context` (if given) is owned by the device and ended by `close`. */
  constructor(lib: Libusb, context: Deno.PointerObject | null, handle: Deno.PointerObject, info: UsbDeviceInfo) {
    this.#lib = lib;
    this.#context = context;
    this.#handle = handle;
    this.info = info;
  }

  #exclusive<T>(body: (handle: Deno.PointerObject) => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#handle === null) throw new UsbError("E_USB_CLOSED", "the USB device was already closed");
      return body(this.#handle);
    });
    this.#queue = run.then(() => undefined, () => undefined);
    return run;
  }

  #fail(code: number, operation: string): UsbError {
    return usbErrorFromLibusb(code, operation, this.info);
  }

  /**
   * One libusb control transfer with the direction bit already in `bmRequestType`; resolves with the number of bytes
   * moved, rejects with a `UsbError` for a negative libusb result.
   */
  async #controlTransfer(
    handle: Deno.PointerObject,
    bmRequestType: number,
    setup: UsbSetup,
    buffer: Uint8Array,
    timeoutMs: number,
  ): Promise<number> {
    const result = await this.#lib.libusb_control_transfer(
      ...controlTransferArguments(handle, { ...setup, bmRequestType }, buffer, timeoutMs),
    );
    if (result < 0) throw this.#fail(result, describeSetup(setup));
    return result;
  }

  /** Runs an IN control transfer; resolves with the bytes received. */
  controlIn(setup: UsbSetup, timeoutMs: number): Promise<Uint8Array> {
    return this.#exclusive(async (handle) => {
      const buffer = new Uint8Array(setup.wLength);
      const result = await this.#controlTransfer(handle, setup.bmRequestType | 0x80, setup, buffer, timeoutMs);
      return buffer.slice(0, result);
    });
  }

  /** Runs an OUT control transfer carrying `data` (length must equal `setup.wLength`). */
  controlOut(setup: UsbSetup, data: Uint8Array, timeoutMs: number): Promise<void> {
    if (data.length !== setup.wLength) {
      return Promise.reject(new RangeError(`controlOut: ${data.length} data bytes but wLength ${setup.wLength}`));
    }
    return this.#exclusive(async (handle) => {
      const buffer = data.slice(); // owned copy: the worker thread reads it while we wait
      const result = await this.#controlTransfer(handle, setup.bmRequestType & 0x7f, setup, buffer, timeoutMs);
      if (result !== data.length) {
        throw new UsbError("E_USB_IO", `${describeSetup(setup)} sent ${result} of ${data.length} bytes`, {
          hint: "replug the device and retry",
        });
      }
    });
  }

  /** Claims an interface, letting libusb detach a kernel driver where the OS supports that. */
  claimInterface(interfaceNumber: number): Promise<void> {
    return this.#exclusive((handle) => {
      const detach = this.#lib.libusb_set_auto_detach_kernel_driver(handle, 1);
      // NOT_SUPPORTED on macOS and Windows, where there is no kernel driver to detach (libusb docs).
      if (detach < 0 && detach !== LIBUSB_ERROR.NOT_SUPPORTED) {
        throw this.#fail(detach, "enabling kernel driver auto-detach");
      }
      const result = this.#lib.libusb_claim_interface(handle, interfaceNumber);
      if (result < 0) throw this.#fail(result, `claiming interface ${interfaceNumber}`);
      this.#claimed.add(interfaceNumber);
      return Promise.resolve();
    });
  }

  /** Selects an alternate setting of a claimed interface (SET_INTERFACE). */
  setAlternateSetting(interfaceNumber: number, alternateSetting: number): Promise<void> {
    return this.#exclusive((handle) => {
      const result = this.#lib.libusb_set_interface_alt_setting(handle, interfaceNumber, alternateSetting);
      if (result < 0) {
        throw this.#fail(result, `selecting alternate setting ${alternateSetting} of interface ${interfaceNumber}`);
      }
      return Promise.resolve();
    });
  }

  /**
   * Resets the device (USB port reset). If the device re-enumerates as a different device, this handle is
   * finished and the call fails with `E_USB_GONE`: look the device up again.
   */
  reset(): Promise<void> {
    return this.#exclusive((handle) => {
      const result = this.#lib.libusb_reset_device(handle);
      // NOT_FOUND: "re-enumeration is required" (libusb_reset_device docs) - the old handle is useless.
      if (result === LIBUSB_ERROR.NOT_FOUND) throw this.#fail(LIBUSB_ERROR.NO_DEVICE, "resetting");
      if (result < 0) throw this.#fail(result, "resetting");
      return Promise.resolve();
    });
  }

  /** Reads string descriptor `index` (in the device's first language) as text; "" for index 0. */
  async getStringDescriptor(index: number, timeoutMs = 1000): Promise<string> {
    if (index === 0) return "";
    // GET_DESCRIPTOR(STRING) (USB 2.0 §9.4.3); index 0 lists the LANGIDs (§9.6.7).
    if (this.#langId === undefined) {
      const languages = await this.controlIn(
        { bmRequestType: 0x80, bRequest: 6, wValue: 0x0300, wIndex: 0, wLength: 255 },
        timeoutMs,
      );
      this.#langId = languages.length >= 4 ? languages[2] | (languages[3] << 8) : 0x0409;
    }
    const bytes = await this.controlIn(
      { bmRequestType: 0x80, bRequest: 6, wValue: 0x0300 | index, wIndex: this.#langId, wLength: 255 },
      timeoutMs,
    );
    const length = Math.min(bytes[0] ?? 0, bytes.length);
    if (length < 2 || bytes[1] !== 3) {
      throw new UsbError("E_USB_IO", `string descriptor ${index} is malformed`, { hint: "replug the device" });
    }
    let text = "";
    for (let i = 2; i + 1 < length; i += 2) text += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8));
    return text;
  }

  /** Reads manufacturer, product, serial and setting names into {@linkcode info}; records failures in openError. */
  async fillStrings(timeoutMs = 1000): Promise<void> {
    const text = async (index: number) => index ? await this.getStringDescriptor(index, timeoutMs) : undefined;
    try {
      this.info.manufacturer = await text(this.info.descriptor.iManufacturer);
      this.info.product = await text(this.info.descriptor.iProduct);
      this.info.serialNumber = await text(this.info.descriptor.iSerialNumber);
      for (const configuration of this.info.configurations) {
        for (const iface of configuration.interfaces) {
          for (const setting of iface.alternateSettings) setting.name = await text(setting.iInterface);
        }
      }
    } catch (error) {
      if (!(error instanceof UsbError)) throw error;
      this.info.openError = libusbErrorName(error.libusbCode ?? LIBUSB_ERROR.OTHER);
    }
  }

  /** Releases claimed interfaces and closes the handle. A device that is gone closes without error. */
  close(): Promise<void> {
    const run = this.#queue.then(() => {
      const handle = this.#handle;
      if (handle === null) return;
      this.#handle = null;
      let failure: UsbError | undefined;
      for (const interfaceNumber of this.#claimed) {
        const result = this.#lib.libusb_release_interface(handle, interfaceNumber);
        if (result < 0 && result !== LIBUSB_ERROR.NO_DEVICE && failure === undefined) {
          failure = this.#fail(result, `releasing interface ${interfaceNumber}`);
        }
      }
      this.#claimed.clear();
      this.#lib.libusb_close(handle);
      if (this.#context !== null) this.#lib.libusb_exit(this.#context); // the context was this device's own
      this.#context = null;
      if (failure) throw failure;
    });
    this.#queue = run.then(() => undefined, () => undefined);
    return run;
  }
}

/** Options for the wait functions. */
export interface UsbWaitOptions extends LoadLibusbOptions {
  /** Give up after this many ms. */
  timeoutMs: number;
  /** Poll interval in ms (default 200). */
  pollMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until a device matching `selector` is attached; returns its info. Fails with `E_USB_WAIT_TIMEOUT`. */
export async function waitForDevice(selector: UsbSelector, options: UsbWaitOptions): Promise<UsbDeviceInfo> {
  const deadline = Date.now() + options.timeoutMs;
  const strings = selector.serialNumber !== undefined;
  const seen = new Map<string, UsbDeviceInfo>();
  while (true) {
    const devices = await listUsbDevices({ ...options, strings });
    for (const d of devices) seen.set(describeDevice(d), d);
    const found = devices.find((d) => matchesSelector(d, selector));
    if (found) return found;
    if (Date.now() >= deadline) {
      throw new UsbError(
        "E_USB_WAIT_TIMEOUT",
        `no USB device matching ${describeSelector(selector)} appeared within ${options.timeoutMs} ms`,
        { hint: `seen meanwhile: ${seenList([...seen.values()])}` },
      );
    }
    await sleep(options.pollMs ?? 200);
  }
}

/** Polls until no device matches `selector`. Fails with `E_USB_WAIT_TIMEOUT` if one stays. */
export async function waitForDeviceGone(selector: UsbSelector, options: UsbWaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const strings = selector.serialNumber !== undefined;
  while (true) {
    const devices = await listUsbDevices({ ...options, strings });
    const remaining = devices.filter((d) => matchesSelector(d, selector));
    if (remaining.length === 0) return;
    if (Date.now() >= deadline) {
      throw new UsbError(
        "E_USB_WAIT_TIMEOUT",
        `USB device ${describeSelector(selector)} was still attached after ${options.timeoutMs} ms`,
        { hint: `still there: ${seenList(remaining)}` },
      );
    }
    await sleep(options.pollMs ?? 200);
  }
}
