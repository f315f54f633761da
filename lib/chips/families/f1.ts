/**
 * STM32F1 series. Facts: AN2606 (STM32F10xxx, STM32F105/107 and XL-density bootloader sections and the
 * device-dependent bootloader parameters table), RM0008 §3.3.3 (flash organisation), §2.5/PM0075 (option bytes),
 * §30 (device electronic signature); RAM, system-memory and option-byte ranges cross-checked against stm32flash
 * `dev_table.c`.
 *
 * @module
 */

import type { ChipInfo, OptionField } from "../types.ts";
import { dualBank, KIB, singleBank, SRAM_BASE } from "./common.ts";

/**
 * F1 option bytes as the bootloader reads them at 0x1FFFF800 (16 bytes): each byte followed by its complement,
 * `RDP nRDP USER nUSER | Data0 nData0 Data1 nData1 | WRP0 nWRP0 WRP1 nWRP1 | WRP2 nWRP2 WRP3 nWRP3`
 * (RM0008 §2.5, PM0075 §2.5 "Option byte description").
 */
export const F1_OPTION_FIELDS: OptionField[] = [
  { name: "RDP", offset: 0x0, shift: 0, width: 8, description: "read protection: 0xA5 = off, anything else = on" },
  { name: "WDG_SW", offset: 0x0, shift: 16, width: 1, description: "1 = software watchdog, 0 = hardware watchdog" },
  { name: "nRST_STOP", offset: 0x0, shift: 17, width: 1, description: "0 = reset when entering Stop mode" },
  { name: "nRST_STDBY", offset: 0x0, shift: 18, width: 1, description: "0 = reset when entering Standby mode" },
  { name: "BFB2", offset: 0x0, shift: 19, width: 1, description: "0 = boot from bank 2 if valid (XL-density only)" },
  { name: "Data0", offset: 0x4, shift: 0, width: 8, description: "user data byte 0" },
  { name: "Data1", offset: 0x4, shift: 16, width: 8, description: "user data byte 1" },
  { name: "WRP0", offset: 0x8, shift: 0, width: 8, description: "write protection bits 0-7 (0 = protected)" },
  { name: "WRP1", offset: 0x8, shift: 16, width: 8, description: "write protection bits 8-15 (0 = protected)" },
  { name: "WRP2", offset: 0xc, shift: 0, width: 8, description: "write protection bits 16-23 (0 = protected)" },
  { name: "WRP3", offset: 0xc, shift: 16, width: 8, description: "write protection bits 24-31 (0 = protected)" },
];

const OPTION_BYTES = { address: 0x1fff_f800, size: 16, fields: F1_OPTION_FIELDS };
const FLASH_SIZE_REGISTER = 0x1fff_f7e0; // RM0008 §30.1 "Flash size register"
const UNIQUE_ID = 0x1fff_f7e8; // RM0008 §30.2 "Unique device ID register"

interface F1Params {
  pid: number;
  name: string;
  source: string;
  flashSize: number;
  pageSize: number;
  dualBank?: boolean;
  ramSize: number;
  userStart: number;
  systemMemory: number;
  versions: number[];
}

function f1(p: F1Params): ChipInfo {
  return {
    pid: p.pid,
    name: p.name,
    family: "F1",
    source: p.source,
    flash: {
      base: 0x0800_0000,
      maxSize: p.flashSize,
      sizeRegister: FLASH_SIZE_REGISTER,
      banks: p.dualBank ? dualBank(p.flashSize, p.pageSize) : singleBank(p.flashSize, p.pageSize),
      programUnit: 2, // RM0008 §3.3.3: half-word programming
    },
    ram: { base: SRAM_BASE, size: p.ramSize, userStart: p.userStart },
    // System memory ends where the option bytes start (0x1FFFF800) on every F1.
    systemMemory: { base: p.systemMemory, size: 0x1fff_f800 - p.systemMemory },
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: UNIQUE_ID,
    bootloaderVersions: p.versions,
    // Every F1 bootloader is below V3.0, so it offers Erase (0x43), not Extended Erase (AN3155 §3.7/§3.8).
    eraseCommand: 0x43,
    quirks: [],
  };
}

/** F1 products with a USART bootloader. */
export const F1_CHIPS: ChipInfo[] = [
  f1({
    pid: 0x412,
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
