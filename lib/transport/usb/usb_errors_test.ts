import assert from "node:assert/strict";
import { DeviceError } from "../../errors.ts";
import { LIBUSB_ERROR, libusbErrorName, udevRule, UsbError, usbErrorFromLibusb } from "./usb_errors.ts";

const subject = { idVendor: 0x0483, idProduct: 0xdf11, portPath: "1-2" };

Deno.test("usb errors: libusb codes map to stable codes", () => {
  const cases: [number, string][] = [
    [LIBUSB_ERROR.ACCESS, "E_USB_PERMISSION"],
    [LIBUSB_ERROR.NO_DEVICE, "E_USB_GONE"],
    [LIBUSB_ERROR.PIPE, "E_USB_STALL"],
    [LIBUSB_ERROR.TIMEOUT, "E_USB_TIMEOUT"],
    [LIBUSB_ERROR.BUSY, "E_USB_BUSY"],
    [LIBUSB_ERROR.NOT_SUPPORTED, "E_USB_NOT_SUPPORTED"],
    [LIBUSB_ERROR.NOT_FOUND, "E_USB_NOT_FOUND"],
    [LIBUSB_ERROR.IO, "E_USB_IO"],
    [LIBUSB_ERROR.OVERFLOW, "E_USB_IO"],
  ];
  for (const [libusbCode, code] of cases) {
    const error = usbErrorFromLibusb(libusbCode, "control transfer", subject);
    assert.ok(error instanceof UsbError && error instanceof DeviceError);
    assert.equal(error.code, code, libusbErrorName(libusbCode));
    assert.equal(error.exitCode, 1);
    assert.equal(error.libusbCode, libusbCode);
    assert.match(error.message, new RegExp(libusbErrorName(libusbCode)));
    assert.ok(error.hint, `${code} has a hint`);
  }
  assert.match(usbErrorFromLibusb(LIBUSB_ERROR.PIPE, "DFU_GETSTATUS", subject).message, /0483:df11 at 1-2/);
});

Deno.test("usb errors: a permission error names the udev rule that fixes it (Linux)", () => {
  const error = usbErrorFromLibusb(LIBUSB_ERROR.ACCESS, "opening", subject);
  if (Deno.build.os === "linux") {
    assert.ok(error.hint?.includes(udevRule(0x0483, 0xdf11)));
    assert.match(error.hint ?? "", /\/etc\/udev\/rules\.d\/50-stm32-dfu\.rules/);
  }
  assert.equal(
    udevRule(0x0483, 0xdf11),
    'SUBSYSTEM=="usb", ATTR{idVendor}=="0483", ATTR{idProduct}=="df11", MODE="0664", TAG+="uaccess"',
  );
});

Deno.test("usb errors: unknown codes keep their number", () => {
  assert.equal(libusbErrorName(-42), "LIBUSB_ERROR_-42");
  assert.equal(libusbErrorName(LIBUSB_ERROR.OTHER), "LIBUSB_ERROR_OTHER");
});
