/**
 * What the simulated DfuSe bootloaders present, per part: USB identity, strings, alternate-setting strings,
 * functional descriptor, the bwPollTimeout values they report, and their flash/option-byte models.
 *
 * Sources (facts only):
 * - `dfu-util -l` and `lsusb -v` captures of STM32F405/F415 and STM32F401/F411 boards in their ROM bootloader:
 *   0483:df11, bcdDevice 0x2200 ("ver=2200"), bcdUSB 1.00, manufacturer "STMicroelectronics", product
 *   "STM32  BOOTLOADER" (two spaces), iInterface 4..7, functional descriptor bmAttributes 0x0B,
 *   wDetachTimeOut 255, wTransferSize 2048, bcdDFUVersion 0x011A, configuration bmAttributes 0xC0, 100 mA.
 * - The same captures for the F405 alternate strings; STM32L4 strings from `dfu-util -l` of STM32L4 boards:
 *   a 512 KiB part lists ver=2200 and alt 0-3 "@Internal Flash  /0x08000000/0256*0002Kg", "@Option Bytes
 *   /0x1FFF7800/01*040 e", "@OTP Memory /0x1FFF7000/01*0001Ke", "@Device Feature/0xFFFF0000/01*004 e"; the
 *   256 KiB STM32L432/L433 parts list "@Internal Flash  /0x08000000/0128*0002Kg".
 * - bwPollTimeout: `dfu-util -v -v` of an STM32F405 (erase reports 100 ms, Set Address Pointer 104 ms, then 0 ms
 *   once done) and dfu-util dfuse.c ("STM32F405 lies about mass erase timeout": 100 ms).
 *
 * @module
 */

import type { FlashTiming } from "../timing.ts";
import { FLASH_TIMING } from "../timing.ts";
import type { DfusePartName } from "../part_names.ts";

// The names live in part_names.ts (help texts and the --simulate check read them without loading the simulator).
export { DFUSE_PART_NAMES, type DfusePartName } from "../part_names.ts";

/** bwPollTimeout values in milliseconds that a bootloader reports in its first dfuDNBUSY answer. */
export interface PollTimeouts {
  /** After Set Address Pointer. */
  setAddress: number;
  /** After a page/sector erase. */
  erase: number;
  /** After a mass erase (the F405 reports far less than it takes). */
  massErase: number;
  /** After a data block. */
  write: number;
  /** After Read Unprotect. */
  readUnprotect: number;
}

/** A simulated part. */
export interface DfusePartProfile {
  /** Part name. */
  part: DfusePartName;
  /** AN2606 product ID of its die (not reported over DfuSe; kept for the lab). */
  pid: number;
  /** idVendor / idProduct / bcdDevice of the bootloader. */
  usb: { vendorId: number; productId: number; bcdDevice: number; bcdUSB: number };
  /** Manufacturer and product strings. */
  manufacturer: string;
  /** Product string. */
  product: string;
  /** Alternate-setting strings, in alternate-setting order: flash, option bytes, OTP, device feature. */
  alternates: readonly string[];
  /** Functional descriptor values. */
  functional: { bmAttributes: number; wDetachTimeOut: number; wTransferSize: number; bcdDFUVersion: number };
  /** bwPollTimeout values reported. */
  pollTimeouts: PollTimeouts;
  /** Flash program unit in bytes and whether a unit may be programmed only once per erase (ECC). */
  programUnit: number;
  /** ECC parts refuse a second program of a unit. */
  singleProgramPerErase: boolean;
  /** Flash timing of the family. */
  timing: FlashTiming;
  /** Factory option bytes as the option-byte alternate setting reads them. */
  optionBytes: Uint8Array;
  /**
   * Value/complement pairs in the option bytes, `[valueOffset, complementOffset, width = 2]`: after a write the
   * device stores the bitwise complement of the value bytes at the complement offset, as the flash interface
   * does (RM0090 §3.6.1; RM0394 §3.4.1).
   */
  complementedHalves: readonly (readonly [number, number] | readonly [number, number, number])[];
  /** Offset of the RDP byte within the option bytes. */
  rdpOffset: number;
  /** OTP program unit in bytes. */
  otpProgramUnit: number;
  /** Default 96-bit unique ID (12 bytes, as read from the UID registers, little-endian words). */
  uid: Uint8Array;
}

function words(...values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setUint32(i * 4, value >>> 0, true));
  return bytes;
}

// Shared by both captured bootloaders (lsusb -v: bmAttributes 11, wDetachTimeout 255, wTransferSize 2048, 1.1a).
const ST_FUNCTIONAL = { bmAttributes: 0x0b, wDetachTimeOut: 255, wTransferSize: 2048, bcdDFUVersion: 0x011a };
const ST_USB = { vendorId: 0x0483, productId: 0xdf11, bcdDevice: 0x2200, bcdUSB: 0x0100 };

/** The simulated parts. */
export const DFUSE_PARTS: Readonly<Record<DfusePartName, DfusePartProfile>> = {
  stm32f405rg: {
    part: "stm32f405rg",
    pid: 0x413,
    usb: ST_USB,
    manufacturer: "STMicroelectronics",
    product: "STM32  BOOTLOADER",
    alternates: [
      "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
      "@Option Bytes  /0x1FFFC000/01*016 e",
      "@OTP Memory /0x1FFF7800/01*512 e,01*016 e",
      "@Device Feature/0xFFFF0000/01*004 e",
    ],
    functional: ST_FUNCTIONAL,
    // Captured: erase 100, Set Address Pointer 104, mass erase 100. Data blocks and Read Unprotect were not in the
    // captures; assumed 104 and 100.
    pollTimeouts: { setAddress: 104, erase: 100, massErase: 100, write: 104, readUnprotect: 100 },
    programUnit: 4,
    singleProgramPerErase: false,
    timing: FLASH_TIMING.F4,
    // RM0090 §3.6.1/§3.7.1: the word at 0x1FFFC000 holds USER (bits 7:0) and RDP (bits 15:8, 0xAA = level 0)
    // with their complements in bits 31:16; the word at +8 holds nWRP (bits 11:0, 1 = not protected) with its
    // complement; words +4 and +12 are reserved (read here as 0xFF, assumed). USER 0xED mirrors the FLASH_OPTCR
    // reset value 0x0FFFAAED (RM0090 §3.9.7).
    optionBytes: new Uint8Array([
      0xed,
      0xaa,
      0x12,
      0x55,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0x0f,
      0x00,
      0xf0,
      0xff,
      0xff,
      0xff,
      0xff,
    ]),
    // The flash interface writes the complements itself (the bootloader programs FLASH_OPTCR).
    complementedHalves: [[0, 2], [8, 10]],
    rdpOffset: 1,
    otpProgramUnit: 1, // RM0090 §3.8: OTP is programmed like flash; byte programming allowed
    uid: words(0x0033_0041, 0x3333_4711, 0x3038_3535),
  },
  stm32l433rc: {
    part: "stm32l433rc",
    pid: 0x435,
    usb: ST_USB,
    manufacturer: "STMicroelectronics",
    product: "STM32  BOOTLOADER",
    alternates: [
      "@Internal Flash  /0x08000000/0128*0002Kg",
      "@Option Bytes  /0x1FFF7800/01*040 e",
      "@OTP Memory /0x1FFF7000/01*0001Ke",
      "@Device Feature/0xFFFF0000/01*004 e",
    ],
    // The L4 captures show the same functional descriptor as the F4 ones (assumed identical for the L433).
    functional: ST_FUNCTIONAL,
    // No L4 capture with poll timeouts was found; the F4 values are assumed.
    pollTimeouts: { setAddress: 104, erase: 100, massErase: 100, write: 104, readUnprotect: 100 },
    programUnit: 8,
    singleProgramPerErase: true,
    timing: FLASH_TIMING.L4,
    // RM0394 §3.4.1: each option double-word holds the value in its low word and its complement in the high
    // word. FLASH_OPTR factory value 0xFFEFF8AA (RDP 0xAA = level 0, byte 0); PCROP1SR 0xFFFF..., PCROP1ER 0,
    // WRP1AR / WRP1BR 0xFF00FFFF (start > end: no write protection). 5 double-words = the 40 bytes of the alt.
    optionBytes: words(
      0xffef_f8aa,
      ~0xffef_f8aa,
      0xffff_ffff,
      0x0000_0000,
      0x0000_0000,
      0xffff_ffff,
      0xff00_ffff,
      0x00ff_0000,
      0xff00_ffff,
      0x00ff_0000,
    ),
    // Each double-word's high word is the complement of its low word, written by the flash interface.
    complementedHalves: [[0, 4, 4], [8, 12, 4], [16, 20, 4], [24, 28, 4], [32, 36, 4]],
    rdpOffset: 0,
    otpProgramUnit: 8, // RM0394 §3.3.7: OTP is programmed by double-words like main flash
    uid: words(0x0035_0042, 0x3032_5112, 0x2038_4e50),
  },
};
