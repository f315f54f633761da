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
  assert.match(libusbInstallAdvice("windows"), /64-bit libusb-1\.0\.dll beside flashrecipe\.exe/);
  assert.match(libusbInstallAdvice("windows"), /WinUSB driver with Zadig/);
});

Deno.test("libusb loader: the installed libusb loads (libusb-1.0-0 is a test prerequisite)", () => {
  const symbols = loadLibusb();
  assert.equal(typeof symbols.libusb_control_transfer, "function");
});

Deno.test("libusb loader: on Windows, beside the executable first (either separator), then the DLL search", () => {
  if (Deno.env.get("FLASHRECIPE_LIBUSB") !== undefined) return; // the override replaces the list
  assert.deepEqual(libusbCandidates("windows", "C:\\Tools\\flashrecipe.exe"), [
    "C:\\Tools\\libusb-1.0.dll",
    "libusb-1.0.dll",
  ]);
  assert.deepEqual(libusbCandidates("windows", "D:/line 3/flashrecipe.exe"), [
    "D:/line 3\\libusb-1.0.dll",
    "libusb-1.0.dll",
  ]);
  assert.deepEqual(libusbCandidates("windows", "flashrecipe.exe"), [".\\libusb-1.0.dll", "libusb-1.0.dll"]);
});

Deno.test("libusb loader: E_NO_LIBUSB lists every place tried and says what to install", () => {
  const tried = libusbCandidates("windows", "C:\\Tools\\flashrecipe.exe").map((name) => `${name}.missing`);
  assert.throws(() => loadLibusb({ candidates: tried }), (error: unknown) => {
    assert.ok(error instanceof UsbError);
    assert.equal(error.code, "E_NO_LIBUSB");
    assert.ok(error.message.includes("C:\\Tools\\libusb-1.0.dll.missing, libusb-1.0.dll.missing"), error.message);
    return true;
  });
});
