/**
 * How to recognise a product from what its DfuSe bootloader shows. The DfuSe bootloader does not report the AN2606
 * product ID (there is no Get ID command in AN3156, and DBGMCU_IDCODE is outside every readable alternate setting),
 * so a product is recognised from the memory layouts of its alternate settings, or named by the user; its facts
 * then come from `lib/chips/database.ts`.
 *
 * @module
 */

const KIB = 1024;

/**
 * How a product shows itself through DfuSe: the memory names and base addresses of its option-byte and OTP
 * alternate settings, which differ between series (captures of real bootloaders: `dfu-util -l`).
 */
export interface DfuSignature {
  /** Product ID it identifies. */
  pid: number;
  /** Start address of the `Option Bytes` alternate setting. */
  optionBytes: number;
  /** Start address of the `OTP Memory` alternate setting. */
  otp: number;
  /** Sizes in bytes the `Internal Flash` alternate setting may have on this product. */
  flashSizes: number[];
}

/**
 * Signatures by product. F4: option bytes 0x1FFFC000, OTP 0x1FFF7800; L4: 0x1FFF7800 and 0x1FFF7000. Other
 * products share these (e.g. STM32F412 also has 1 MiB with the F4 addresses), so a match means "consistent with",
 * among the products listed here; naming the part removes the doubt.
 */
export const DFU_SIGNATURES: readonly DfuSignature[] = [
  { pid: 0x413, optionBytes: 0x1fff_c000, otp: 0x1fff_7800, flashSizes: [512 * KIB, 1024 * KIB] },
  { pid: 0x435, optionBytes: 0x1fff_7800, otp: 0x1fff_7000, flashSizes: [128 * KIB, 256 * KIB] },
];
