/**
 * Simulated ST DfuSe bootloaders (STM32F405RG, STM32L433RC) for the virtual USB lab and in-memory tests, the
 * in-memory USB cable that connects them to the host protocol, and flash-file persistence.
 *
 * @example
 * ```ts
 * import { createDfuseSimulator, UsbLoopback } from "./mod.ts";
 * import { DfuseDevice } from "../../protocol/dfu/mod.ts";
 *
 * const sim = createDfuseSimulator("stm32f405rg");
 * const dfu = await DfuseDevice.open(new UsbLoopback(sim));
 * await dfu.erasePage(0x0800_0000);
 * ```
 *
 * @module
 */

export { createDfuseSimulator, DfuseSimulator } from "./dfuse_simulator.ts";
export type { DfuseResetReason, DfuseSimulatorOptions } from "./dfuse_simulator.ts";
export { DFUSE_PART_NAMES, DFUSE_PARTS } from "./parts.ts";
export type { DfusePartName, DfusePartProfile, PollTimeouts } from "./parts.ts";
export { UsbLoopback } from "./loopback.ts";
export type { UsbLoopbackOptions } from "./loopback.ts";
export { loadFlashFile, saveFlashFile } from "./flash_file.ts";
export { bootloaderSerial } from "./serial.ts";
