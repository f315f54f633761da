/**
 * Loads libusb-1.0 with `Deno.dlopen` and declares the functions the transport uses (signatures from
 * libusb.h of libusb 1.0.26). The library is looked up by per-OS names; `FLASHRECIPE_LIBUSB` (a file name or
 * path) replaces the list, which is also how tests simulate a machine without libusb.
 *
 * @module
 */

import { UsbError } from "./usb_errors.ts";

/** The libusb functions we call. `libusb_control_transfer` runs on a worker thread (`nonblocking`). */
export const LIBUSB_SYMBOLS = {
  libusb_init: { parameters: ["buffer"], result: "i32" },
  libusb_exit: { parameters: ["pointer"], result: "void" },
  libusb_get_device_list: { parameters: ["pointer", "buffer"], result: "isize" },
  libusb_free_device_list: { parameters: ["pointer", "i32"], result: "void" },
  libusb_get_device_descriptor: { parameters: ["pointer", "buffer"], result: "i32" },
  libusb_get_bus_number: { parameters: ["pointer"], result: "u8" },
  libusb_get_device_address: { parameters: ["pointer"], result: "u8" },
  libusb_get_port_numbers: { parameters: ["pointer", "buffer", "i32"], result: "i32" },
  libusb_get_config_descriptor: { parameters: ["pointer", "u8", "buffer"], result: "i32" },
  libusb_free_config_descriptor: { parameters: ["pointer"], result: "void" },
  libusb_open: { parameters: ["pointer", "buffer"], result: "i32" },
  libusb_close: { parameters: ["pointer"], result: "void" },
  libusb_set_auto_detach_kernel_driver: { parameters: ["pointer", "i32"], result: "i32" },
  libusb_claim_interface: { parameters: ["pointer", "i32"], result: "i32" },
  libusb_release_interface: { parameters: ["pointer", "i32"], result: "i32" },
  libusb_set_interface_alt_setting: { parameters: ["pointer", "i32", "i32"], result: "i32" },
  libusb_reset_device: { parameters: ["pointer"], result: "i32" },
  libusb_control_transfer: {
    parameters: ["pointer", "u8", "u8", "u16", "u16", "buffer", "u16", "u32"],
    result: "i32",
    nonblocking: true,
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The most a libusb timeout can say in milliseconds (its `unsigned int`). */
export const LIBUSB_TIMEOUT_MAX_MS = 0xffffffff;

/**
 * A wait in milliseconds as libusb's `unsigned int timeout`: rounded up (Deno FFI refuses a fraction for a
 * `u32`), at least 1 because libusb reads 0 as "wait forever" (libusb.h, libusb_control_transfer), at most
 * {@linkcode LIBUSB_TIMEOUT_MAX_MS}.
 */
export function libusbTimeoutArgument(timeoutMs: number): number {
  if (!(timeoutMs >= 1)) return 1; // also NaN
  return Math.min(LIBUSB_TIMEOUT_MAX_MS, Math.ceil(timeoutMs));
}

/** The setup fields of one control transfer (USB 2.0 section 9.3). */
export interface ControlTransferSetup {
  /** Request type with the direction bit (0x80 = IN) already set or cleared. */
  bmRequestType: number;
  bRequest: number;
  wValue: number;
  wIndex: number;
  wLength: number;
}

/**
 * The exact `libusb_control_transfer` arguments. A setup field outside its width (u8, u16) is a RangeError
 * naming the field, raised before libusb is called: Deno FFI would otherwise refuse it with a bare TypeError
 * (a negative number from JavaScript's signed bitwise operators, say), and truncating it would send another
 * request than the one asked for.
 */
export function controlTransferArguments(
  handle: Deno.PointerObject,
  setup: ControlTransferSetup,
  buffer: Uint8Array,
  timeoutMs: number,
): [Deno.PointerObject, number, number, number, number, Uint8Array, number, number] {
  const field = (name: keyof ControlTransferSetup, max: number): number => {
    const value = setup[name];
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new RangeError(`control transfer ${name} ${value} is outside 0..${max}`);
    }
    return value;
  };
  if (buffer.length < setup.wLength) {
    throw new RangeError(
      `control transfer buffer of ${buffer.length} byte(s) is shorter than wLength ${setup.wLength}`,
    );
  }
  return [
    handle,
    field("bmRequestType", 0xff),
    field("bRequest", 0xff),
    field("wValue", 0xffff),
    field("wIndex", 0xffff),
    buffer,
    field("wLength", 0xffff),
    libusbTimeoutArgument(timeoutMs),
  ];
}

/** The loaded library. */
export type Libusb = Deno.DynamicLibrary<typeof LIBUSB_SYMBOLS>["symbols"];

/** Environment variable naming the libusb library to load instead of the default names. */
export const LIBUSB_ENV = "FLASHRECIPE_LIBUSB";

/** Options for {@linkcode loadLibusb}. */
export interface LoadLibusbOptions {
  /** Library names or paths to try, in order (default: {@linkcode libusbCandidates}). */
  candidates?: string[];
}

function dirname(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut < 0 ? "." : path.slice(0, cut);
}

/**
 * The library names tried on this OS, in order. On Windows: `libusb-1.0.dll` beside the executable (`execPath`,
 * flashrecipe.exe), then the name alone, which LoadLibrary looks up in the application's folder, System32, the
 * Windows folder and PATH (the standard DLL search order). The Windows binary does not carry the DLL (README,
 * "USB DFU", says why); `scripts/libusb_windows/build_dll.sh` builds one from Debian's libusb source.
 */
export function libusbCandidates(
  os: typeof Deno.build.os = Deno.build.os,
  execPath: string = Deno.execPath(),
): string[] {
  const override = Deno.env.get(LIBUSB_ENV);
  if (override) return [override];
  switch (os) {
    case "darwin":
      return ["libusb-1.0.dylib", "/opt/homebrew/lib/libusb-1.0.dylib", "/usr/local/lib/libusb-1.0.dylib"];
    case "windows":
      // Beside flashrecipe.exe first, then the DLL search path (which includes PATH).
      return [`${dirname(execPath)}\\libusb-1.0.dll`, "libusb-1.0.dll"];
    default:
      return ["libusb-1.0.so.0", "libusb-1.0.so"];
  }
}

/** How to install libusb on this OS. */
export function libusbInstallAdvice(os: typeof Deno.build.os = Deno.build.os): string {
  switch (os) {
    case "darwin":
      return "install it with 'brew install libusb'";
    case "windows":
      return "put the 64-bit libusb-1.0.dll beside flashrecipe.exe (libusb.info's Windows release archive, " +
        "MinGW64\\dll\\libusb-1.0.dll), and give the board's DFU device the WinUSB driver with Zadig " +
        '(Options > List All Devices, "STM32 BOOTLOADER", WinUSB, Replace Driver)';
    default:
      return "install it with 'sudo apt install libusb-1.0-0' (or your distribution's libusb-1.0 package)";
  }
}

let loaded: { candidatesKey: string; library: Deno.DynamicLibrary<typeof LIBUSB_SYMBOLS> } | undefined;

/** Opens libusb (once per process for a given candidate list). Throws `E_NO_LIBUSB` when none loads. */
export function loadLibusb(options: LoadLibusbOptions = {}): Libusb {
  const candidates = options.candidates ?? libusbCandidates();
  const key = candidates.join("\n");
  if (loaded && loaded.candidatesKey === key) return loaded.library.symbols;
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      const library = Deno.dlopen(name, LIBUSB_SYMBOLS);
      loaded = { candidatesKey: key, library };
      return library.symbols;
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new UsbError("E_NO_LIBUSB", `cannot load libusb-1.0 (tried ${candidates.join(", ")})`, {
    hint: libusbInstallAdvice(),
    cause: new Error(failures.join("; ")),
  });
}
