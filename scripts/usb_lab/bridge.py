#!/usr/bin/python3
"""Virtual USB lab bridge: a umockdev testbed whose /dev/bus/usb nodes answer usbdevfs ioctls.

Device behaviour lives in the TypeScript lab (scripts/usb_lab/lab.ts), which starts this script as a child
and talks to it over JSON lines on stdin/stdout. The protocol is documented in scripts/usb_lab/README.md.

Only control transfers (endpoint 0) are emulated; that is all a DFU host needs (DFU 1.1 section 3).

Sources of the facts used here:
- ioctl numbers and struct layouts: linux/include/uapi/linux/usbdevice_fs.h (x86_64 layout of usbdevfs_urb:
  type@0, endpoint@1, status@4, buffer@16, buffer_length@24, actual_length@28, size 56).
- umockdev ioctl handler API (IoctlBase "handle-ioctl", IoctlData.resolve/update/set_ptr, IoctlClient.complete):
  umockdev src/umockdev-ioctl.vala documentation comments.
- URB status codes libusb maps to transfer results: libusb libusb/os/linux_usbfs.c handle_control_completion.
"""

import errno
import json
import os
import shutil
import struct
import sys
import threading

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402


def _ioc(direction, nr, size):
    """Linux _IOC encoding for type 'U' (include/uapi/asm-generic/ioctl.h): dir<<30 | size<<16 | type<<8 | nr."""
    return (direction << 30) | (size << 16) | (ord("U") << 8) | nr


_IOC_NONE, _IOC_WRITE, _IOC_READ = 0, 1, 2
URB_SIZE = 56
PTR_SIZE = struct.calcsize("P")

# linux/usbdevice_fs.h; _IOR/_IOW are named from user space's point of view there.
USBDEVFS_RESETEP = _ioc(_IOC_READ, 3, 4)
USBDEVFS_SETINTERFACE = _ioc(_IOC_READ, 4, 8)
USBDEVFS_SETCONFIGURATION = _ioc(_IOC_READ, 5, 4)
USBDEVFS_GETDRIVER = _ioc(_IOC_WRITE, 8, 4 + 256)
USBDEVFS_SUBMITURB = _ioc(_IOC_READ, 10, URB_SIZE)
USBDEVFS_DISCARDURB = _ioc(_IOC_NONE, 11, 0)
USBDEVFS_REAPURB = _ioc(_IOC_WRITE, 12, PTR_SIZE)
USBDEVFS_REAPURBNDELAY = _ioc(_IOC_WRITE, 13, PTR_SIZE)
USBDEVFS_CLAIMINTERFACE = _ioc(_IOC_READ, 15, 4)
USBDEVFS_RELEASEINTERFACE = _ioc(_IOC_READ, 16, 4)
USBDEVFS_IOCTL = _ioc(_IOC_READ | _IOC_WRITE, 18, 16)
USBDEVFS_RESET = _ioc(_IOC_NONE, 20, 0)
USBDEVFS_CLEAR_HALT = _ioc(_IOC_READ, 21, 4)
USBDEVFS_DISCONNECT = _ioc(_IOC_NONE, 22, 0)
USBDEVFS_CONNECT = _ioc(_IOC_NONE, 23, 0)
USBDEVFS_GET_CAPABILITIES = _ioc(_IOC_READ, 26, 4)
USBDEVFS_GET_SPEED = _ioc(_IOC_NONE, 31, 0)

USBDEVFS_URB_TYPE_CONTROL = 2
# Capabilities we claim: plain ones that need no emulation of their own (usbdevice_fs.h USBDEVFS_CAP_*).
CAPABILITIES = 0x01 | 0x02 | 0x04 | 0x08  # ZERO_PACKET, BULK_CONTINUATION, NO_PACKET_SIZE_LIM, BULK_SCATTER_GATHER
# usb_device_speed enum of the kernel, reported by USBDEVFS_GET_SPEED (include/uapi/linux/usb/ch9.h).
SPEED_CODES = {"1.5": 1, "12": 2, "480": 3, "5000": 5}

_out_lock = threading.Lock()


def send(message):
    """Writes one JSON line to the TypeScript side."""
    line = json.dumps(message, separators=(",", ":")) + "\n"
    with _out_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def log(text):
    sys.stderr.write("usb_lab bridge: %s\n" % text)
    sys.stderr.flush()


class Urb:
    """A submitted control URB: the resolved usbdevfs_urb and its buffer (setup packet + data)."""

    def __init__(self, data, buffer, client_addr):
        self.data = data
        self.buffer = buffer
        self.client_addr = client_addr


class EmulatedDevice:
    """The usbdevfs side of one simulated device: its ioctl handler and URB queues."""

    def __init__(self, lab, dev_id, devnode, speed):
        self.lab = lab
        self.dev_id = dev_id
        self.devnode = devnode
        self.speed = speed
        self.lock = threading.Lock()
        self.gone = False
        self.next_seq = 1
        self.flying = {}  # seq -> Urb, waiting for the TypeScript answer
        self.done = []  # Urb objects ready to be reaped, oldest first
        self.reapers = []  # IoctlClient objects blocked in USBDEVFS_REAPURB
        self.handler = UMockdev.IoctlBase()
        self.handler.connect("handle-ioctl", self.on_ioctl)

    # Runs on umockdev's worker thread.
    def on_ioctl(self, _handler, client):
        request = client.get_request()
        arg = client.get_arg()
        try:
            return self.dispatch(request, arg, client)
        except Exception as error:  # report, then fail the ioctl rather than hang the client
            log("ioctl 0x%x on %s failed: %r" % (request, self.devnode, error))
            client.complete(-1, errno.EIO)
            return True

    def dispatch(self, request, arg, client):
        if request == USBDEVFS_GET_CAPABILITIES:
            caps = arg.resolve(0, 4)
            caps.update(0, struct.pack("=I", CAPABILITIES))
            client.complete(0, 0)
            return True
        with self.lock:
            gone = self.gone
        if gone and request not in (USBDEVFS_REAPURB, USBDEVFS_REAPURBNDELAY):
            client.complete(-1, errno.ENODEV)
            return True
        if request in (USBDEVFS_CLAIMINTERFACE, USBDEVFS_RELEASEINTERFACE, USBDEVFS_CLEAR_HALT, USBDEVFS_RESETEP,
                       USBDEVFS_RESET, USBDEVFS_SETCONFIGURATION, USBDEVFS_CONNECT):
            client.complete(0, 0)
        elif request == USBDEVFS_GETDRIVER:
            client.complete(-1, errno.ENODATA)  # no kernel driver is bound
        elif request in (USBDEVFS_DISCONNECT, USBDEVFS_IOCTL):
            client.complete(-1, errno.ENODATA)
        elif request == USBDEVFS_GET_SPEED:
            client.complete(SPEED_CODES.get(self.speed, 0), 0)
        elif request == USBDEVFS_SETINTERFACE:
            setting = arg.resolve(0, 8)
            interface, alternate = struct.unpack("=II", bytes(setting.retrieve()))
            send({"op": "setalt", "dev": self.dev_id, "interface": interface, "alt": alternate})
            client.complete(0, 0)
        elif request == USBDEVFS_SUBMITURB:
            self.submit(arg, client)
        elif request in (USBDEVFS_REAPURB, USBDEVFS_REAPURBNDELAY):
            self.reap(arg, client, request == USBDEVFS_REAPURB)
        elif request == USBDEVFS_DISCARDURB:
            self.discard(arg, client)
        else:
            client.complete(-1, errno.ENOTTY)
        return True

    def submit(self, arg, client):
        urb_data = arg.resolve(0, URB_SIZE)
        raw = bytes(urb_data.retrieve())
        client_addr = urb_data.client_addr
        urb_type, endpoint = raw[0], raw[1]
        (buffer_length,) = struct.unpack_from("=i", raw, 24)
        if urb_type != USBDEVFS_URB_TYPE_CONTROL or endpoint & 0x7F != 0 or buffer_length < 8:
            client.complete(-1, errno.EINVAL)  # only control transfers on endpoint 0 are emulated
            return
        buffer = urb_data.resolve(16, buffer_length)
        content = bytes(buffer.retrieve())
        setup = content[:8]
        request_type, request, value, index, length = struct.unpack("<BBHHH", setup)
        urb = Urb(urb_data, buffer, client_addr)
        with self.lock:
            seq = self.next_seq
            self.next_seq += 1
            self.flying[seq] = urb
        client.complete(0, 0)
        out_data = b"" if request_type & 0x80 else content[8:8 + length]
        send({"op": "control", "dev": self.dev_id, "seq": seq, "setup": [request_type, request, value, index, length],
              "data": out_data.hex()})

    def reap(self, arg, client, blocking):
        with self.lock:
            if self.done:
                urb = self.done.pop(0)  # after an unplug, URBs that ended with -ESHUTDOWN are still reaped
            elif self.gone:
                client.complete(-1, errno.ENODEV)
                return
            elif blocking:
                self.reapers.append((arg, client))
                return
            else:
                urb = None
        if urb is None:
            client.complete(-1, errno.EAGAIN)
        else:
            self.hand_over(arg, client, urb)

    @staticmethod
    def hand_over(arg, client, urb):
        """Completes a reap ioctl with `urb`: its pointer goes back to the client, with our changes flushed."""
        pointer = arg.resolve(0, PTR_SIZE)
        pointer.set_ptr(0, urb.data)
        client.complete(0, 0)

    def discard(self, arg, client):
        (address,) = struct.unpack("=Q", bytes(arg.retrieve())[:8])
        with self.lock:
            found = [seq for seq, urb in self.flying.items() if urb.client_addr == address]
            if not found:
                client.complete(-1, errno.EINVAL)
                return
            urb = self.flying.pop(found[0])
        # A discarded URB is reaped with -ENOENT (libusb linux_usbfs.c: cancelled transfer).
        self.finish(urb, -errno.ENOENT, b"")
        client.complete(0, 0)

    def finish(self, urb, status, data, actual_length=None):
        """Fills in the URB result and queues it for reaping (or hands it to a blocked reaper).

        `actual_length` counts data-stage bytes only, never the setup packet (libusb linux_usbfs.c)."""
        if data:
            urb.buffer.update(8, data)
        urb.data.update(4, struct.pack("=i", status))
        urb.data.update(28, struct.pack("=i", len(data) if actual_length is None else actual_length))
        with self.lock:
            if self.reapers:
                arg, client = self.reapers.pop(0)
            else:
                self.done.append(urb)
                return
        self.hand_over(arg, client, urb)

    # Runs on the stdin thread.
    def answer(self, seq, status, data):
        with self.lock:
            urb = self.flying.pop(seq, None)
        if urb is None:
            return  # discarded meanwhile (host timeout)
        raw = bytes(urb.data.retrieve())
        (buffer_length,) = struct.unpack_from("=i", raw, 24)
        request_type = bytes(urb.buffer.retrieve())[0]
        (length,) = struct.unpack_from("<H", bytes(urb.buffer.retrieve()), 6)
        if status == "stall":
            self.finish(urb, -errno.EPIPE, b"")
        elif request_type & 0x80:
            self.finish(urb, 0, data[:min(length, buffer_length - 8)])
        else:
            # OUT: the whole data stage was accepted.
            self.finish(urb, 0, b"", length)

    def unplug(self):
        """The device went away: in-flight URBs end with -ESHUTDOWN, later ioctls fail with ENODEV."""
        with self.lock:
            self.gone = True
            pending = list(self.flying.values())
            self.flying.clear()
        for urb in pending:
            self.finish(urb, -errno.ESHUTDOWN, b"")
        with self.lock:
            reapers = self.reapers
            self.reapers = []
        for _arg, client in reapers:
            client.complete(-1, errno.ENODEV)


class Lab:
    def __init__(self):
        self.testbed = UMockdev.Testbed.new()
        self.root = self.testbed.get_root_dir()
        self.devices = {}  # id -> (EmulatedDevice, syspath)

    def add(self, message):
        bus = int(message["busnum"])
        address = int(message["devnum"])
        port = message["port"]  # sysfs name such as "1-2" or "1-2.3"
        speed = str(message.get("speed", "12"))
        devnode = "/dev/bus/usb/%03d/%03d" % (bus, address)
        device = EmulatedDevice(self, message["id"], devnode, speed)
        # The handler must be attached before the node exists, so an opener always finds the socket.
        self.testbed.attach_ioctl(devnode, device.handler)
        descriptors = bytes.fromhex(message["descriptors"])
        vendor, product, release = struct.unpack_from("<HHH", descriptors, 8)
        lines = [
            "P: /devices/usb%d/%s" % (bus, port),
            "N: bus/usb/%03d/%03d" % (bus, address),
            "E: SUBSYSTEM=usb",
            "E: DEVTYPE=usb_device",
            "E: DRIVER=usb",
            "E: DEVNAME=%s" % devnode,
            "E: BUSNUM=%03d" % bus,
            "E: DEVNUM=%03d" % address,
            "E: PRODUCT=%x/%x/%x" % (vendor, product, release),
            "A: busnum=%d\\n" % bus,
            "A: devnum=%d\\n" % address,
            "A: speed=%s\\n" % speed,
            "A: bConfigurationValue=1\\n",
            "A: idVendor=%04x\\n" % vendor,
            "A: idProduct=%04x\\n" % product,
            "H: descriptors=%s" % descriptors.hex(),
        ]
        self.testbed.add_from_string("\n".join(lines) + "\n")
        syspath = "/sys/devices/usb%d/%s" % (bus, port)
        # add_from_string only raises the uevent itself inside the mock environment; we are outside it.
        self.testbed.uevent(syspath, "add")
        self.devices[message["id"]] = (device, syspath)

    def remove(self, message):
        device, syspath = self.devices.pop(message["id"])
        device.unplug()
        self.testbed.remove_device(syspath)

    def answer(self, message):
        entry = self.devices.get(message["dev"])
        if entry is None:
            return
        entry[0].answer(int(message["seq"]), message["status"], bytes.fromhex(message.get("data", "")))

    def close(self):
        for device, _syspath in self.devices.values():
            device.unplug()
        shutil.rmtree(self.root, ignore_errors=True)


def main():
    lab = Lab()
    send({"op": "ready", "dir": lab.root})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        message = json.loads(line)
        op = message["op"]
        if op == "reply":
            lab.answer(message)
            continue
        try:
            if op == "add":
                lab.add(message)
            elif op == "remove":
                lab.remove(message)
            elif op == "quit":
                break
            else:
                raise ValueError("unknown op %r" % op)
            send({"op": "ok", "ref": message.get("ref")})
        except Exception as error:
            send({"op": "error", "ref": message.get("ref"), "message": str(error)})
    lab.close()
    send({"op": "bye"})
    sys.stdout.flush()
    os._exit(0)  # do not wait for umockdev's worker thread


if __name__ == "__main__":
    main()
