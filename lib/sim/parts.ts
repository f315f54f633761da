/**
 * The simulated parts: which chip database entry each one is, how its ROM bootloader presents itself on the
 * USART (version, command list) according to AN2606 and AN3155, and its option-byte model.
 *
 * @module
 */

import { chipByPid, partByName } from "../chips/database.ts";
import type { ChipInfo, PartInfo } from "../chips/types.ts";
import {
  F1_HIGH_DENSITY_OPTIONS,
  F1_MEDIUM_DENSITY_OPTIONS,
  F4_OPTIONS,
  factoryOptionBytes,
  G0_OPTIONS,
  H7_OPTIONS,
  L4_OPTIONS,
  type OptionByteModel,
} from "./option_bytes.ts";
import { SIMULATED_PART_NAMES, type SimulatedPartName, simulatedPartName } from "./part_names.ts";

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
  /** Where protection lives in the option bytes and what they hold from the factory. */
  optionModel: OptionByteModel;
  /** Factory option-byte contents as the bootloader reads them (complements included). */
  factoryOptionBytes: Uint8Array;
}

/**
 * The USART command list of the simulated bootloaders: Get, Get Version, Get ID, Read Memory, Go, Write Memory,
 * the erase command the chip database names (Erase 0x43 below V3.0, Extended Erase 0x44 from V3.0 on: AN3155
 * §3.7/§3.8), Write Protect, Write Unprotect, Readout Protect, Readout Unprotect (AN3155 Table 2). Real parts
 * answer exactly this: an F401/F411 (0x433) lists `0x00 0x01 0x02 0x11 0x21 0x31 0x44 0x63 0x73 0x82 0x92` with
 * version 0x31, a G0x1 (0x460) the same (stm32loader issue #24 and pull request #32 logs).
 *
 * Get Checksum (0xA1) is not in it: AN3155 specifies the command, but ST says it is "not implemented in all
 * products" (stm32-mw-openbl issue #5) and no document or log we have shows one of these parts listing it. The
 * `-crc` variant below lists it, to serve the command as the note specifies.
 */
function usartCommands(chip: ChipInfo): number[] {
  return [0x00, 0x01, 0x02, 0x11, 0x21, 0x31, chip.eraseCommand, 0x63, 0x73, 0x82, 0x92];
}

/** Get Checksum (AN3155 Rev 20 §3.13). */
const GET_CHECKSUM = 0xa1;

/**
 * Per simulated part: the database part it is, the USART protocol version its Get and Get Version return, whether
 * its bootloader lists Get Checksum, and its option-byte model.
 *
 * The version byte is the USART *protocol* version (AN3155 §3.1: "bootloader version", e.g. 0x31 = 3.1), not the
 * bootloader firmware version AN2606 numbers its tables by (V11.2 on a G07x, kept in `ChipInfo.bootloaderVersions`):
 * V2.2 on the F1 (AN2606 STM32F10xxx: USART V2.2), V3.1 on the F4, L4, G0 and H7 (AN2606 device-dependent
 * parameters; the F4/G0 logs above).
 */
const SIMULATED: Readonly<
  Record<SimulatedPartName, { part?: string; protocol: number; checksum?: true; options: OptionByteModel }>
> = {
  stm32f103c8: { protocol: 0x22, options: F1_MEDIUM_DENSITY_OPTIONS },
  stm32f103cb: { protocol: 0x22, options: F1_MEDIUM_DENSITY_OPTIONS },
  stm32f103rc: { protocol: 0x22, options: F1_HIGH_DENSITY_OPTIONS },
  stm32f405rg: { protocol: 0x31, options: F4_OPTIONS },
  stm32l433rc: { protocol: 0x31, options: L4_OPTIONS },
  stm32g071rb: { protocol: 0x31, options: G0_OPTIONS },
  stm32h743zi: { protocol: 0x31, options: H7_OPTIONS },
  // A G071 whose bootloader lists Get Checksum: no real G0 bootloader is known to (see usartCommands); it stands
  // for a part whose bootloader does, so that the host's CRC path runs against the frame AN3155 specifies.
  "stm32g071rb-crc": { part: "stm32g071rb", protocol: 0x31, checksum: true, options: G0_OPTIONS },
};

/** Names of the parts `--simulate` accepts. */
export function simulatedPartNames(): string[] {
  return [...SIMULATED_PART_NAMES];
}

/** Returns the simulated part called `name` (any case); an unknown name is the usage error of {@linkcode simulatedPartName}. */
export function simulatedPart(name: string): SimulatedPart {
  const key = simulatedPartName(name);
  const behaviour = SIMULATED[key];
  const part = partByName(behaviour.part ?? key);
  const chip = part && chipByPid(part.pid);
  if (!part || !chip) {
    // A simulated part the chip database does not know: a mistake in these tables, not in the user's input.
    throw new Error(`simulated part '${key}' is not in the chip database`);
  }
  return {
    part,
    chip,
    usart: {
      version: behaviour.protocol,
      commands: behaviour.checksum ? [...usartCommands(chip), GET_CHECKSUM] : usartCommands(chip),
    },
    optionModel: behaviour.options,
    factoryOptionBytes: factoryOptionBytes(chip, behaviour.options),
  };
}
