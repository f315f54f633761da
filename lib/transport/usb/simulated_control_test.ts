import assert from "node:assert/strict";
import { type ControlReply, type SimulatedUsbDevice, STALL, type UsbSetup } from "./control.ts";
import { buildDescriptors } from "./descriptor_builder.ts";
import { simulatedControlDevice } from "./simulated_control.ts";

class EchoDevice implements SimulatedUsbDevice {
  stored: Uint8Array = new Uint8Array(0);
  alternate: [number, number] = [0, 0];
  descriptors() {
    return buildDescriptors({ idVendor: 0x1209, idProduct: 0x0001, iProduct: 1 }, [{
      interfaces: [
        { bInterfaceNumber: 0, bAlternateSetting: 0, bInterfaceClass: 0xff },
        { bInterfaceNumber: 0, bAlternateSetting: 1, bInterfaceClass: 0xff },
      ],
    }]);
  }
  strings() {
    return new Map([[1, "Echo"]]);
  }
  handleControl(setup: UsbSetup, data: Uint8Array): Promise<ControlReply> {
    if (setup.bmRequestType === 0x41) {
      this.stored = data;
      return Promise.resolve(undefined);
    }
    if (setup.bmRequestType === 0xc1 && setup.bRequest === 2) return Promise.resolve(this.stored);
    return Promise.resolve(STALL);
  }
  setAlternateSetting(interfaceNumber: number, alternateSetting: number) {
    this.alternate = [interfaceNumber, alternateSetting];
  }
}

Deno.test("simulated control device: transfers, strings, settings and stalls", async () => {
  const device = new EchoDevice();
  const host = simulatedControlDevice(device);
  await host.controlOut(
    { bmRequestType: 0x41, bRequest: 1, wValue: 0, wIndex: 0, wLength: 3 },
    Uint8Array.of(1, 2, 3),
    100,
  );
  assert.deepEqual(
    await host.controlIn({ bmRequestType: 0xc1, bRequest: 2, wValue: 0, wIndex: 0, wLength: 2 }, 100),
    Uint8Array.of(1, 2),
  );
  const deviceDescriptor = await host.controlIn({
    bmRequestType: 0x80,
    bRequest: 6,
    wValue: 0x0100,
    wIndex: 0,
    wLength: 18,
  }, 100);
  assert.equal(deviceDescriptor[8] | (deviceDescriptor[9] << 8), 0x1209);
  assert.equal(await host.getStringDescriptor(1), "Echo");
  await assert.rejects(host.setAlternateSetting(0, 1), { code: "E_USB_NOT_FOUND" }, "interface not claimed yet");
  await host.claimInterface(0);
  await host.setAlternateSetting(0, 1);
  assert.deepEqual(device.alternate, [0, 1]);
  await assert.rejects(host.setAlternateSetting(0, 2), { code: "E_USB_NOT_FOUND" });
  await assert.rejects(
    host.controlIn({ bmRequestType: 0xc1, bRequest: 9, wValue: 0, wIndex: 0, wLength: 1 }, 100),
    { code: "E_USB_STALL" },
  );
  await host.close();
  await assert.rejects(
    host.controlIn({ bmRequestType: 0xc1, bRequest: 2, wValue: 0, wIndex: 0, wLength: 1 }, 100),
    { code: "E_USB_CLOSED" },
  );
});
