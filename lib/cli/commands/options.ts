/**
 * `options [--set FIELD=VALUE]...`: show the option bytes decoded by field, or set fields by name — the recipe
 * `option-bytes` step's check and action (lib/target/option_settings.ts) as a one-shot command. RDP level 2 is
 * permanent: refused unless `--i-understand-rdp2-is-permanent` is given.
 *
 * @module
 */

import { parseNumber } from "../args.ts";
import type { CommandSpec } from "../command.ts";
import { ONE_SHOT_OPTIONS, parseOneShot, runOneShot } from "../one_shot.ts";
import { CHIPS } from "../../chips/database.ts";
import type { OptionValue } from "../../chips/format.ts";
import { formatAddress } from "../../chips/format.ts";
import { InputError } from "../../errors.ts";
import { rdpLevel } from "../../chips/read_protection.ts";
import { didYouMean } from "../../recipe/suggest.ts";
import {
  applyOptionSettings,
  checkOptionSettings,
  OptionSettingError,
  readOptionFields,
} from "../../target/option_settings.ts";

/** The flag that allows RDP level 2. */
export const PERMANENT_FLAG = "i-understand-rdp2-is-permanent";

/** The `options` command. */
export const optionsCommand: CommandSpec = {
  name: "options",
  summary: "show the option bytes by field, or set fields by name (RDP, nBOOT1, WDG_SW, ...); the chip resets",
  usage: "options [--set FIELD=VALUE]... (--port PATH | --usb VID:PID | --simulate CHIP)",
  description: "Field names as the reference manual spells them; `flashrecipe info` lists a chip's fields.\n" +
    "Setting RDP to level 2 can never be undone: it needs --" + PERMANENT_FLAG + ".",
  options: [
    { name: "set", type: "string", multiple: true, valueName: "FIELD=VALUE", description: "set a field (repeatable)" },
    { name: PERMANENT_FLAG, type: "boolean", description: "allow RDP level 2: the chip is locked for good" },
    ...ONE_SHOT_OPTIONS,
  ],
  examples: [
    ["options --port /dev/ttyUSB0", "show the option bytes"],
    ["options --set WDG_SW=0 --port /dev/ttyUSB0", "hardware watchdog"],
    ["options --set nBOOT1=1 --set nRST_STDBY=0 --port COM3", "two fields at once"],
  ],
  async run(args, console) {
    if (args.positionals.length > 0) {
      throw new InputError("E_USAGE", `options takes no arguments, not '${args.positionals.join(" ")}'`, {
        hint: "show them with `flashrecipe options --port PATH`; set one with --set FIELD=VALUE",
      });
    }
    const set = parseSettings((args.options.set as string[] | undefined) ?? []);
    const permanent = args.options[PERMANENT_FLAG] === true;
    // A value that is RDP level 2 on any family is refused before the board is touched (the chip decides later
    // for values that are level 2 only on its own family, which today are none).
    if (set.RDP !== undefined && !permanent && CHIPS.some((chip) => rdpLevel(chip, set.RDP) === 2)) {
      const families = [...new Set(CHIPS.filter((chip) => rdpLevel(chip, set.RDP) === 2).map((c) => c.family))];
      const value = `0x${set.RDP.toString(16).toUpperCase()}`;
      throw new InputError("E_PERMANENT", `RDP=${value} is read protection level 2, which is permanent`, {
        hint: `on ${families.join(", ")} the chip can never be read, debugged or reflashed through the bootloader ` +
          `again; if that is really wanted, add --${PERMANENT_FLAG}`,
      });
    }
    const shot = parseOneShot(args, "options");
    let shown: OptionValue[] | undefined;
    const setting = Object.keys(set).length > 0;
    const { code, events } = await runOneShot(console, shot, {
      title: setting ? "options --set" : "options",
      stages: [{
        type: "option-bytes",
        async run(context) {
          const target = context.target!;
          const { chip } = target.identity;
          if (!setting) {
            shown = (await readOptionFields(target)).fields;
            return { summary: `${chip.optionBytes.size} bytes at ${formatAddress(chip.optionBytes.address)}` };
          }
          try {
            checkOptionSettings(chip, { set }, {
              declared: permanent,
              confirmed: permanent,
              declareHint: `if that is really wanted, add --${PERMANENT_FLAG}`,
              confirmHint: `add --${PERMANENT_FLAG}`,
            });
          } catch (error) {
            // Found before anything was written: the chip was only identified.
            if (error instanceof OptionSettingError) {
              throw new InputError(error.code, error.message, { hint: error.hint });
            }
            throw error;
          }
          return { summary: await applyOptionSettings(target, { set }) };
        },
      }],
    });
    if (!shown) return code;
    if (events) {
      events.emit({ event: "info", optionBytes: shown.map((o) => ({ name: o.name, value: o.value })) });
    } else if (!shot.quiet) {
      const width = Math.max(...shown.map((v) => v.name.length)) + 2;
      for (const value of shown) {
        const hex = `0x${value.value.toString(16).toUpperCase()}`;
        console.out(`  ${value.name.padEnd(width)}${hex.padEnd(8)}${value.description}`);
      }
    }
    return code;
  },
};

/** `FIELD=VALUE` items, checked against every field name the database knows before the board is touched. */
function parseSettings(items: readonly string[]): Record<string, number> {
  const known = [...new Set(CHIPS.flatMap((chip) => chip.optionBytes.fields.map((f) => f.name)))];
  const out: Record<string, number> = {};
  for (const item of items) {
    const at = item.indexOf("=");
    if (at <= 0) {
      throw new InputError("E_USAGE", `--set expects FIELD=VALUE, got '${item}'`, { hint: "e.g. --set WDG_SW=0" });
    }
    const name = item.slice(0, at);
    const exact = known.find((k) => k === name) ?? known.find((k) => k.toLowerCase() === name.toLowerCase());
    if (!exact) {
      throw new InputError("E_OPTION_FIELD", `no chip has an option field '${name}'${didYouMean(name, known)}`, {
        hint: "`flashrecipe info --port PATH` lists the fields of the connected chip",
      });
    }
    out[exact] = parseNumber(item.slice(at + 1), `the value of ${exact}`);
  }
  return out;
}
