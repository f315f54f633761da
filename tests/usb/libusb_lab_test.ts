/**
 * Integration tests of the libusb FFI transport, run inside the virtual USB lab (umockdev). The transport runs
 * in a child Deno process started under the lab's LD_PRELOAD (see lab_client.ts); the devices are simulated here.
 *
 * Needs umockdev, gir1.2-umockdev-1.0, python3-gi, libusb-1.0-0 and dfu-util. When umockdev is missing the
 * tests fail with the lab's install hint; nothing is skipped.
 */

import assert from "node:assert/strict";
import { startUsbLab, type UsbLab } from "../../scripts/usb_lab/lab.ts";
import { MinimalDfuDevice, VENDOR_REQUEST, VendorTestDevice } from "../../scripts/usb_lab/test_devices.ts";
import type { UsbDeviceInfo } from "../../lib/transport/usb/libusb.ts";
import type { SimulatedUsbDevice } from "../../lib/transport/usb/control.ts";
import { LabClient } from "./lab_client_driver.ts";

const VENDOR_IN = 0xc1; // device-to-host, vendor, interface (USB 2.0 table 9-2)
const VENDOR_OUT = 0x41;

function setup(bmRequestType: number, bRequest: number, wLength: number, wValue = 0) {
  return { bmRequestType, bRequest, wValue, wIndex: 0, wLength };
}

/** Runs `body` with a lab and a client in it, always cleaning both up. */
async function withLab(
  devices: SimulatedUsbDevice[],
  body: (lab: UsbLab, client: LabClient) => Promise<void>,
  extraEnv?: Record<string, string>,
): Promise<void> {
  const lab = await startUsbLab({ devices });
  let client: LabClient | undefined;
  try {
    client = new LabClient(lab, extraEnv);
    await body(lab, client);
  } finally {
    const result = await client?.close();
    await lab.close();
    if (result) assert.equal(result.code, 0, `lab client failed: ${result.stderr}`);
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

Deno.test("lab: listing shows device strings, alternate-setting names and raw class descriptors", async () => {
  await withLab([new VendorTestDevice("SER-42"), new MinimalDfuDevice({ serial: "DFU-7" })], async (_lab, client) => {
    const devices = await client.ok<UsbDeviceInfo[]>({ op: "list" });
    const vendor = devices.find((d) => d.idVendor === 0x1209 && d.idProduct === 0x0001);
    assert.ok(vendor, `vendor device not listed: ${JSON.stringify(devices)}`);
    assert.equal(vendor.manufacturer, "flashrecipe lab");
    assert.equal(vendor.product, "Vendor Test Device");
    assert.equal(vendor.serialNumber, "SER-42");
    assert.equal(vendor.portPath, "1-1");
    assert.deepEqual(vendor.portNumbers, [1]);
    assert.equal(vendor.busNumber, 1);
    assert.equal(vendor.descriptor.bcdDevice, 0x0102);
    const settings = vendor.configurations[0].interfaces[0].alternateSettings;
    assert.deepEqual(settings.map((s) => [s.bAlternateSetting, s.name]), [[0, "Setting Zero"], [1, "Setting One"]]);

    const dfu = devices.find((d) => d.idVendor === 0x0483 && d.idProduct === 0xdf11);
    assert.ok(dfu);
    assert.equal(dfu.portPath, "1-2");
    assert.equal(dfu.serialNumber, "DFU-7");
    const dfuSettings = dfu.configurations[0].interfaces[0].alternateSettings;
    assert.equal(dfuSettings[0].name, "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg");
    const functional = dfuSettings.flatMap((s) => s.extra).find((d) => d.bDescriptorType === 0x21);
    assert.ok(functional, "DFU functional descriptor kept raw");
    assert.deepEqual(Array.from(functional.bytes), [9, 0x21, 0x0b, 0xff, 0x00, 0x00, 0x08, 0x1a, 0x01]);
  });
});

Deno.test("lab: control IN/OUT round trips, SET_INTERFACE, STALL and timeout are typed", async () => {
  const vendor = new VendorTestDevice();
  await withLab([vendor], async (_lab, client) => {
    const info = await client.ok<UsbDeviceInfo>({ op: "open", selector: "1209:0001" });
    assert.equal(info.product, "Vendor Test Device");
    await client.ok({ op: "claim", interface: 0 });

    const payload = Array.from({ length: 200 }, (_, i) => (i * 7 + 3) & 0xff);
    await client.ok({ op: "out", setup: setup(VENDOR_OUT, VENDOR_REQUEST.WRITE, payload.length), data: payload });
    assert.deepEqual(Array.from(vendor.memory), payload, "device received the OUT data stage");
    const back = await client.ok<number[]>({ op: "in", setup: setup(VENDOR_IN, VENDOR_REQUEST.READ, 512) });
    assert.deepEqual(back, payload, "short IN returns only what the device sent");

    assert.deepEqual(await client.ok({ op: "in", setup: setup(VENDOR_IN, VENDOR_REQUEST.READ, 0) }), []);
    await client.ok({ op: "out", setup: setup(VENDOR_OUT, VENDOR_REQUEST.WRITE, 0), data: [] });
    assert.equal(vendor.memory.length, 0, "zero-length OUT reached the device");

    await client.ok({ op: "alt", interface: 0, alt: 1 });
    assert.deepEqual(await client.ok({ op: "in", setup: setup(VENDOR_IN, VENDOR_REQUEST.ALT, 2) }), [0, 1]);
    assert.deepEqual(vendor.alternate, [0, 1]);

    assert.equal(await client.ok({ op: "string", index: 5 }), "Setting One");

    // The transfer runs off the event loop: timers keep firing while the device takes its time.
    const ticking = await client.ok<{ data: number[]; ticks: number }>({
      op: "inTicking",
      setup: setup(VENDOR_IN, VENDOR_REQUEST.SLOW, 1, 300),
      timeoutMs: 5000,
    });
    assert.deepEqual(ticking.data, [0x5a]);
    assert.ok(ticking.ticks > 0, "the event loop ran during the transfer");

    await client.ok({ op: "reset" });
    assert.deepEqual(await client.ok({ op: "in", setup: setup(VENDOR_IN, VENDOR_REQUEST.ALT, 2) }), [0, 1]);

    const stall = await client.send({ op: "in", setup: setup(VENDOR_IN, VENDOR_REQUEST.STALLS, 4) });
    assert.equal(stall.error?.code, "E_USB_STALL", JSON.stringify(stall));
    assert.equal(stall.error?.name, "UsbError");

    const slow = await client.send({
      op: "in",
      setup: setup(VENDOR_IN, VENDOR_REQUEST.SLOW, 1, 1500),
      timeoutMs: 100,
    });
    assert.equal(slow.error?.code, "E_USB_TIMEOUT", JSON.stringify(slow));
    // The pipe still works after a timed-out request.
    assert.deepEqual(
      await client.ok({ op: "in", setup: setup(VENDOR_IN, VENDOR_REQUEST.SLOW, 1, 1), timeoutMs: 5000 }),
      [
        0x5a,
      ],
    );
    await client.ok({ op: "close" });
  });
});

Deno.test("lab: devices are selected by serial number and by port path", async () => {
  await withLab([new VendorTestDevice("AAA"), new VendorTestDevice("BBB")], async (_lab, client) => {
    const ambiguous = await client.send({ op: "open", selector: "1209:0001" });
    assert.equal(ambiguous.error?.code, "E_USB_AMBIGUOUS");
    assert.match(ambiguous.error?.hint ?? "", /AAA.*BBB|BBB.*AAA/);

    const bySerial = await client.ok<UsbDeviceInfo>({ op: "open", selector: "BBB" });
    assert.equal(bySerial.portPath, "1-2");
    await client.ok({ op: "close" });

    const byPort = await client.ok<UsbDeviceInfo>({ op: "open", selector: "1-1" });
    assert.equal(byPort.serialNumber, "AAA");
    await client.ok({ op: "close" });

    const missing = await client.send({ op: "open", selector: "dead:beef" });
    assert.equal(missing.error?.code, "E_USB_NOT_FOUND");
    assert.match(missing.error?.hint ?? "", /1-1 1209:0001 "Vendor Test Device" serial AAA/);
  });
});

Deno.test("lab: a device removed between transfers surfaces E_USB_GONE", async () => {
  const vendor = new VendorTestDevice();
  await withLab([vendor], async (lab, client) => {
    await client.ok({ op: "open", selector: "1209:0001" });
    await client.ok({ op: "claim", interface: 0 });
    await lab.removeDevice(vendor);
    const answer = await client.send({ op: "in", setup: setup(VENDOR_IN, VENDOR_REQUEST.READ, 8) });
    assert.equal(answer.error?.code, "E_USB_GONE", JSON.stringify(answer));
    await client.ok({ op: "close" });
  });
});

Deno.test("lab: a device removed during a transfer surfaces E_USB_GONE", async () => {
  const vendor = new VendorTestDevice();
  await withLab([vendor], async (lab, client) => {
    await client.ok({ op: "open", selector: "1209:0001" });
    const answer = client.send({
      op: "in",
      setup: setup(VENDOR_IN, VENDOR_REQUEST.SLOW, 1, 2000),
      timeoutMs: 10_000,
    });
    await until(() => vendor.requests.some((r) => r.bRequest === VENDOR_REQUEST.SLOW), "the slow request");
    await lab.removeDevice(vendor);
    const result = await answer;
    assert.equal(result.error?.code, "E_USB_GONE", JSON.stringify(result));
    await client.ok({ op: "close" });
  });
});

Deno.test("lab: waitForDevice sees a device plugged in later; waitForDeviceGone sees it leave", async () => {
  await withLab([new VendorTestDevice()], async (lab, client) => {
    const waiting = client.ok<UsbDeviceInfo>({ op: "wait", selector: "0483:df11", timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const dfu = await lab.addDevice(new MinimalDfuDevice());
    const found = await waiting;
    assert.equal(found.idProduct, 0xdf11);
    assert.equal(found.portPath, dfu.port);

    const gone = client.ok({ op: "waitGone", selector: "0483:df11", timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await lab.removeDevice(dfu);
    assert.equal(await gone, null);

    const timeout = await client.send({ op: "wait", selector: "dead:beef", timeoutMs: 300 });
    assert.equal(timeout.error?.code, "E_USB_WAIT_TIMEOUT");
    assert.match(timeout.error?.hint ?? "", /1209:0001/, "the error lists what was seen");
  });
});

Deno.test("lab: unmodified dfu-util lists a DFU device with its alternate settings", async () => {
  const lab = await startUsbLab({ devices: [new VendorTestDevice(), new MinimalDfuDevice({ serial: "DFU-LAB" })] });
  try {
    const result = await lab.output("dfu-util", ["-l"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /Found DFU: \[0483:df11\] ver=2200, devnum=3, cfg=1, intf=0, path="1-2", alt=0, name="@Internal Flash {2}\/0x08000000\/04\*016Kg,01\*064Kg,07\*128Kg", serial="DFU-LAB"/,
    );
    assert.match(result.stdout, /alt=1, name="@Option Bytes {2}\/0x1FFFC000\/01\*016 e"/);
    assert.doesNotMatch(result.stdout, /1209:0001/, "the vendor device is not a DFU device");
  } finally {
    await lab.close();
  }
});

Deno.test("lab: without libusb the transport fails with E_NO_LIBUSB and install advice", async () => {
  await withLab([new VendorTestDevice()], async (_lab, client) => {
    const answer = await client.send({ op: "list" });
    assert.equal(answer.error?.code, "E_NO_LIBUSB", JSON.stringify(answer));
    assert.match(answer.error?.message ?? "", /libusb-missing\.so\.0/);
    assert.match(answer.error?.hint ?? "", /apt install libusb-1\.0-0/);
  }, { FLASHRECIPE_LIBUSB: "libusb-missing.so.0" });
});

Deno.test("lab: a missing Python/umockdev makes startUsbLab fail with install advice", async () => {
  await assert.rejects(
    startUsbLab({ python: "/nonexistent/python3" }),
    (error: Error) => error.name === "UsbLabError" && /umockdev gir1\.2-umockdev-1\.0 python3-gi/.test(error.message),
  );
  // An interpreter that starts but cannot run the bridge (as a Python without gi/UMockdev would).
  await assert.rejects(
    startUsbLab({ python: "/bin/false" }),
    (error: Error) =>
      error.name === "UsbLabError" && /bridge exited \(code 1\).*apt install umockdev/.test(error.message),
  );
});

Deno.test("lab: a device re-enumerating on the same port (application -> bootloader) is found again", async () => {
  const application = new VendorTestDevice("APP");
  await withLab([application], async (lab, client) => {
    const before = await client.ok<UsbDeviceInfo>({ op: "open", selector: "1209:0001" });
    await client.ok({ op: "close" });
    await lab.removeDevice(application);
    const bootloader = await lab.addDevice(new MinimalDfuDevice({ serial: "BOOT" }), { port: before.portPath });
    await client.ok({ op: "waitGone", selector: "1209:0001", timeoutMs: 5000 });
    const found = await client.ok<UsbDeviceInfo>({ op: "wait", selector: "0483:df11", timeoutMs: 5000 });
    assert.equal(found.portPath, before.portPath, "same port");
    assert.notEqual(found.deviceAddress, before.deviceAddress, "a new address, as after a real re-enumeration");
    assert.equal(found.deviceAddress, bootloader.devnum);
    const opened = await client.ok<UsbDeviceInfo>({ op: "open", selector: before.portPath });
    assert.equal(opened.serialNumber, "BOOT");
    await client.ok({ op: "close" });
  });
});

Deno.test("lab CLI: runs a command with the named devices and returns its exit code", async () => {
  const main = new URL("../../scripts/usb_lab/main.ts", import.meta.url).pathname;
  const run = (args: string[]) =>
    new Deno.Command(Deno.execPath(), { args: ["run", "-A", "--quiet", main, ...args], stdin: "null" }).output();
  const decoder = new TextDecoder();

  const listed = await run(["--device", "dfu-minimal", "--serial", "CLI1", "--", "dfu-util", "-l"]);
  assert.equal(listed.code, 0, decoder.decode(listed.stderr));
  assert.match(decoder.decode(listed.stdout), /Found DFU: \[0483:df11\].*serial="CLI1"/);

  const exitCode = await run([
    "--chip",
    "vendor-test",
    "--",
    "sh",
    "-c",
    'test -e "$UMOCKDEV_DIR/dev/bus/usb/001/002" && exit 7',
  ]);
  assert.equal(exitCode.code, 7, decoder.decode(exitCode.stderr));

  const unknown = await run(["--device", "no-such-device", "--", "true"]);
  assert.equal(unknown.code, 2);
  assert.match(decoder.decode(unknown.stderr), /unknown lab device 'no-such-device'; known: vendor-test, dfu-minimal/);

  const devices = await run(["--list-devices"]);
  assert.match(decoder.decode(devices.stdout), /^dfu-minimal +0483:df11/m);
});

Deno.test("lab: a device the testbed refuses fails startUsbLab and leaves nothing running", async () => {
  const broken = new VendorTestDevice();
  broken.descriptors = () => Uint8Array.of(1, 2, 3); // too short to be a device descriptor
  await assert.rejects(startUsbLab({ devices: [broken] }), (error: Error) => error.name === "UsbLabError");
});
