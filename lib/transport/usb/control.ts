/**
 * USB control-transfer types shared by the libusb transport (host side), the DfuSe protocol, and the simulated
 * USB devices behind the virtual lab. A DFU host needs nothing but control transfers on endpoint 0 (DFU 1.1 §3).
 *
 * @module
 */

/** The 8-byte SETUP packet of a control transfer (USB 2.0 §9.3). */
export interface UsbSetup {
  /** Direction (bit 7: 1 = device-to-host), type (bits 6..5) and recipient (bits 4..0). */
  bmRequestType: number;
  /** Request code, e.g. DFU_DNLOAD = 1. */
  bRequest: number;
  /** Request-specific value, e.g. the block number for DFU_DNLOAD. */
  wValue: number;
  /** Request-specific index, usually the interface number. */
  wIndex: number;
  /** Number of bytes in the data stage. */
  wLength: number;
}

/** Host-side access to one opened USB device's default control pipe and interface settings. */
export interface UsbControlDevice {
  /** Runs an IN control transfer and returns the bytes the device sent (possibly fewer than `wLength`). */
  controlIn(setup: UsbSetup, timeoutMs: number): Promise<Uint8Array>;
  /** Runs an OUT control transfer carrying `data` (its length must equal `setup.wLength`). */
  controlOut(setup: UsbSetup, data: Uint8Array, timeoutMs: number): Promise<void>;
  /** Claims `interfaceNumber` (detaching a kernel driver where one is bound). */
  claimInterface(interfaceNumber: number): Promise<void>;
  /** Selects an alternate setting of a claimed interface. */
  setAlternateSetting(interfaceNumber: number, alternateSetting: number): Promise<void>;
  /** Reads string descriptor `index` as text (empty for index 0). */
  getStringDescriptor(index: number): Promise<string>;
  /** Releases interfaces and closes the device. */
  close(): Promise<void>;
}

/** A control request was stalled by the device (the USB way of saying "no"). */
export const STALL = Symbol("stall");

/** What a simulated device answers to a control request: data for IN, nothing for OUT, or a STALL. */
export type ControlReply = Uint8Array | undefined | typeof STALL;

/** The device side of a simulated USB device, as the virtual lab and in-memory tests drive it. */
export interface SimulatedUsbDevice {
  /** Raw descriptors in the order usbfs reports them: device, then each configuration with its sub-descriptors. */
  descriptors(): Uint8Array;
  /** String descriptor texts by index (index 0 is the language list and is not included). */
  strings(): ReadonlyMap<number, string>;
  /** Answers one control request; `data` is the OUT data stage. May take time (e.g. a simulated erase). */
  handleControl(setup: UsbSetup, data: Uint8Array): Promise<ControlReply>;
  /** SET_INTERFACE from the host. */
  setAlternateSetting(interfaceNumber: number, alternateSetting: number): void;
}
