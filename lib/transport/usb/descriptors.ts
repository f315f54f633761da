/**
 * USB descriptors as plain data: the device descriptor and a parsed configuration descriptor, with
 * class-specific descriptors kept raw (e.g. the DFU functional descriptor, type 0x21, DFU 1.1 §4.1.3) so the
 * class layers can read them. Layouts from USB 2.0 §9.6.
 *
 * @module
 */

/** The 18-byte device descriptor (USB 2.0 table 9-8). */
export interface UsbDeviceDescriptor {
  /** USB release in BCD, e.g. 0x0200. */
  bcdUSB: number;
  /** Device class (0 = per interface). */
  bDeviceClass: number;
  /** Device subclass. */
  bDeviceSubClass: number;
  /** Device protocol. */
  bDeviceProtocol: number;
  /** Maximum packet size of endpoint 0. */
  bMaxPacketSize0: number;
  /** Vendor id. */
  idVendor: number;
  /** Product id. */
  idProduct: number;
  /** Device release in BCD. */
  bcdDevice: number;
  /** String index of the manufacturer name. */
  iManufacturer: number;
  /** String index of the product name. */
  iProduct: number;
  /** String index of the serial number. */
  iSerialNumber: number;
  /** Number of configurations. */
  bNumConfigurations: number;
}

/** A descriptor the standard does not define (class- or vendor-specific), kept as its raw bytes. */
export interface UsbRawDescriptor {
  /** bDescriptorType, e.g. 0x21 for a DFU functional descriptor. */
  bDescriptorType: number;
  /** The whole descriptor including bLength and bDescriptorType. */
  bytes: Uint8Array;
}

/** An endpoint descriptor (USB 2.0 table 9-13). */
export interface UsbEndpoint {
  /** Address with direction bit 7. */
  bEndpointAddress: number;
  /** Transfer type and synchronisation. */
  bmAttributes: number;
  /** Maximum packet size. */
  wMaxPacketSize: number;
  /** Polling interval. */
  bInterval: number;
  /** Class-specific descriptors following the endpoint. */
  extra: UsbRawDescriptor[];
}

/** One alternate setting of an interface (USB 2.0 table 9-12). */
export interface UsbAlternateSetting {
  /** Interface number. */
  bInterfaceNumber: number;
  /** Alternate setting number. */
  bAlternateSetting: number;
  /** Interface class (0xFE = application specific, subclass 1 = DFU). */
  bInterfaceClass: number;
  /** Interface subclass. */
  bInterfaceSubClass: number;
  /** Interface protocol (DFU: 1 = run-time, 2 = DFU mode). */
  bInterfaceProtocol: number;
  /** String index of the setting's name (DfuSe encodes the memory layout there, AN3156 §4). */
  iInterface: number;
  /** The string iInterface names, when the device could be opened to read it. */
  name?: string;
  /** Endpoints of this setting. */
  endpoints: UsbEndpoint[];
  /** Class-specific descriptors following the interface descriptor (e.g. DFU functional 0x21). */
  extra: UsbRawDescriptor[];
}

/** An interface with all its alternate settings. */
export interface UsbInterface {
  /** Interface number. */
  bInterfaceNumber: number;
  /** Its alternate settings in descriptor order. */
  alternateSettings: UsbAlternateSetting[];
}

/** A configuration (USB 2.0 table 9-10) with its interfaces. */
export interface UsbConfiguration {
  /** Value for SET_CONFIGURATION. */
  bConfigurationValue: number;
  /** String index of the configuration name. */
  iConfiguration: number;
  /** Self-powered / remote-wakeup bits. */
  bmAttributes: number;
  /** Maximum power in 2 mA units. */
  bMaxPower: number;
  /** Interfaces in descriptor order. */
  interfaces: UsbInterface[];
  /** Class-specific descriptors between the configuration and its first interface. */
  extra: UsbRawDescriptor[];
}

const DT_DEVICE = 1; // USB 2.0 table 9-5
const DT_CONFIGURATION = 2;
const DT_INTERFACE = 4;
const DT_ENDPOINT = 5;

/** A descriptor was malformed. */
export class UsbDescriptorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsbDescriptorError";
  }
}

function u16(bytes: Uint8Array, offset: number): number {
  return bytes[offset] | (bytes[offset + 1] << 8);
}

/** Parses an 18-byte device descriptor. */
export function parseDeviceDescriptor(bytes: Uint8Array): UsbDeviceDescriptor {
  if (bytes.length < 18 || bytes[1] !== DT_DEVICE) {
    throw new UsbDescriptorError(`not a device descriptor (${bytes.length} bytes, type ${bytes[1]})`);
  }
  return {
    bcdUSB: u16(bytes, 2),
    bDeviceClass: bytes[4],
    bDeviceSubClass: bytes[5],
    bDeviceProtocol: bytes[6],
    bMaxPacketSize0: bytes[7],
    idVendor: u16(bytes, 8),
    idProduct: u16(bytes, 10),
    bcdDevice: u16(bytes, 12),
    iManufacturer: bytes[14],
    iProduct: bytes[15],
    iSerialNumber: bytes[16],
    bNumConfigurations: bytes[17],
  };
}

/** Splits a run of descriptors into raw descriptors (each `bLength` long). */
export function splitDescriptors(bytes: Uint8Array): UsbRawDescriptor[] {
  const result: UsbRawDescriptor[] = [];
  let offset = 0;
  while (offset + 2 <= bytes.length) {
    const length = bytes[offset];
    if (length < 2 || offset + length > bytes.length) {
      throw new UsbDescriptorError(`descriptor at offset ${offset} has bad bLength ${length}`);
    }
    result.push({ bDescriptorType: bytes[offset + 1], bytes: bytes.slice(offset, offset + length) });
    offset += length;
  }
  return result;
}

/** Parses a full configuration descriptor (wTotalLength bytes: configuration, interfaces, endpoints, extras). */
export function parseConfigurationDescriptor(bytes: Uint8Array): UsbConfiguration {
  if (bytes.length < 9 || bytes[1] !== DT_CONFIGURATION) {
    throw new UsbDescriptorError(`not a configuration descriptor (${bytes.length} bytes, type ${bytes[1]})`);
  }
  const total = Math.min(u16(bytes, 2), bytes.length);
  const configuration: UsbConfiguration = {
    bConfigurationValue: bytes[5],
    iConfiguration: bytes[6],
    bmAttributes: bytes[7],
    bMaxPower: bytes[8],
    interfaces: [],
    extra: [],
  };
  let setting: UsbAlternateSetting | undefined;
  let endpoint: UsbEndpoint | undefined;
  for (const descriptor of splitDescriptors(bytes.subarray(bytes[0], total))) {
    const d = descriptor.bytes;
    if (descriptor.bDescriptorType === DT_INTERFACE && d.length >= 9) {
      setting = {
        bInterfaceNumber: d[2],
        bAlternateSetting: d[3],
        bInterfaceClass: d[5],
        bInterfaceSubClass: d[6],
        bInterfaceProtocol: d[7],
        iInterface: d[8],
        endpoints: [],
        extra: [],
      };
      endpoint = undefined;
      let iface = configuration.interfaces.find((i) => i.bInterfaceNumber === d[2]);
      if (!iface) {
        iface = { bInterfaceNumber: d[2], alternateSettings: [] };
        configuration.interfaces.push(iface);
      }
      iface.alternateSettings.push(setting);
    } else if (descriptor.bDescriptorType === DT_ENDPOINT && d.length >= 7 && setting) {
      endpoint = { bEndpointAddress: d[2], bmAttributes: d[3], wMaxPacketSize: u16(d, 4), bInterval: d[6], extra: [] };
      setting.endpoints.push(endpoint);
    } else if (endpoint) {
      endpoint.extra.push(descriptor);
    } else if (setting) {
      setting.extra.push(descriptor);
    } else {
      configuration.extra.push(descriptor);
    }
  }
  return configuration;
}
