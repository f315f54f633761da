/**
 * Connects a host-side {@linkcode UsbControlDevice} directly to a {@linkcode SimulatedUsbDevice} in the same
 * process, without libusb or the virtual lab: for fast unit tests of protocol code (e.g. the DfuSe host). Standard
 * GET_DESCRIPTOR requests are answered from the device's descriptors and strings, as the lab does.
 *
 * @module
 */

import { type SimulatedUsbDevice, STALL, type UsbControlDevice, type UsbSetup } from "./control.ts";
import { parseConfigurationDescriptor } from "./descriptors.ts";
import { answerStandardRequest, configurationDescriptor } from "./standard_requests.ts";
import { UsbError } from "./usb_errors.ts";

function describe(setup: UsbSetup): string {
  return `control transfer ${setup.bmRequestType.toString(16)}/${setup.bRequest.toString(16)}`;
}

/**
 * Returns a {@linkcode UsbControlDevice} whose transfers go straight to `device`. A STALL becomes `E_USB_STALL`;
 * timeouts are not simulated (a slow device just takes its time); after `close`, calls fail with `E_USB_CLOSED`.
 */
export function simulatedControlDevice(device: SimulatedUsbDevice): UsbControlDevice {
  let closed = false;
  const claimed = new Set<number>();
  const interfaces = () => {
    const config = configurationDescriptor(device.descriptors(), 0);
    return config ? parseConfigurationDescriptor(config).interfaces : [];
  };
  const open = () => {
    if (closed) throw new UsbError("E_USB_CLOSED", "the simulated USB device was already closed");
  };
  const transfer = async (setup: UsbSetup, data: Uint8Array) => {
    open();
    const reply = answerStandardRequest(device, setup) ?? await device.handleControl(setup, data);
    if (reply === STALL) {
      throw new UsbError("E_USB_STALL", `simulated device stalled ${describe(setup)}`, {
        hint: "the device refused the request; its state may not allow it",
      });
    }
    return reply;
  };
  return {
    async controlIn(setup) {
      const reply = await transfer({ ...setup, bmRequestType: setup.bmRequestType | 0x80 }, new Uint8Array(0));
      return (reply ?? new Uint8Array(0)).slice(0, setup.wLength);
    },
    async controlOut(setup, data) {
      if (data.length !== setup.wLength) {
        throw new RangeError(`controlOut: ${data.length} data bytes but wLength ${setup.wLength}`);
      }
      await transfer({ ...setup, bmRequestType: setup.bmRequestType & 0x7f }, data.slice());
    },
    claimInterface(interfaceNumber) {
      open();
      if (!interfaces().some((i) => i.bInterfaceNumber === interfaceNumber)) {
        return Promise.reject(new UsbError("E_USB_NOT_FOUND", `the device has no interface ${interfaceNumber}`));
      }
      claimed.add(interfaceNumber);
      return Promise.resolve();
    },
    setAlternateSetting(interfaceNumber, alternateSetting) {
      open();
      const iface = interfaces().find((i) => i.bInterfaceNumber === interfaceNumber);
      if (
        !claimed.has(interfaceNumber) || !iface?.alternateSettings.some((s) => s.bAlternateSetting === alternateSetting)
      ) {
        return Promise.reject(
          new UsbError(
            "E_USB_NOT_FOUND",
            `no alternate setting ${alternateSetting} on claimed interface ${interfaceNumber}`,
          ),
        );
      }
      device.setAlternateSetting(interfaceNumber, alternateSetting);
      return Promise.resolve();
    },
    getStringDescriptor(index) {
      open();
      if (index === 0) return Promise.resolve("");
      const text = device.strings().get(index);
      return text === undefined
        ? Promise.reject(new UsbError("E_USB_STALL", `simulated device has no string ${index}`))
        : Promise.resolve(text);
    },
    close() {
      closed = true;
      claimed.clear();
      return Promise.resolve();
    },
  };
}
