/**
 * The shape of the chip database: everything the tool needs to know about an STM32 product to flash it through
 * its ROM bootloader. Entries are plain data (see `database.ts`); code never branches on a chip's name.
 *
 * Facts come from ST AN2606 (system memory boot mode), the reference manuals and datasheets; every entry names
 * its source.
 *
 * @module
 */

/** A run of equally sized, consecutive erase units (pages or sectors). */
export interface FlashRegion {
  /** Address of the first unit. */
  start: number;
  /** Size of each unit in bytes. */
  pageSize: number;
  /** Number of units. */
  count: number;
}

/** One flash bank: erase units in address order. */
export interface FlashBank {
  /** Bank name as the reference manual gives it, e.g. `bank 1`. */
  name: string;
  /** The bank's erase units, in address order. */
  regions: FlashRegion[];
}

/** A named bit field inside the option-byte area. */
export interface OptionField {
  /** Field name as the reference manual spells it, e.g. `RDP`, `nBOOT1`, `WDG_SW`. */
  name: string;
  /** Byte offset of the 32-bit little-endian word holding the field, from the option-byte base. */
  offset: number;
  /** Lowest bit of the field within that word. */
  shift: number;
  /** Width of the field in bits. */
  width: number;
  /** What the field does, one line. */
  description: string;
}

/** What a product's option bytes look like. */
export interface OptionBytesInfo {
  /** Address of the option-byte area as the bootloader's Read/Write Memory commands see it. */
  address: number;
  /** Size in bytes of the area the bootloader reads and writes. */
  size: number;
  /** Named fields, for reading and setting options by name. */
  fields: OptionField[];
}

/** What the tool knows about one STM32 product, identified by its bootloader product ID. */
export interface ChipInfo {
  /** Product ID returned by the Get ID command (AN3155 §3.3), e.g. 0x410. */
  pid: number;
  /** Human name, e.g. `STM32F10xxx medium-density`. */
  name: string;
  /** Series, e.g. `F1`; selects option-byte naming and quirks. */
  family: string;
  /** Document the facts come from, e.g. `AN2606 Rev 64 Table 2; RM0008`. */
  source: string;
  /** Flash memory. */
  flash: {
    /** Address of the first byte of main flash. */
    base: number;
    /** Largest flash size of any part with this product ID, in bytes. */
    maxSize: number;
    /**
     * Smallest flash size of any part with this product ID, in bytes, where a document defines the range (e.g.
     * RM0008's densities: medium-density is 64 to 128 KiB). A flash-size register below it contradicts the product
     * ID: one of the two replies is corrupted.
     */
    minSize?: number;
    /** Address of the register holding the flash size in KiB (16-bit), where the chip has one. */
    sizeRegister?: number;
    /** Erase units per bank, laid out for `maxSize`. */
    banks: FlashBank[];
    /** Smallest programmable unit in bytes (2 = half-word on F1, 8 = double-word on L4/G0, 32 = 256-bit on H7). */
    programUnit: number;
    /**
     * What the flash does when asked to program a unit that is not erased, where the reference manual says:
     * `refused` — the controller flags an error and leaves the unit as it was (PGERR on F0/F1/F3, PROGERR on
     * G0/G4/L4/WB); `and` — it programs anyway and can only clear bits, so the unit ends up holding the AND of old
     * and new (F2/F4). Either way nothing is damaged and a read-back tells, so on a blank chip the host may program
     * the pages an image fills without erasing them first. Absent where not confirmed: the host always erases.
     */
    programOverData?: "refused" | "and";
  };
  /** SRAM. */
  ram: {
    /** First address of SRAM. */
    base: number;
    /** SRAM size in bytes. */
    size: number;
    /** First address the bootloader leaves free for the user (AN2606 "RAM" row). */
    userStart: number;
  };
  /** System memory, where the ROM bootloader lives. */
  systemMemory: { base: number; size: number };
  /** Option bytes. */
  optionBytes: OptionBytesInfo;
  /** Address of the 96-bit unique device ID, where the chip has one. */
  uniqueIdAddress?: number;
  /**
   * Byte offsets from `uniqueIdAddress` of the unique ID's three 32-bit words, lowest word first, where they are not
   * the contiguous 0, 4, 8: L0 and L1 keep the third word at 0x14 (RM0377 §28.2; RM0038 "Unique device ID registers").
   */
  uniqueIdWordOffsets?: readonly [number, number, number];
  /** USART bootloader versions seen on this product, e.g. `[0x22]`. */
  bootloaderVersions: number[];
  /** Erase command the USART bootloader offers: 0x43 (Erase) or 0x44 (Extended Erase). */
  eraseCommand: 0x43 | 0x44;
  /** Known deviations from AN3155 that the host must respect, each a short sentence. */
  quirks: string[];
}

/** A part number with its flash size, e.g. `stm32f103c8` (64 KiB) on product ID 0x410. */
export interface PartInfo {
  /** Lower-case part name as used on the command line, e.g. `stm32f103c8`. */
  part: string;
  /** Product ID of its die. */
  pid: number;
  /** Flash size of this part in bytes. */
  flashSize: number;
}
