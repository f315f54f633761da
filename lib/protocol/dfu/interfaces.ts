/**
 * Finding the DFU interface in a configuration descriptor: its alternate settings (one per memory in DfuSe) and
 * its functional descriptor (USB 2.0 §9.6.3/§9.6.5; DFU 1.1 §4.2.3: interface class 0xFE, subclass 0x01,
 * protocol 0x02 in DFU mode).
 *
 * @module
 */

import { DeviceError } from "../../errors.ts";
import {
  DFU_FUNCTIONAL_DESCRIPTOR_TYPE,
  type DfuFunctionalDescriptor,
  parseFunctionalDescriptor,
} from "./functional_descriptor.ts";

/** USB descriptor types (USB 2.0 table 9-5). */
export const DescriptorType = { DEVICE: 1, CONFIGURATION: 2, STRING: 3, INTERFACE: 4 } as const;

/** Application-specific interface class and the DFU subclass (DFU 1.1 §4.2.3). */
const DFU_CLASS = 0xfe;
const DFU_SUBCLASS = 0x01;
/** Interface protocol of a device in DFU mode (2); run-time devices use 1 (DFU 1.1 §4.1.2, §4.2.3). */
export const DFU_MODE_PROTOCOL = 0x02;

/** One alternate setting of the DFU interface. */
export interface DfuAlternateSetting {
  /** bAlternateSetting. */
  alternateSetting: number;
  /** Index of its string descriptor (the DfuSe memory layout), 0 when absent. */
  iInterface: number;
}

/** The DFU interface of a configuration. */
export interface DfuInterface {
  /** bInterfaceNumber. */
  interfaceNumber: number;
  /** bInterfaceProtocol: 1 run-time, 2 DFU mode. */
  protocol: number;
  /** Alternate settings in descriptor order. */
  alternates: DfuAlternateSetting[];
  /** The functional descriptor. */
  functional: DfuFunctionalDescriptor;
}

/** Finds the first DFU interface in a full configuration descriptor. Throws `E_DFU_NOT_DFU` when there is none. */
export function findDfuInterface(configuration: Uint8Array): DfuInterface {
  let found: Omit<DfuInterface, "functional"> | undefined;
  let functional: DfuFunctionalDescriptor | undefined;
  let inDfuInterface = false;
  for (let offset = 0; offset + 2 <= configuration.length;) {
    const length = configuration[offset];
    const type = configuration[offset + 1];
    if (length < 2 || offset + length > configuration.length) break;
    const body = configuration.subarray(offset, offset + length);
    if (type === DescriptorType.INTERFACE && length >= 9) {
      const [, , number, alternate, , cls, subclass, protocol, iInterface] = body;
      inDfuInterface = cls === DFU_CLASS && subclass === DFU_SUBCLASS &&
        (found === undefined || found.interfaceNumber === number);
      if (inDfuInterface) {
        found ??= { interfaceNumber: number, protocol, alternates: [] };
        found.alternates.push({ alternateSetting: alternate, iInterface });
      }
    } else if (type === DFU_FUNCTIONAL_DESCRIPTOR_TYPE && inDfuInterface) {
      functional = parseFunctionalDescriptor(body);
    }
    offset += length;
  }
  if (!found) {
    throw new DeviceError("E_DFU_NOT_DFU", "the USB device has no DFU interface", {
      hint: "put the chip in its system-memory bootloader (BOOT0 high, then reset) and check the VID:PID (0483:df11)",
    });
  }
  if (!functional) {
    throw new DeviceError("E_DFU_DESCRIPTOR", "the DFU interface has no functional descriptor", {
      hint: "the device is not a DFU 1.1 device",
    });
  }
  return { ...found, functional };
}
