/**
 * Setting option bytes by field name: the check before anything is sent (known field, value that fits, RDP level 2
 * only when allowed twice over) and the read-modify-write-reload-check on the chip. One implementation for the
 * `option-bytes` recipe step and the `options` one-shot command.
 *
 * @module
 */

import { decodeOptionBytes, encodeOptionField, type OptionValue } from "../chips/format.ts";
import { rdpLevel } from "../chips/read_protection.ts";
import type { ChipInfo } from "../chips/types.ts";
import { DeviceError, InputError } from "../errors.ts";
import { didYouMean } from "../recipe/suggest.ts";
import type { Target } from "./target.ts";

/** What to change: fields by name, and raw bytes at an offset of the option area. */
export interface OptionSettings {
  /** Field values by name, e.g. `{ nBOOT1: 1 }`. */
  set?: Readonly<Record<string, number>>;
  /** Raw bytes at a byte offset of the option area. */
  raw?: { offset: number; bytes: readonly number[] };
}

/** A mistake in {@linkcode OptionSettings}: the field it is about (absent for `raw`), and the error. */
export class OptionSettingError extends InputError {
  /** The field name the error is about; `undefined` for the raw bytes. */
  readonly field?: string;
  /** True when the name itself is wrong (so a recipe error points at the key, not the value). */
  readonly badName: boolean;
  constructor(code: string, message: string, hint: string | undefined, field?: string, badName = false) {
    super(code, message, { hint });
    this.field = field;
    this.badName = badName;
  }
}

/** How RDP level 2 was allowed: `declared` where the change is written (a recipe's `allow-permanent`), `confirmed`. */
export interface PermanentConsent {
  /** The change itself says it may be permanent (the recipe step's `allow-permanent: true`). */
  declared: boolean;
  /** The person running it confirmed (the command line's flag). */
  confirmed: boolean;
  /** What to add where the change is written, e.g. `add 'allow-permanent: true' to this step`. */
  declareHint: string;
  /** What to add on the command line, e.g. `run with --confirm-permanent to allow it`. */
  confirmHint: string;
}

/**
 * Checks `settings` against `chip`: every field exists (with a suggestion when not), every value fits, raw bytes
 * stay inside the area, and RDP level 2 — permanent — only with both kinds of consent. Throws
 * {@linkcode OptionSettingError}.
 */
export function checkOptionSettings(chip: ChipInfo, settings: OptionSettings, consent: PermanentConsent): void {
  const names = chip.optionBytes.fields.map((f) => f.name);
  let scratch: Uint8Array = new Uint8Array(chip.optionBytes.size);
  for (const [name, value] of Object.entries(settings.set ?? {})) {
    if (!names.includes(name)) {
      throw new OptionSettingError(
        "E_OPTION_FIELD",
        `the ${chip.family} family has no option field '${name}'${didYouMean(name, names)}`,
        `fields: ${names.join(", ")}`,
        name,
        true,
      );
    }
    try {
      scratch = encodeOptionField(chip, scratch, name, value);
    } catch (error) {
      if (error instanceof InputError) throw new OptionSettingError(error.code, error.message, error.hint, name);
      throw error;
    }
    if (name === "RDP" && rdpLevel(chip, value) === 2) {
      if (!consent.declared) {
        throw new OptionSettingError(
          "E_PERMANENT",
          "RDP level 2 is permanent: the chip can never be read, debugged or reflashed through the bootloader again",
          consent.declareHint,
          name,
        );
      }
      if (!consent.confirmed) {
        throw new OptionSettingError(
          "E_PERMANENT",
          "this sets RDP level 2, which is permanent",
          consent.confirmHint,
          name,
        );
      }
    }
  }
  if (settings.raw && settings.raw.offset + settings.raw.bytes.length > chip.optionBytes.size) {
    throw new OptionSettingError(
      "E_USAGE",
      `raw bytes run past the ${chip.optionBytes.size}-byte option area`,
      undefined,
    );
  }
}

/** The option bytes of the connected chip, decoded by field; throws when the link cannot reach them. */
export async function readOptionFields(target: Target): Promise<{ bytes: Uint8Array; fields: OptionValue[] }> {
  const { chip } = target.identity;
  if (!target.readOptionBytes || chip.optionBytes.size === 0) {
    throw new DeviceError("E_UNSUPPORTED", `option bytes of the ${chip.name} are not reachable on this link`);
  }
  const bytes = await target.readOptionBytes();
  return { bytes, fields: decodeOptionBytes(chip, bytes) };
}

/**
 * Reads the option bytes, applies `settings` (already checked), and when anything changes writes them, lets the
 * chip reset and reload them, and reads them back to check each named field. Returns a one-line summary.
 * `beforeWrite` runs just before the write (e.g. to forget what was known about flash contents).
 */
export async function applyOptionSettings(
  target: Target,
  settings: OptionSettings,
  beforeWrite: () => void = () => {},
): Promise<string> {
  const { chip } = target.identity;
  if (!target.writeOptionBytes) {
    throw new DeviceError("E_UNSUPPORTED", `option bytes of the ${chip.name} are not reachable on this link`);
  }
  const { bytes: current } = await readOptionFields(target);
  let next: Uint8Array = current.slice();
  for (const [name, value] of Object.entries(settings.set ?? {})) next = encodeOptionField(chip, next, name, value);
  if (settings.raw) next.set(settings.raw.bytes, settings.raw.offset);
  if (next.every((b, i) => b === current[i])) return "already set; nothing written";
  beforeWrite();
  await target.writeOptionBytes(next);
  const rdp = decodeOptionBytes(chip, next).find((f) => f.name === "RDP")?.value;
  if (rdp !== undefined && rdpLevel(chip, rdp) > 0) {
    return "written; the chip reset with read protection on, so it cannot be read back";
  }
  const after = decodeOptionBytes(chip, await target.readOptionBytes!());
  for (const [name, value] of Object.entries(settings.set ?? {})) {
    const found = after.find((f) => f.name === name)?.value;
    if (found !== value) {
      throw new DeviceError("E_OPTION_VERIFY", `option field ${name} reads back ${found}, not ${value}`, {
        hint: "the chip may refuse this value; check the reference manual",
      });
    }
  }
  const what = Object.entries(settings.set ?? {}).map(([k, v]) => `${k}=${v}`).join(", ") || "raw bytes";
  return `set ${what}; the chip reset, reloaded its options and reads them back`;
}
