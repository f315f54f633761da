/**
 * The names of the chips `--simulate` accepts, and nothing else: help texts and the usage check of `--simulate`
 * need only the names, so they can say them without loading the simulator (which a serial-port run never uses).
 * The simulator's tables ({@linkcode ./parts.ts}, {@linkcode ./dfuse/parts.ts}) are keyed by these names, so the
 * type checker keeps the lists and the tables in step.
 *
 * @module
 */

import { InputError } from "../errors.ts";
import { resolvePartName, withoutOrderingTail } from "../chips/part_number.ts";
import { didYouMean } from "../recipe/suggest.ts";

/** The parts whose USART bootloader is simulated, in the order help texts list them. */
export const SIMULATED_PART_NAMES = [
  "stm32f103c8",
  "stm32f103cb",
  "stm32f103rc",
  "stm32f405rg",
  "stm32l433rc",
  "stm32g071rb",
  "stm32h743zi",
  "stm32g071rb-crc",
] as const;

/** A part whose USART bootloader is simulated. */
export type SimulatedPartName = typeof SIMULATED_PART_NAMES[number];

/** The parts whose USB DfuSe bootloader is simulated. */
export const DFUSE_PART_NAMES = ["stm32f405rg", "stm32l433rc"] as const;

/** A part whose USB DfuSe bootloader is simulated. */
export type DfusePartName = typeof DFUSE_PART_NAMES[number];

/** True when `name` (any case) is a simulated USART bootloader. */
export function isSimulatedPart(name: string): boolean {
  return resolvePartName(name, SIMULATED_PART_NAMES) !== undefined;
}

/**
 * Returns `name` in the simulator's spelling (lower case), or throws an {@linkcode InputError} (exit 2) listing the
 * choices when no USART bootloader of that name is simulated.
 */
export function simulatedPartName(name: string): SimulatedPartName {
  const key = resolvePartName(name, SIMULATED_PART_NAMES);
  if (key === undefined) {
    throw new InputError(
      "E_USAGE",
      `unknown simulated chip '${name}'${didYouMean(withoutOrderingTail(name), SIMULATED_PART_NAMES)}`,
      {
        hint: `choose one of: ${SIMULATED_PART_NAMES.join(", ")} (the package suffix, e.g. t6, may be added)`,
      },
    );
  }
  return key as SimulatedPartName;
}

/** True when `name` (any case) is a simulated DfuSe bootloader. */
export function isSimulatedDfu(name: string): boolean {
  return simulatedDfuName(name) !== undefined;
}

/** `name` (any case, ordering code accepted) in the simulator's spelling, when its DfuSe bootloader is simulated. */
export function simulatedDfuName(name: string): DfusePartName | undefined {
  return resolvePartName(name, DFUSE_PART_NAMES) as DfusePartName | undefined;
}
