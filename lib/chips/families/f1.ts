/**
 * STM32F1 series. Facts: AN2606 (STM32F10xxx, STM32F105/107 and XL-density bootloader sections and the
 * device-dependent bootloader parameters table), RM0008 §3.3.3 (flash organisation), §2.5/PM0075 (option bytes),
 * §30 (device electronic signature); RAM, system-memory and option-byte ranges cross-checked against stm32flash
 * `dev_table.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { chipEntry, flashBanks, KIB, type ProductParams } from "./common.ts";
import { bytePairOptionFields, optionField, rdpField } from "./option_fields.ts";

/**
 * F1 option bytes as the bootloader reads them at 0x1FFFF800 (16 bytes): each byte followed by its complement,
 * `RDP nRDP USER nUSER | Data0 nData0 Data1 nData1 | WRP0 nWRP0 WRP1 nWRP1 | WRP2 nWRP2 WRP3 nWRP3`
 * (RM0008 §2.5, PM0075 §2.5 "Option byte description").
 */
export const F1_OPTION_FIELDS: OptionField[] = bytePairOptionFields(
  rdpField(0x0, 0, "read protection: 0xA5 = off, anything else = on"),
  [optionField("BFB2", 0x0, 19, 1, "0 = boot from bank 2 if valid (XL-density only)")],
);

const OPTION_BYTES = { address: 0x1fff_f800, size: 16, fields: F1_OPTION_FIELDS };
const FLASH_SIZE_REGISTER = 0x1fff_f7e0; // RM0008 §30.1 "Flash size register"
const UNIQUE_ID = 0x1fff_f7e8; // RM0008 §30.2 "Unique device ID register"

interface F1Params extends ProductParams {
  pageSize: number;
  dualBank?: boolean;
  userStart: number;
  systemMemory: number;
}

function f1(p: F1Params): ChipInfo {
  return chipEntry({
    ...p,
    family: "F1",
    sizeRegister: FLASH_SIZE_REGISTER,
    banks: flashBanks(p.flashSize, p.pageSize, p.dualBank),
    programUnit: 2, // RM0008 §3.3.3: half-word programming
    programOverData: "refused", // RM0008 §3.3.3: a location not erased is skipped with PGERR (0x0000 excepted)
    // System memory ends where the option bytes start (0x1FFFF800) on every F1.
    systemMemory: { base: p.systemMemory, size: 0x1fff_f800 - p.systemMemory },
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: UNIQUE_ID,
    // Every F1 bootloader is below V3.0, so it offers Erase (0x43), not Extended Erase (AN3155 §3.7/§3.8).
    eraseCommand: 0x43,
    quirks: [],
  });
}

/** F1 products with a USART bootloader. */
export const F1_CHIPS: ChipInfo[] = [
  f1({
    pid: 0x412,
    minFlashSize: 16 * KIB, // RM0008 §1.3 glossary: the density range
    name: "STM32F10xxx low-density",
    source: "AN2606 STM32F10xxx bootloader (PID 0x412); RM0008 §3.3.3, §2.5; stm32flash dev_table.c",
    flashSize: 32 * KIB,
    pageSize: 1 * KIB,
    ramSize: 10 * KIB,
    userStart: 0x2000_0200,
    systemMemory: 0x1fff_f000,
    versions: [0x22],
  }),
  f1({
    pid: 0x410,
    minFlashSize: 64 * KIB, // RM0008 §1.3 glossary: the density range
    name: "STM32F10xxx medium-density",
    source: "AN2606 STM32F10xxx bootloader (PID 0x410); RM0008 §3.3.3, §2.5; stm32flash dev_table.c",
    flashSize: 128 * KIB,
    pageSize: 1 * KIB,
    ramSize: 20 * KIB,
    userStart: 0x2000_0200,
    systemMemory: 0x1fff_f000,
    versions: [0x22],
  }),
  f1({
    pid: 0x414,
    minFlashSize: 256 * KIB, // RM0008 §1.3 glossary: the density range
    name: "STM32F10xxx high-density",
    source: "AN2606 STM32F10xxx bootloader (PID 0x414); RM0008 §3.3.3, §2.5; stm32flash dev_table.c",
    flashSize: 512 * KIB,
    pageSize: 2 * KIB,
    ramSize: 64 * KIB,
    userStart: 0x2000_0200,
    systemMemory: 0x1fff_f000,
    versions: [0x22],
  }),
  f1({
    pid: 0x420,
    name: "STM32F10xxx medium-density value line",
    source: "AN2606 STM32F10xxx value line bootloader (PID 0x420); RM0041 §3; stm32flash dev_table.c",
    flashSize: 128 * KIB,
    pageSize: 1 * KIB,
    ramSize: 8 * KIB,
    userStart: 0x2000_0200,
    systemMemory: 0x1fff_f000,
    versions: [0x22],
  }),
  f1({
    pid: 0x428,
    name: "STM32F10xxx high-density value line",
    source: "AN2606 STM32F10xxx value line bootloader (PID 0x428); RM0041 §3; stm32flash dev_table.c",
    flashSize: 512 * KIB,
    pageSize: 2 * KIB,
    ramSize: 32 * KIB,
    userStart: 0x2000_0200,
    systemMemory: 0x1fff_f000,
    versions: [0x22],
  }),
  f1({
    pid: 0x418,
    name: "STM32F105xx/F107xx connectivity line",
    source: "AN2606 STM32F105xx/107xx bootloader (PID 0x418); RM0008 §3.3.3; stm32flash dev_table.c",
    flashSize: 256 * KIB,
    pageSize: 2 * KIB,
    ramSize: 64 * KIB,
    userStart: 0x2000_1000,
    systemMemory: 0x1fff_b000,
    versions: [0x20, 0x21, 0x22],
  }),
  f1({
    pid: 0x430,
    minFlashSize: 768 * KIB, // RM0008 §1.3 glossary: the density range
    name: "STM32F10xxx XL-density",
    source: "AN2606 STM32F10xxx XL-density bootloader (PID 0x430); RM0008 §3.3.3 (two 512 KiB banks); " +
      "stm32flash dev_table.c",
    flashSize: 1024 * KIB,
    pageSize: 2 * KIB,
    dualBank: true,
    ramSize: 96 * KIB,
    userStart: 0x2000_0800,
    systemMemory: 0x1fff_e000,
    versions: [0x21],
  }),
];
