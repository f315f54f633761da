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
 * The USART command list of every simulated bootloader: Get, Get Version, Get ID, Read Memory, Go, Write Memory,
 * the erase command the chip database names (Erase 0x43 below V3.0, Extended Erase 0x44 from V3.0 on: AN3155
 * §3.7/§3.8), Write Protect, Write Unprotect, Readout Protect, Readout Unprotect (AN3155 Table 2; AN2606 lists the
 * same USART set for V2.2 on F1, V3.1 on F4, V9.0 on H7, V10.x on L4 and V11.x on G0).
 *
 * Get Checksum (0xA1) is left out on purpose: AN3155 describes it, but we found no statement in AN2606 that the
 * ROM bootloaders of these parts list it, so the conservative choice is that they do not (hosts then verify by
 * reading back, as stm32flash does without `-C`). The device side still implements it for profiles that list it.
 */
function usartCommands(chip: ChipInfo): number[] {
  return [0x00, 0x01, 0x02, 0x11, 0x21, 0x31, chip.eraseCommand, 0x63, 0x73, 0x82, 0x92];
}

/** Per part: bootloader version (AN2606 device-dependent parameters; one of the chip database's versions). */
const SIMULATED: Readonly<Record<SimulatedPartName, { version: number; options: OptionByteModel }>> = {
  stm32f103c8: { version: 0x22, options: F1_MEDIUM_DENSITY_OPTIONS }, // AN2606 STM32F10xxx: V2.2
  stm32f103cb: { version: 0x22, options: F1_MEDIUM_DENSITY_OPTIONS },
  stm32f103rc: { version: 0x22, options: F1_HIGH_DENSITY_OPTIONS }, // AN2606 STM32F10xxx high density: V2.2
  stm32f405rg: { version: 0x31, options: F4_OPTIONS }, // AN2606 STM32F40xxx/41xxx: USART V3.1
  stm32l433rc: { version: 0xa1, options: L4_OPTIONS }, // AN2606 STM32L43xxx/44xxx: V10.1
  stm32g071rb: { version: 0xb2, options: G0_OPTIONS }, // AN2606 STM32G07xxx/08xxx: V11.2
  stm32h743zi: { version: 0x90, options: H7_OPTIONS }, // AN2606 STM32H74xxx/75xxx: V9.0
};

/** Names of the parts `--simulate` accepts. */
export function simulatedPartNames(): string[] {
  return [...SIMULATED_PART_NAMES];
}

/** Returns the simulated part called `name` (any case); an unknown name is the usage error of {@linkcode simulatedPartName}. */
export function simulatedPart(name: string): SimulatedPart {
  const key = simulatedPartName(name);
  const behaviour = SIMULATED[key];
  const part = partByName(key);
  const chip = part && chipByPid(part.pid);
  if (!part || !chip) {
    // A simulated part the chip database does not know: a mistake in these tables, not in the user's input.
    throw new Error(`simulated part '${key}' is not in the chip database`);
  }
  return {
    part,
    chip,
    usart: { version: behaviour.version, commands: usartCommands(chip) },
    optionModel: behaviour.options,
    factoryOptionBytes: factoryOptionBytes(chip, behaviour.options),
  };
}
