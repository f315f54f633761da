/**
 * Port listing against a sysfs-shaped fixture tree built in a temp dir (relative symlinks as the kernel
 * makes them), never the live /sys.
 */

import assert from "node:assert/strict";
import { dirname, relative } from "node:path";
import { DeviceError, InputError } from "../../lib/errors.ts";
import {
  formatPortList,
  listSerialPorts,
  selectSerialPort,
  type SerialPortInfo,
} from "../../lib/transport/serial/list_ports.ts";

const USB_HOST = "devices/pci0000:00/0000:00:14.0/usb1";
/**
 * The fixture is a sysfs tree with relative symlinks, which Windows cannot make without knowing each target's kind;
 * the Windows listing's own tests are in lib/transport/serial/windows_port_ids_test.ts.
 */
const sysfsOnly = Deno.build.os === "windows";

/** Builds a fake sysfs under `root`. */
class Sysfs {
  constructor(readonly root: string) {}

  async file(path: string, text: string): Promise<void> {
    await Deno.mkdir(dirname(`${this.root}/${path}`), { recursive: true });
    await Deno.writeTextFile(`${this.root}/${path}`, `${text}\n`);
  }

  async dir(path: string): Promise<void> {
    await Deno.mkdir(`${this.root}/${path}`, { recursive: true });
  }

  /** A relative symlink at `from` pointing to `to` (both relative to the root). */
  async link(from: string, to: string): Promise<void> {
    await Deno.mkdir(dirname(`${this.root}/${from}`), { recursive: true });
    await Deno.mkdir(`${this.root}/${to}`, { recursive: true });
    await Deno.symlink(relative(dirname(`${this.root}/${from}`), `${this.root}/${to}`), `${this.root}/${from}`);
  }

  async usbDevice(name: string, ids: Record<string, string>): Promise<string> {
    const dir = `${USB_HOST}/${name}`;
    for (const [attribute, value] of Object.entries(ids)) await this.file(`${dir}/${attribute}`, value);
    await this.link(`${dir}/driver`, "bus/usb/drivers/usb");
    return dir;
  }

  /** usb-serial style: interface -> ttyUSBn (driver) -> tty/ttyUSBn; class link to the tty dir. */
  async usbSerial(device: string, iface: string, number: string, tty: string, driver: string): Promise<void> {
    const ifaceDir = `${device}/${iface}`;
    await this.file(`${ifaceDir}/bInterfaceNumber`, number);
    await this.link(`${ifaceDir}/driver`, `bus/usb/drivers/${driver.replace("-uart", "")}`);
    await this.link(`${ifaceDir}/${tty}/driver`, `bus/usb-serial/drivers/${driver}`);
    await this.link(`${ifaceDir}/${tty}/tty/${tty}/device`, `${ifaceDir}/${tty}`);
    await this.link(`class/tty/${tty}`, `${ifaceDir}/${tty}/tty/${tty}`);
  }
}

async function buildFixture(root: string): Promise<void> {
  const sys = new Sysfs(root);
  // Silicon Labs CP2102N (cp210x): ttyUSB0
  const cp2102 = await sys.usbDevice("1-1", {
    idVendor: "10c4",
    idProduct: "ea60",
    serial: "a4b1c2d3e4f5",
    manufacturer: "Silicon Labs",
    product: "CP2102N USB to UART Bridge Controller",
  });
  await sys.usbSerial(cp2102, "1-1:1.0", "00", "ttyUSB0", "cp210x");
  // QinHeng CH340 (ch341-uart), behind a hub, no serial number: ttyUSB1
  const ch340 = await sys.usbDevice("1-2/1-2.4", { idVendor: "1a86", idProduct: "7523", product: "USB Serial" });
  await sys.usbSerial(ch340, "1-2.4:1.0", "00", "ttyUSB1", "ch341-uart");
  // STM32 virtual COM port (cdc_acm): ttyACM0, the interface itself is the device
  const stm32 = await sys.usbDevice("1-3", {
    idVendor: "0483",
    idProduct: "5740",
    serial: "205E3072484E",
    manufacturer: "STMicroelectronics",
    product: "STM32 Virtual ComPort",
  });
  await sys.file(`${stm32}/1-3:1.0/bInterfaceNumber`, "00");
  await sys.link(`${stm32}/1-3:1.0/driver`, "bus/usb/drivers/cdc_acm");
  await sys.link(`${stm32}/1-3:1.0/tty/ttyACM0/device`, `${stm32}/1-3:1.0`);
  await sys.link("class/tty/ttyACM0", `${stm32}/1-3:1.0/tty/ttyACM0`);
  // Built-in 16550A on pnp 00:04, behind serial-core's ctrl/port devices (Linux 6.x): ttyS0
  const pnp = "devices/pnp0/00:04";
  await sys.link(`${pnp}/driver`, "bus/pnp/drivers/serial");
  await sys.link(`${pnp}/00:04:0/driver`, "bus/serial-base/drivers/ctrl");
  await sys.link(`${pnp}/00:04:0/00:04:0.0/driver`, "bus/serial-base/drivers/port");
  await sys.link(`${pnp}/00:04:0/00:04:0.0/tty/ttyS0/device`, `${pnp}/00:04:0/00:04:0.0`);
  await sys.file(`${pnp}/00:04:0/00:04:0.0/tty/ttyS0/type`, "4");
  await sys.link("class/tty/ttyS0", `${pnp}/00:04:0/00:04:0.0/tty/ttyS0`);
  // An 8250 slot without a UART (type 0, PORT_UNKNOWN): ttyS1, left out
  await sys.link("devices/platform/serial8250/tty/ttyS1/device", "devices/platform/serial8250");
  await sys.file("devices/platform/serial8250/tty/ttyS1/type", "0");
  await sys.link("class/tty/ttyS1", "devices/platform/serial8250/tty/ttyS1");
  // Virtual terminals and ptmx: no device link, left out
  await sys.dir("devices/virtual/tty/tty0");
  await sys.link("class/tty/tty0", "devices/virtual/tty/tty0");
  await sys.dir("devices/virtual/tty/ptmx");
  await sys.link("class/tty/ptmx", "devices/virtual/tty/ptmx");
}

async function withFixture(body: (ports: SerialPortInfo[]) => Promise<void> | void): Promise<void> {
  const root = await Deno.makeTempDir();
  try {
    await buildFixture(root);
    await body(await listSerialPorts(root, "/dev"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test({
  name: "listSerialPorts: USB adapters with their identity, the built-in UART, nothing virtual",
  ignore: sysfsOnly,
  fn: () =>
    withFixture((ports) => {
      assert.deepEqual(ports, [
        {
          path: "/dev/ttyACM0",
          driver: "cdc_acm",
          vid: 0x0483,
          pid: 0x5740,
          serialNumber: "205E3072484E",
          manufacturer: "STMicroelectronics",
          product: "STM32 Virtual ComPort",
          interfaceNumber: 0,
          location: "1-3",
        },
        { path: "/dev/ttyS0", driver: "serial" },
        {
          path: "/dev/ttyUSB0",
          driver: "cp210x",
          vid: 0x10c4,
          pid: 0xea60,
          serialNumber: "a4b1c2d3e4f5",
          manufacturer: "Silicon Labs",
          product: "CP2102N USB to UART Bridge Controller",
          interfaceNumber: 0,
          location: "1-1",
        },
        {
          path: "/dev/ttyUSB1",
          driver: "ch341-uart",
          vid: 0x1a86,
          pid: 0x7523,
          product: "USB Serial",
          interfaceNumber: 0,
          location: "1-2.4",
        },
      ]);
    }),
});

Deno.test("listSerialPorts: a system without /sys/class/tty has no ports", async () => {
  const root = await Deno.makeTempDir();
  try {
    assert.deepEqual(await listSerialPorts(root), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test({
  name: "selectSerialPort: by vid:pid, by serial, by path",
  ignore: sysfsOnly,
  fn: () =>
    withFixture((ports) => {
      assert.equal(selectSerialPort(ports, { vid: 0x0483, pid: 0x5740 }).path, "/dev/ttyACM0");
      assert.equal(selectSerialPort(ports, { serial: "a4b1c2d3e4f5" }).path, "/dev/ttyUSB0");
      assert.equal(selectSerialPort(ports, { vid: 0x1a86 }).driver, "ch341-uart");
      assert.equal(selectSerialPort(ports, { path: "/dev/ttyS0" }).driver, "serial");
      // a path the list does not show (pty, by-id symlink) is taken as given
      assert.deepEqual(selectSerialPort(ports, { path: "/dev/pts/7" }), { path: "/dev/pts/7", driver: "" });
    }),
});

Deno.test({
  name: "selectSerialPort: several USB adapters and no criteria is E_PORT_AMBIGUOUS listing them",
  ignore: sysfsOnly,
  fn: () =>
    withFixture((ports) => {
      assert.throws(() => selectSerialPort(ports, {}), (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.equal(error.code, "E_PORT_AMBIGUOUS");
        assert.match(error.message, /3 serial ports/);
        assert.match(error.message, /\/dev\/ttyUSB0 10c4:ea60 serial a4b1c2d3e4f5/);
        assert.match(error.message, /\/dev\/ttyACM0 0483:5740/);
        assert.doesNotMatch(error.message, /ttyS0/);
        return true;
      });
    }),
});

Deno.test({
  name: "selectSerialPort: one USB adapter among built-in ports is chosen without criteria",
  ignore: sysfsOnly,
  fn: () =>
    withFixture((ports) => {
      const some = ports.filter((port) => port.path === "/dev/ttyS0" || port.path === "/dev/ttyUSB1");
      assert.equal(selectSerialPort(some).path, "/dev/ttyUSB1");
    }),
});

Deno.test({
  name: "selectSerialPort: nothing matching is E_PORT_NOT_FOUND listing what is there",
  ignore: sysfsOnly,
  fn: () =>
    withFixture((ports) => {
      assert.throws(() => selectSerialPort(ports, { vid: 0x0483, pid: 0xdf11 }), (error: unknown) => {
        assert.ok(error instanceof DeviceError);
        assert.equal(error.code, "E_PORT_NOT_FOUND");
        assert.match(error.message, /vid 0483, pid df11/);
        assert.match(error.message, /\/dev\/ttyUSB1 1a86:7523/);
        assert.match(error.hint ?? "", /ports/);
        return true;
      });
      assert.throws(() => selectSerialPort([], {}), /no serial ports are present/);
    }),
});

Deno.test({
  name: "formatPortList: aligned table, and a note when empty",
  ignore: sysfsOnly,
  fn: () =>
    withFixture((ports) => {
      assert.equal(
        formatPortList(ports),
        [
          "PORT          VID:PID    DRIVER      SERIAL        DESCRIPTION",
          "/dev/ttyACM0  0483:5740  cdc_acm     205E3072484E  STMicroelectronics STM32 Virtual ComPort",
          "/dev/ttyS0    -          serial      -             built-in or non-USB serial port",
          "/dev/ttyUSB0  10c4:ea60  cp210x      a4b1c2d3e4f5  Silicon Labs CP2102N USB to UART Bridge Controller",
          "/dev/ttyUSB1  1a86:7523  ch341-uart  -             USB Serial",
          "",
        ].join("\n"),
      );
      assert.match(formatPortList([]), /no serial ports found/);
    }),
});
