/**
 * Small simulated devices that exercise the USB transport and the lab:
 * - {@linkcode VendorTestDevice}: a vendor-class device with an echo memory, a slow request, a stalling request
 *   and one interface with two named alternate settings.
 * - {@linkcode MinimalDfuDevice}: a DFU-mode device (0483:df11 by default) with a DFU functional descriptor, enough
 *   for `dfu-util -l` to list it and for DFU_GETSTATUS / DFU_GETSTATE.
 *
 * @module
 */

import { type ControlReply, type SimulatedUsbDevice, STALL, type UsbSetup } from "../../lib/transport/usb/control.ts";
import { buildDescriptors } from "../../lib/transport/usb/descriptor_builder.ts";

/** Vendor requests of {@linkcode VendorTestDevice} (bmRequestType 0x41 OUT / 0xC1 IN, recipient interface). */
export const VENDOR_REQUEST = {
  /** OUT: store the data stage in the echo memory. */
  WRITE: 0x01,
  /** IN: return the echo memory (up to wLength bytes). */
  READ: 0x02,
  /** IN: return [interface, alternate setting] of the last SET_INTERFACE. */
  ALT: 0x03,
  /** IN: answer after wValue ms with [0x5a] (for timeouts). */
  SLOW: 0x04,
  /** Anything else, e.g. 0x0f: STALL. */
  STALLS: 0x0f,
} as const;

/** pid.codes test VID/PID (pid.codes: 1209:0001 is reserved for testing). */
export const VENDOR_TEST_ID = { idVendor: 0x1209, idProduct: 0x0001 } as const;

/** A vendor-class test device. */
export class VendorTestDevice implements SimulatedUsbDevice {
  /** Bytes stored by the last WRITE request. */
  memory: Uint8Array = new Uint8Array(0);
  /** [interface, alternate setting] of the last SET_INTERFACE. */
  alternate: [number, number] = [0, 0];
  /** Every control request received, in order. */
  readonly requests: UsbSetup[] = [];
  #serial: string;

  constructor(serial = "LAB0001") {
    this.#serial = serial;
  }

  descriptors(): Uint8Array {
    return buildDescriptors({ ...VENDOR_TEST_ID, bcdDevice: 0x0102, iManufacturer: 1, iProduct: 2, iSerialNumber: 3 }, [
      {
        interfaces: [
          { bInterfaceNumber: 0, bAlternateSetting: 0, bInterfaceClass: 0xff, iInterface: 4 },
          { bInterfaceNumber: 0, bAlternateSetting: 1, bInterfaceClass: 0xff, iInterface: 5 },
        ],
      },
    ]);
  }

  strings(): ReadonlyMap<number, string> {
    return new Map([
      [1, "flashrecipe lab"],
      [2, "Vendor Test Device"],
      [3, this.#serial],
      [4, "Setting Zero"],
      [5, "Setting One"],
    ]);
  }

  async handleControl(setup: UsbSetup, data: Uint8Array): Promise<ControlReply> {
    this.requests.push(setup);
    if (setup.bmRequestType === 0x41 && setup.bRequest === VENDOR_REQUEST.WRITE) {
      this.memory = data.slice();
      return undefined;
    }
    if (setup.bmRequestType === 0xc1 && setup.bRequest === VENDOR_REQUEST.READ) {
      return this.memory.slice(0, setup.wLength);
    }
    if (setup.bmRequestType === 0xc1 && setup.bRequest === VENDOR_REQUEST.ALT) {
      return Uint8Array.from(this.alternate);
    }
    if (setup.bmRequestType === 0xc1 && setup.bRequest === VENDOR_REQUEST.SLOW) {
      await new Promise((resolve) => setTimeout(resolve, setup.wValue));
      return Uint8Array.of(0x5a);
    }
    return STALL;
  }

  setAlternateSetting(interfaceNumber: number, alternateSetting: number): void {
    this.alternate = [interfaceNumber, alternateSetting];
  }
}

/** Options of {@linkcode MinimalDfuDevice}. */
export interface MinimalDfuOptions {
  /** Vendor id (default 0x0483, STMicroelectronics). */
  idVendor?: number;
  /** Product id (default 0xdf11, the STM32 ROM DFU bootloader, AN3156). */
  idProduct?: number;
  /** Serial number string. */
  serial?: string;
  /** Names of the alternate settings (DfuSe memory layouts, AN3156 §4). */
  settings?: string[];
}

/** A DFU-mode device that only reports status: enough for listings and DFU_GETSTATUS. */
export class MinimalDfuDevice implements SimulatedUsbDevice {
  #options: Required<MinimalDfuOptions>;

  constructor(options: MinimalDfuOptions = {}) {
    this.#options = {
      idVendor: options.idVendor ?? 0x0483,
      idProduct: options.idProduct ?? 0xdf11,
      serial: options.serial ?? "DFU0001",
      settings: options.settings ??
        ["@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg", "@Option Bytes  /0x1FFFC000/01*016 e"],
    };
  }

  descriptors(): Uint8Array {
    // DFU functional descriptor (DFU 1.1 §4.1.3 table 4.2): bLength 9, type 0x21, bmAttributes
    // (bitWillDetach|bitCanUpload|bitCanDnload = 0x0b), wDetachTimeOut 255, wTransferSize 2048, bcdDFUVersion 1.1a
    // (DfuSe, AN3156 §4).
    const functional = Uint8Array.of(9, 0x21, 0x0b, 0xff, 0x00, 0x00, 0x08, 0x1a, 0x01);
    const o = this.#options;
    return buildDescriptors(
      {
        idVendor: o.idVendor,
        idProduct: o.idProduct,
        bcdDevice: 0x2200,
        iManufacturer: 1,
        iProduct: 2,
        iSerialNumber: 3,
      },
      [{
        interfaces: o.settings.map((_, alt) => ({
          bInterfaceNumber: 0,
          bAlternateSetting: alt,
          bInterfaceClass: 0xfe, // application specific
          bInterfaceSubClass: 0x01, // DFU
          bInterfaceProtocol: 0x02, // DFU mode (DFU 1.1 §4.2.3)
          iInterface: 4 + alt,
          extra: alt === o.settings.length - 1 ? [functional] : [],
        })),
      }],
    );
  }

  strings(): ReadonlyMap<number, string> {
    const entries: [number, string][] = [[1, "STMicroelectronics"], [2, "STM32  BOOTLOADER"], [
      3,
      this.#options.serial,
    ]];
    this.#options.settings.forEach((name, alt) => entries.push([4 + alt, name]));
    return new Map(entries);
  }

  handleControl(setup: UsbSetup): Promise<ControlReply> {
    // DFU_GETSTATUS = 3, DFU_GETSTATE = 5 (DFU 1.1 §6.1.2, §6.1.5); state dfuIDLE = 2, status OK = 0.
    if (setup.bmRequestType === 0xa1 && setup.bRequest === 3) return Promise.resolve(Uint8Array.of(0, 0, 0, 0, 2, 0));
    if (setup.bmRequestType === 0xa1 && setup.bRequest === 5) return Promise.resolve(Uint8Array.of(2));
    if (setup.bmRequestType === 0x21 && setup.bRequest === 6) return Promise.resolve(undefined); // DFU_ABORT
    return Promise.resolve(STALL);
  }

  setAlternateSetting(): void {}
}
