/**
 * Builds raw USB descriptors for simulated devices, in the order usbfs reports them: the device descriptor,
 * then each configuration with its interfaces, class-specific descriptors and endpoints (USB 2.0 §9.6).
 *
 * @module
 */

/** Fields of a device descriptor; the rest default to a full-speed, class-per-interface device. */
export interface DeviceDescriptorFields {
  /** Vendor id. */
  idVendor: number;
  /** Product id. */
  idProduct: number;
  /** Device release in BCD (default 0x0100). */
  bcdDevice?: number;
  /** USB release in BCD (default 0x0200). */
  bcdUSB?: number;
  /** Device class (default 0). */
  bDeviceClass?: number;
  /** Device subclass (default 0). */
  bDeviceSubClass?: number;
  /** Device protocol (default 0). */
  bDeviceProtocol?: number;
  /** Endpoint 0 packet size (default 64). */
  bMaxPacketSize0?: number;
  /** Manufacturer string index (default 0). */
  iManufacturer?: number;
  /** Product string index (default 0). */
  iProduct?: number;
  /** Serial number string index (default 0). */
  iSerialNumber?: number;
}

/** One alternate setting of an interface. */
export interface InterfaceFields {
  /** Interface number. */
  bInterfaceNumber: number;
  /** Alternate setting number. */
  bAlternateSetting: number;
  /** Interface class. */
  bInterfaceClass: number;
  /** Interface subclass. */
  bInterfaceSubClass?: number;
  /** Interface protocol. */
  bInterfaceProtocol?: number;
  /** String index of the name (default 0). */
  iInterface?: number;
  /** Raw class-specific descriptors that follow the interface descriptor. */
  extra?: Uint8Array[];
  /** Raw endpoint descriptors (7 bytes each). */
  endpoints?: Uint8Array[];
}

/** One configuration. */
export interface ConfigurationFields {
  /** Value for SET_CONFIGURATION (default 1). */
  bConfigurationValue?: number;
  /** String index of the name (default 0). */
  iConfiguration?: number;
  /** Attributes (default 0x80, bus powered). */
  bmAttributes?: number;
  /** Power in 2 mA units (default 50). */
  bMaxPower?: number;
  /** The alternate settings of all interfaces, in order. */
  interfaces: InterfaceFields[];
}

/** Builds an 18-byte device descriptor (USB 2.0 table 9-8). */
export function deviceDescriptor(fields: DeviceDescriptorFields, bNumConfigurations = 1): Uint8Array {
  const bcdUSB = fields.bcdUSB ?? 0x0200;
  const bcdDevice = fields.bcdDevice ?? 0x0100;
  return Uint8Array.of(
    18,
    1,
    bcdUSB & 0xff,
    bcdUSB >> 8,
    fields.bDeviceClass ?? 0,
    fields.bDeviceSubClass ?? 0,
    fields.bDeviceProtocol ?? 0,
    fields.bMaxPacketSize0 ?? 64,
    fields.idVendor & 0xff,
    fields.idVendor >> 8,
    fields.idProduct & 0xff,
    fields.idProduct >> 8,
    bcdDevice & 0xff,
    bcdDevice >> 8,
    fields.iManufacturer ?? 0,
    fields.iProduct ?? 0,
    fields.iSerialNumber ?? 0,
    bNumConfigurations,
  );
}

/** Builds a full configuration descriptor with wTotalLength and bNumInterfaces filled in (USB 2.0 table 9-10). */
export function configurationDescriptor(fields: ConfigurationFields): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const i of fields.interfaces) {
    const endpoints = i.endpoints ?? [];
    parts.push(
      Uint8Array.of(
        9,
        4,
        i.bInterfaceNumber,
        i.bAlternateSetting,
        endpoints.length,
        i.bInterfaceClass,
        i.bInterfaceSubClass ?? 0,
        i.bInterfaceProtocol ?? 0,
        i.iInterface ?? 0,
      ),
      ...(i.extra ?? []),
      ...endpoints,
    );
  }
  const total = 9 + parts.reduce((sum, p) => sum + p.length, 0);
  const interfaceCount = new Set(fields.interfaces.map((i) => i.bInterfaceNumber)).size;
  return concatBytes([
    Uint8Array.of(
      9,
      2,
      total & 0xff,
      total >> 8,
      interfaceCount,
      fields.bConfigurationValue ?? 1,
      fields.iConfiguration ?? 0,
      fields.bmAttributes ?? 0x80,
      fields.bMaxPower ?? 50,
    ),
    ...parts,
  ]);
}

/** The device descriptor followed by each configuration, as a simulated device's `descriptors()` returns. */
export function buildDescriptors(device: DeviceDescriptorFields, configurations: ConfigurationFields[]): Uint8Array {
  return concatBytes([deviceDescriptor(device, configurations.length), ...configurations.map(configurationDescriptor)]);
}

/** Concatenates byte arrays. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    result.set(p, offset);
    offset += p.length;
  }
  return result;
}
