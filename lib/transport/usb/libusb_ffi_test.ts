import assert from "node:assert/strict";
import { libusbCandidates, libusbInstallAdvice, loadLibusb } from "./libusb_ffi.ts";
import { UsbError } from "./usb_errors.ts";

Deno.test("libusb loader: a missing library is E_NO_LIBUSB with install advice", () => {
  assert.throws(
    () => loadLibusb({ candidates: ["libusb-missing.so.0", "/nonexistent/libusb-1.0.so"] }),
    (error: unknown) => {
      assert.ok(error instanceof UsbError);
      assert.equal(error.code, "E_NO_LIBUSB");
      assert.match(error.message, /libusb-missing\.so\.0, \/nonexistent\/libusb-1\.0\.so/);
      assert.equal(error.hint, libusbInstallAdvice());
      return true;
    },
  );
});

Deno.test("libusb loader: per-OS names and advice", () => {
  if (Deno.env.get("FLASHRECIPE_LIBUSB") === undefined) {
    assert.deepEqual(libusbCandidates("linux"), ["libusb-1.0.so.0", "libusb-1.0.so"]);
    assert.deepEqual(libusbCandidates("darwin"), [
      "libusb-1.0.dylib",
      "/opt/homebrew/lib/libusb-1.0.dylib",
      "/usr/local/lib/libusb-1.0.dylib",
    ]);
    const windows = libusbCandidates("windows");
    assert.ok(windows[0].endsWith("\\libusb-1.0.dll"), "beside the executable first");
    assert.equal(windows[1], "libusb-1.0.dll");
  }
  assert.match(libusbInstallAdvice("linux"), /apt install libusb-1\.0-0/);
  assert.match(libusbInstallAdvice("darwin"), /brew install libusb/);
  assert.match(libusbInstallAdvice("windows"), /beside flashrecipe\.exe/);
});

Deno.test("libusb loader: the installed libusb loads (libusb-1.0-0 is a test prerequisite)", () => {
  const symbols = loadLibusb();
  assert.equal(typeof symbols.libusb_control_transfer, "function");
});
