/**
 * The USB serial-number string ST's USB stacks derive from the 96-bit unique ID: the hex of (UID word 0 +
 * UID word 2) followed by the hex of the upper half of UID word 1, upper case, 12 characters (STM32Cube
 * usbd_desc.c `Get_SerialNum` / `IntToUnicode`; projects that reproduce "the serial number used by the
 * bootloader" use the same rule).
 *
 * @module
 */

/** Returns the 12-character serial string for a 12-byte unique ID (little-endian 32-bit words). */
export function bootloaderSerial(uid: Uint8Array): string {
  if (uid.length !== 12) throw new RangeError("the unique ID has 12 bytes");
  const view = new DataView(uid.buffer, uid.byteOffset, 12);
  const w0 = view.getUint32(0, true);
  const w1 = view.getUint32(4, true);
  const w2 = view.getUint32(8, true);
  const first = ((w0 + w2) >>> 0).toString(16).padStart(8, "0");
  const second = (w1 >>> 16).toString(16).padStart(4, "0");
  return (first + second).toUpperCase();
}
