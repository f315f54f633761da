/**
 * An in-memory USB "cable": wraps a {@linkcode SimulatedUsbDevice} as a host-side {@linkcode UsbControlDevice},
 * so the DfuSe host runs against a simulator without libusb. It plays the part of the host's USB stack:
 * standard GET_DESCRIPTOR requests (USB 2.0 §9.4.3) are answered from the device's descriptors and strings,
 * class requests go to the device, a STALL becomes a {@linkcode UsbStallError}, and an unplugged device makes
 * every transfer fail with {@linkcode UsbDisconnectedError} (as libusb reports LIBUSB_ERROR_PIPE and
 * LIBUSB_ERROR_NO_DEVICE). A device that holds off a request (NAKs it) for longer than the transfer's timeout makes
 * it fail with `E_USB_TIMEOUT`, as libusb's LIBUSB_ERROR_TIMEOUT does; the device still finishes the request.
 *
 * @module
 */

import { STALL } from "../../transport/usb/control.ts";
import type { SimulatedUsbDevice, UsbControlDevice, UsbSetup } from "../../transport/usb/control.ts";
import { UsbDisconnectedError, UsbStallError } from "../../protocol/dfu/errors.ts";
import { DescriptorType } from "../../protocol/dfu/interfaces.ts";
import { UsbError } from "../../transport/usb/usb_errors.ts";
import {
  answerGetDescriptor,
  configurations,
  isGetDescriptor,
  LANGUAGE_EN_US,
  StandardRequest,
} from "./standard_requests.ts";

/** Options of {@linkcode UsbLoopback}. */
export interface UsbLoopbackOptions {
  /** Unplug the device after this many control transfers have completed (the next one fails). */
  unplugAfterTransfers?: number;
}

function describe(setup: UsbSetup): string {
  return `control request 0x${setup.bmRequestType.toString(16)}/${setup.bRequest} (wValue ${setup.wValue})`;
}

/** A simulated device on an in-memory cable. */
export class UsbLoopback implements UsbControlDevice {
  /** The device at the other end. */
  readonly device: SimulatedUsbDevice;
  /** Control transfers completed so far. */
  transfers = 0;
  #unplugAfter?: number;
  #unplugged = false;
  #closed = false;
  #claimed = new Set<number>();

  constructor(device: SimulatedUsbDevice, options: UsbLoopbackOptions = {}) {
    this.device = device;
    this.#unplugAfter = options.unplugAfterTransfers;
  }

  /** True until the device is unplugged. */
  get connected(): boolean {
    return !this.#unplugged;
  }

  /** Unplugs the device once `count` more control transfers have completed (the one after fails). */
  unplugAfter(count: number): void {
    this.#unplugAfter = this.transfers + count;
  }

  /** Pulls the cable: every later transfer fails with {@linkcode UsbDisconnectedError}. */
  unplug(): void {
    this.#unplugged = true;
  }

  async controlIn(setup: UsbSetup, timeoutMs: number): Promise<Uint8Array> {
    this.#begin(setup);
    if (isGetDescriptor(setup)) {
      this.transfers++;
      const descriptor = answerGetDescriptor(this.device, setup);
      if (!descriptor) throw new UsbStallError(describe(setup));
      return descriptor;
    }
    const reply = await this.#within(setup, this.device.handleControl(setup, new Uint8Array(0)), timeoutMs);
    this.#end(setup, reply === STALL);
    if (reply === undefined || reply === STALL) return new Uint8Array(0);
    return reply.slice(0, setup.wLength);
  }

  async controlOut(setup: UsbSetup, data: Uint8Array, timeoutMs: number): Promise<void> {
    if (data.length !== setup.wLength) throw new RangeError("controlOut: data length must equal wLength");
    this.#begin(setup);
    const reply = await this.#within(setup, this.device.handleControl(setup, data.slice()), timeoutMs);
    this.#end(setup, reply === STALL);
  }

  claimInterface(interfaceNumber: number): Promise<void> {
    this.#begin(undefined);
    const interfaces = this.#interfaceNumbers();
    if (!interfaces.has(interfaceNumber)) {
      return Promise.reject(new RangeError(`the device has no interface ${interfaceNumber}`));
    }
    this.#claimed.add(interfaceNumber);
    return Promise.resolve();
  }

  setAlternateSetting(interfaceNumber: number, alternateSetting: number): Promise<void> {
    this.#begin(undefined);
    if (!this.#claimed.has(interfaceNumber)) {
      return Promise.reject(new RangeError(`interface ${interfaceNumber} is not claimed`));
    }
    try {
      this.device.setAlternateSetting(interfaceNumber, alternateSetting);
    } catch (error) {
      return Promise.reject(
        new UsbStallError(`SET_INTERFACE ${interfaceNumber}/${alternateSetting}`, { cause: error }),
      );
    }
    this.transfers++;
    return Promise.resolve();
  }

  async getStringDescriptor(index: number): Promise<string> {
    if (index === 0) return "";
    const bytes = await this.controlIn({
      bmRequestType: 0x80,
      bRequest: StandardRequest.GET_DESCRIPTOR,
      wValue: (DescriptorType.STRING << 8) | index,
      wIndex: LANGUAGE_EN_US,
      wLength: 255,
    }, 1000);
    if (bytes.length < 2 || bytes[1] !== DescriptorType.STRING) throw new RangeError("not a string descriptor");
    return new TextDecoder("utf-16le").decode(bytes.subarray(2, bytes[0]));
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#claimed.clear();
    return Promise.resolve();
  }

  #begin(setup: UsbSetup | undefined): void {
    if (this.#closed) throw new RangeError("the USB device is closed");
    const what = setup ? describe(setup) : "interface setup";
    if (this.#unplugged) throw new UsbDisconnectedError(what);
    if (this.#unplugAfter !== undefined && this.transfers >= this.#unplugAfter) {
      this.#unplugged = true;
      throw new UsbDisconnectedError(what);
    }
  }

  /** The device's answer, or `E_USB_TIMEOUT` when it takes longer than `timeoutMs` (libusb's transfer timeout). */
  async #within<T>(setup: UsbSetup, answer: Promise<T>, timeoutMs: number): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new UsbError("E_USB_TIMEOUT", `${describe(setup)} timed out after ${timeoutMs} ms`, {
            hint: "the device did not answer in time; it may be busy (erasing) or hung",
          }),
        );
      }, timeoutMs);
    });
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #end(setup: UsbSetup, stalled: boolean): void {
    // A device that left the bus while handling the request never completes it.
    if (this.#unplugged) throw new UsbDisconnectedError(describe(setup));
    this.transfers++;
    if (stalled) throw new UsbStallError(describe(setup));
  }

  #interfaceNumbers(): Set<number> {
    const numbers = new Set<number>();
    for (const configuration of configurations(this.device.descriptors())) {
      for (let offset = 0; offset + 2 < configuration.length && configuration[offset] >= 2;) {
        if (configuration[offset + 1] === DescriptorType.INTERFACE) numbers.add(configuration[offset + 2]);
        offset += configuration[offset];
      }
    }
    return numbers;
  }
}
