/**
 * The USB serial-number string the ST DfuSe bootloader derives from the 96-bit unique ID: 12 upper-case hex
 * digits of the bytes UID[11], UID[10] + UID[2], UID[9], UID[8] + UID[0], UID[7], UID[6] (sums kept to 8 bits).
 *
 * Source: MicroPython ports/stm32/usbd_desc.c, which reproduces "the 12-digit serial number [the onboard DFU
 * bootloader] produces" (its serial matches `dfu-util -l` on the same board, e.g. the G30TH notes), and
 * STM32Cube usbd_desc.c `Get_SerialNum` (hex of UID word 0 + word 2, then the upper half of word 1), which gives
 * the same digits for real UIDs, whose bytes 1 and 3 are 0.
 *
 * @module
 */

function hex2(value: number): string {
  return (value & 0xff).toString(16).padStart(2, "0").toUpperCase();
}

/** Returns the 12-character serial string for a 12-byte unique ID, as read from the UID registers. */
export function bootloaderSerial(uid: Uint8Array): string {
  if (uid.length !== 12) throw new RangeError("the unique ID has 12 bytes");
  return [uid[11], uid[10] + uid[2], uid[9], uid[8] + uid[0], uid[7], uid[6]].map(hex2).join("");
}
