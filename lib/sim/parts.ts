/**
 * The simulated parts: which chip database entry each one is, and how its ROM bootloader presents itself on the
 * USART (version, command list, Get Version option bytes) according to AN2606 and AN3155.
 *
 * @module
 */

import { chipByPid, partByName } from "../chips/database.ts";
import type { ChipInfo, PartInfo } from "../chips/types.ts";
import { InputError } from "../errors.ts";

/** How a part's USART bootloader behaves (AN2606 "bootloader version" tables, AN3155 Table 2). */
export interface UsartBootloaderProfile {
  /** Version byte returned by Get and Get Version, e.g. 0x22. */
  version: number;
  /** Command codes returned by Get, in the order the bootloader lists them. */
  commands: number[];
}

/** Everything the simulator needs about one part. */
export interface SimulatedPart {
  /** Part name and flash size. */
  part: PartInfo;
  /** Chip database entry. */
  chip: ChipInfo;
  /** USART bootloader behaviour. */
  usart: UsartBootloaderProfile;
  /** Pages covered by one write-protection bit (RM0008 §2.5: 4 pages of 1 KiB on medium density). */
  pagesPerWrpBit: number;
  /** Factory option-byte contents as the bootloader reads them. */
  factoryOptionBytes: number[];
  /** Where protection lives in the option bytes. */
  optionModel: OptionByteModel;
}

/** Where a family keeps read and write protection in its option bytes, as the bootloader sees them. */
export interface OptionByteModel {
  /** Byte offset of the RDP byte. */
  rdpOffset: number;
  /** RDP value meaning "no read protection" (level 0). */
  rdpLevel0: number;
  /** Value the Readout Protect command writes (level 1). */
  rdpLevel1: number;
  /** Byte offsets of the WRP bytes, lowest pages first; a cleared bit protects its page group. */
  wrpOffsets: number[];
  /** Whether each option byte is followed by its complement, computed by the hardware (F0/F1/F3). */
  complemented: boolean;
}

// RM0008 §2.5: RDP at byte 0 (0xA5 = unprotected), WRP0..3 at bytes 8, 10, 12, 14, each with its complement.
const F1_OPTION_MODEL: OptionByteModel = {
  rdpOffset: 0,
  rdpLevel0: 0xa5,
  rdpLevel1: 0x00,
  wrpOffsets: [8, 10, 12, 14],
  complemented: true,
};

// AN3155 Table 2 / AN2606 §"STM32F10xxx" bootloader V2.2: Get, Get Version, Get ID, Read Memory, Go, Write
// Memory, Erase, Write Protect, Write Unprotect, Readout Protect, Readout Unprotect.
const V22_COMMANDS = [0x00, 0x01, 0x02, 0x11, 0x21, 0x31, 0x43, 0x63, 0x73, 0x82, 0x92];

// F1 option bytes: each byte followed by its complement (RM0008 §2.5): RDP=0xA5 (unprotected), USER=0xFF,
// Data0/1=0xFF, WRP0-3=0xFF (no protection).
const F1_FACTORY_OPTION_BYTES = [
  0xa5,
  0x5a,
  0xff,
  0x00,
  0xff,
  0x00,
  0xff,
  0x00,
  0xff,
  0x00,
  0xff,
  0x00,
  0xff,
  0x00,
  0xff,
  0x00,
];

const SIMULATED: Readonly<Record<string, Omit<SimulatedPart, "part" | "chip">>> = {
  stm32f103c8: {
    usart: { version: 0x22, commands: V22_COMMANDS },
    pagesPerWrpBit: 4,
    factoryOptionBytes: F1_FACTORY_OPTION_BYTES,
    optionModel: F1_OPTION_MODEL,
  },
  stm32f103cb: {
    usart: { version: 0x22, commands: V22_COMMANDS },
    pagesPerWrpBit: 4,
    factoryOptionBytes: F1_FACTORY_OPTION_BYTES,
    optionModel: F1_OPTION_MODEL,
  },
};

/** Names of the parts `--simulate` accepts. */
export function simulatedPartNames(): string[] {
  return Object.keys(SIMULATED);
}

/** Returns the simulated part called `name`, or throws an {@linkcode InputError} listing the choices. */
export function simulatedPart(name: string): SimulatedPart {
  const key = name.toLowerCase();
  const behaviour = SIMULATED[key];
  const part = partByName(key);
  const chip = part && chipByPid(part.pid);
  if (!behaviour || !part || !chip) {
    throw new InputError("E_USAGE", `unknown simulated chip '${name}'`, {
      hint: `choose one of: ${simulatedPartNames().join(", ")}`,
    });
  }
  return { part, chip, ...behaviour };
}
