/**
 * STM32F2 and STM32F4 series (same flash controller and option-byte layout). Facts: AN2606 (STM32F2xxxx and
 * STM32F4 bootloader sections, device-dependent bootloader parameters table), RM0033 (F2) and RM0090 (F405-F439)
 * §3.3 (sector organisation), §3.6 (option bytes), §39 (device electronic signature); RM0368 (F401), RM0383 (F411),
 * RM0401 (F410), RM0402 (F412), RM0430 (F413), RM0390 (F446), RM0386 (F469). RAM, system-memory and option-byte
 * ranges cross-checked against stm32flash `dev_table.c`, sector layouts against OpenOCD `stm32f2x.c`.
 *
 * @module
 */

import type { ChipInfo, FlashBank, OptionField } from "../types.ts";
import { chipEntry, FLASH_BASE, KIB, type ProductParams, sectorBank } from "./common.ts";
import {
  F4_BOR_LEV_FIELD,
  F4_NWRP_FIELD,
  optionField,
  rdpField,
  stopStandbyResetFields,
  watchdogSelectField,
} from "./option_fields.ts";

/**
 * F2/F4 option bytes as the bootloader reads them at 0x1FFFC000 (16 bytes, RM0090 §3.6.1): the word at +0 holds
 * USER (bits 7:0) and RDP (bits 15:8) with their complement in bits 31:16; the word at +8 holds nWRP (bits 11:0,
 * plus SPRMOD/DB1M on newer parts) with its complement in bits 31:16. Words +4 and +12 are reserved.
 */
export const F4_OPTION_FIELDS: OptionField[] = [
  F4_BOR_LEV_FIELD,
  optionField("BFB2", 0x0, 4, 1, "1 = boot from bank 2 if valid (dual-bank parts only)"),
  watchdogSelectField("WDG_SW", 0x0, 5),
  ...stopStandbyResetFields(0x0, 6),
  rdpField(0x0, 8),
  F4_NWRP_FIELD,
  optionField("DB1M", 0x8, 14, 1, "1 = dual-bank mode on 1 MiB parts (F42x/F43x only)"),
  optionField("SPRMOD", 0x8, 15, 1, "1 = nWRP bits select PCROP instead (newer parts)"),
];

const OPTION_BYTES = { address: 0x1fff_c000, size: 16, fields: F4_OPTION_FIELDS };
const FLASH_SIZE_REGISTER = 0x1fff_7a22; // RM0090 §39.2 "Flash size"
const UNIQUE_ID = 0x1fff_7a10; // RM0090 §39.1 "Unique device ID register"
const SYSTEM_MEMORY = { base: 0x1fff_0000, size: 30 * KIB }; // RM0090 Table 5: 0x1FFF0000-0x1FFF77FF

/** Sector runs of one F2/F4 bank of up to 1 MiB: 4 x 16 KiB, 1 x 64 KiB, then 128 KiB sectors (RM0090 §3.3). */
function f4Bank(name: string, start: number, size: number): FlashBank {
  const large = (size - 128 * KIB) / (128 * KIB);
  return sectorBank(
    name,
    start,
    large > 0 ? [[16 * KIB, 4], [64 * KIB, 1], [128 * KIB, large]] : [[16 * KIB, 4], [
      64 * KIB,
      1,
    ]],
  );
}

interface F4Params extends ProductParams {
  family: "F2" | "F4";
  /** Two banks of `flashSize / 2`, the second with its own 16/64/128 KiB run (RM0090 §3.3 Table 6). */
  dualBank?: boolean;
  userStart: number;
  eraseCommand?: 0x43 | 0x44;
  quirks?: string[];
}

function f4(p: F4Params): ChipInfo {
  const banks = p.dualBank
    ? [f4Bank("bank 1", FLASH_BASE, p.flashSize / 2), f4Bank("bank 2", FLASH_BASE + p.flashSize / 2, p.flashSize / 2)]
    : [f4Bank("bank 1", FLASH_BASE, p.flashSize)];
  return chipEntry({
    ...p,
    sizeRegister: FLASH_SIZE_REGISTER,
    banks,
    // The bootloader programs words (x32 parallelism at 2.7-3.6 V; AN2606 "bootloader Flash program at 3.3 V").
    programUnit: 4,
    // RM0090 §3.5.4 ("Programming", note): successive writes without an erase may only change bits from 1 to 0.
    programOverData: "and",
    systemMemory: SYSTEM_MEMORY,
    optionBytes: OPTION_BYTES,
    uniqueIdAddress: UNIQUE_ID,
    eraseCommand: p.eraseCommand ?? 0x44,
    quirks: [
      "Sector erase takes up to 2-4 s per 128 KiB sector and mass erase up to 32 s: use long erase timeouts.",
      "The bootloader programs at the voltage range it assumes (2.7-3.6 V); at lower VDD writes can fail.",
      ...(p.quirks ?? []),
    ],
  });
}

const DUAL_BANK_QUIRK =
  "Bank 2 write protection (nWRP of sectors 12-23) lives in a second option-byte area at 0x1FFEC008, outside " +
  "the 16 bytes at 0x1FFFC000 described here.";

/** F2 products with a USART bootloader. */
export const F2_CHIPS: ChipInfo[] = [
  f4({
    pid: 0x411,
    name: "STM32F2xxxx",
    family: "F2",
    source: "AN2606 STM32F2xxxx bootloader (PID 0x411); RM0033 §2.3 (sectors), §2.8 (option bytes); " +
      "stm32flash dev_table.c",
    flashSize: 1024 * KIB,
    ramSize: 128 * KIB,
    userStart: 0x2000_2000,
    versions: [0x20, 0x33],
    quirks: [
      "Early F2 bootloader V2.0 offers Erase (0x43) instead of Extended Erase: the protocol layer must use " +
      "what Get lists.",
    ],
  }),
];

/** F4 products with a USART bootloader. */
export const F4_CHIPS: ChipInfo[] = [
  f4({
    pid: 0x413,
    name: "STM32F40xxx/41xxx",
    family: "F4",
    source: "AN2606 STM32F40xxx/41xxx bootloader (PID 0x413); RM0090 §3.3 Table 5, §3.6; stm32flash dev_table.c",
    flashSize: 1024 * KIB,
    ramSize: 128 * KIB,
    userStart: 0x2000_3000,
    versions: [0x31, 0x90],
  }),
  f4({
    pid: 0x419,
    name: "STM32F42xxx/43xxx",
    family: "F4",
    source: "AN2606 STM32F42xxx/43xxx bootloader (PID 0x419); RM0090 §3.3 Table 6 (2 MiB, two banks), §3.6; " +
      "stm32flash dev_table.c",
    flashSize: 2048 * KIB,
    dualBank: true,
    ramSize: 192 * KIB,
    userStart: 0x2000_3000,
    versions: [0x70, 0x90],
    quirks: [DUAL_BANK_QUIRK],
  }),
  f4({
    pid: 0x423,
    name: "STM32F401xB/C",
    family: "F4",
    source: "AN2606 STM32F401xB(C) bootloader (PID 0x423); RM0368 §3.3, §3.5; stm32flash dev_table.c",
    flashSize: 256 * KIB,
    ramSize: 64 * KIB,
    userStart: 0x2000_3000,
    versions: [0xd1],
  }),
  f4({
    pid: 0x433,
    name: "STM32F401xD/E",
    family: "F4",
    source: "AN2606 STM32F401xD(E) bootloader (PID 0x433); RM0368 §3.3, §3.5; stm32flash dev_table.c",
    flashSize: 512 * KIB,
    ramSize: 96 * KIB,
    userStart: 0x2000_3000,
    versions: [0xd1],
  }),
  f4({
    pid: 0x458,
    name: "STM32F410xx",
    family: "F4",
    source: "AN2606 STM32F410xx bootloader (PID 0x458); RM0401 §3.3, §3.5; stm32flash dev_table.c",
    flashSize: 128 * KIB,
    ramSize: 32 * KIB,
    userStart: 0x2000_3000,
    versions: [0xb1],
  }),
  f4({
    pid: 0x431,
    name: "STM32F411xx",
    family: "F4",
    source: "AN2606 STM32F411xx bootloader (PID 0x431); RM0383 §3.3, §3.5; stm32flash dev_table.c",
    flashSize: 512 * KIB,
    ramSize: 128 * KIB,
    userStart: 0x2000_3000,
    versions: [0xd0],
  }),
  f4({
    pid: 0x441,
    name: "STM32F412xx",
    family: "F4",
    source: "AN2606 STM32F412xx bootloader (PID 0x441); RM0402 §3.3, §3.5; stm32flash dev_table.c",
    flashSize: 1024 * KIB,
    ramSize: 256 * KIB,
    userStart: 0x2000_3000,
    versions: [0x90],
  }),
  f4({
    pid: 0x421,
    name: "STM32F446xx",
    family: "F4",
    source: "AN2606 STM32F446xx bootloader (PID 0x421); RM0390 §3.3, §3.6; stm32flash dev_table.c",
    flashSize: 512 * KIB,
    ramSize: 128 * KIB,
    userStart: 0x2000_3000,
    versions: [0x90],
  }),
  f4({
    pid: 0x434,
    name: "STM32F469xx/479xx",
    family: "F4",
    source: "AN2606 STM32F469xx/479xx bootloader (PID 0x434); RM0386 §3.3 (2 MiB, two banks), §3.6; " +
      "stm32flash dev_table.c",
    flashSize: 2048 * KIB,
    dualBank: true,
    ramSize: 384 * KIB,
    userStart: 0x2000_3000,
    versions: [0x90],
    quirks: [DUAL_BANK_QUIRK],
  }),
  f4({
    pid: 0x463,
    name: "STM32F413xx/423xx",
    family: "F4",
    source: "AN2606 STM32F413xx/423xx bootloader (PID 0x463); RM0430 §3.3 (16 sectors, 1.5 MiB), §3.5; " +
      "stm32flash dev_table.c",
    flashSize: 1536 * KIB,
    ramSize: 320 * KIB,
    userStart: 0x2000_3000,
    versions: [0x90],
  }),
];
