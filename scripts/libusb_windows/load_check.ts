/**
 * Loads libusb the way flashrecipe does on this OS and says what happened: which file was taken from the candidate
 * list, that every declared function bound, and that `libusb_init` works. Meant for Windows (or Wine) with the DLL
 * from `build_dll.sh` placed beside an executable path:
 *
 *     deno run -A scripts/libusb_windows/load_check.ts 'C:\fr\app\flashrecipe.exe'
 *
 * Exits 0 when libusb loaded and initialised, 1 with flashrecipe's own `E_NO_LIBUSB` message otherwise.
 *
 * @module
 */

import { FlashRecipeError } from "../../lib/errors.ts";
import { LIBUSB_SYMBOLS, libusbCandidates, loadLibusb } from "../../lib/transport/usb/libusb_ffi.ts";

const candidates = libusbCandidates(Deno.build.os, Deno.args[0] ?? Deno.execPath());
console.log(`candidates: ${candidates.join(", ")}`);
try {
  const lib = loadLibusb({ candidates });
  console.log(`bound ${Object.keys(LIBUSB_SYMBOLS).length} functions`);
  const context = new BigUint64Array(1);
  const status = lib.libusb_init(context);
  if (status !== 0) {
    console.log(`libusb_init failed: ${status}`);
    Deno.exit(1);
  }
  const list = new BigUint64Array(1);
  const count = Number(lib.libusb_get_device_list(Deno.UnsafePointer.create(context[0]), list));
  console.log(`libusb_init ok; ${count} USB device(s) listed`);
  lib.libusb_free_device_list(Deno.UnsafePointer.create(list[0]), 1);
  lib.libusb_exit(Deno.UnsafePointer.create(context[0]));
} catch (error) {
  if (!(error instanceof FlashRecipeError)) throw error;
  console.log(`error[${error.code}]: ${error.message} (${error.hint})`);
  Deno.exit(1);
}
