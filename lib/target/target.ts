/**
 * The `Target` interface: what recipe steps need from a connected chip, whatever the link (USART bootloader,
 * USB DfuSe). Steps depend on this interface only, never on a transport or protocol.
 *
 * @module
 */

import type { ChipInfo } from "../chips/types.ts";

/**
 * Most bytes one `read` (step or command) copies from a chip: 16 MiB, four times the largest STM32 flash (4 MiB,
 * STM32U5). A larger request is a typo, and would allocate its whole size before the first byte is read.
 */
export const MAX_READ_LENGTH = 16 * 1024 * 1024;

/** Reports progress of a long operation: `done` of `total` bytes (or units). */
export type ProgressCallback = (done: number, total: number) => void;

/** What identifies the connected chip and its bootloader. */
export interface TargetIdentity {
  /** The link in use. */
  transport: "usart" | "dfu";
  /** Product ID (AN2606), when the bootloader reports one. */
  pid?: number;
  /** The chip database entry the product resolved to (a generic profile for unknown products). */
  chip: ChipInfo;
  /** Bootloader protocol version, e.g. `3.1`. */
  bootloaderVersion?: string;
  /** Commands the bootloader listed, by name. */
  commands?: string[];
  /** Flash size in bytes, from the flash-size register or the part. */
  flashSize: number;
  /** The 96-bit unique device ID as hex, when readable. */
  uniqueId?: string;
  /**
   * True when the bootloader refused to read the chip's signature area at connect time: read protection (RDP
   * level 1) is on, and the flash can be neither read, erased page by page nor written until it is removed.
   */
  readProtected?: boolean;
}

/** Which flash to erase. */
export type EraseRequest =
  | { kind: "all" }
  | { kind: "pages"; pages: number[] };

/** Protection changes; each makes the device reset (AN3155 §3.9-3.12). */
export type ProtectionRequest =
  | { kind: "readout-protect" }
  | { kind: "readout-unprotect" }
  | { kind: "write-protect"; pages: number[] }
  | { kind: "write-unprotect" };

/** A connected chip in its bootloader. */
export interface Target {
  /** Identity read at connect time. */
  readonly identity: TargetIdentity;
  /** Reads `length` bytes from `address`. */
  readMemory(address: number, length: number, progress?: ProgressCallback): Promise<Uint8Array>;
  /**
   * Writes `data` at `address`. The flash there must be erased; where it is not, the chip refuses (a USART NACK) or
   * ANDs (F2/F4), as `ChipInfo.flash.programOverData` says — what lib/target/blank_pages.ts relies on.
   */
  writeMemory(address: number, data: Uint8Array, progress?: ProgressCallback): Promise<void>;
  /** Erases all of flash or the given pages/sectors. */
  erase(request: EraseRequest, progress?: ProgressCallback): Promise<void>;
  /**
   * CRC-32 of a region as the bootloader computes it (AN3155 Get Checksum), or `undefined` when the bootloader
   * does not offer it; callers then read back.
   */
  checksum?(address: number, length: number): Promise<number | undefined>;
  /** Changes protection; resolves once the device has reset and the link is back in sync. */
  protect?(request: ProtectionRequest): Promise<void>;
  /** Reads the option-byte area, where the bootloader exposes it. */
  readOptionBytes?(): Promise<Uint8Array>;
  /**
   * Writes the whole option-byte area; the device then reloads its options and resets. Resolves once the link
   * is back in sync.
   */
  writeOptionBytes?(data: Uint8Array): Promise<void>;
  /**
   * Brings the session back after a transient link fault (a reply lost or garbled, the chip reset): afterwards
   * commands work again. What the interrupted command did to the flash is unknown; the caller checks.
   */
  recover?(): Promise<void>;
  /** Transient link faults recovered from so far in this session (reads retried, syncs redone), where counted. */
  readonly recoveries?: number;
  /** Starts the code at `address` (USART Go) or leaves DFU mode; the target is unusable afterwards. */
  go(address: number): Promise<void>;
  /** Releases the link. */
  close(): Promise<void>;
}
