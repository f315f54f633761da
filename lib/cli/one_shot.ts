/**
 * The engine of the one-shot commands (`write`, `read`, `info`, `erase`, `go`, `reset`, `protect`, `unprotect`,
 * `options`): each is a short list of stages — the recipe steps of the same job where there is one (`erase`,
 * `protect`, `option-bytes`, `jump`, `enter-boot`, `leave-boot`, `reset`) — run by the recipe runner with the same
 * reporters as `run`. So every one-shot shows the same progress bars, `--json` events and `--quiet` output, and
 * puts the board into its bootloader and back out through DTR/RTS with the same wiring presets recipes use
 * (`--wiring PRESET`, esptool-like `--before`/`--after`).
 *
 * @module
 */

import { parseNumber } from "./args.ts";
import type { OptionSpec, ParsedArgs } from "./args.ts";
import type { Console } from "./command.ts";
import { createConnector } from "./connector.ts";
import { JsonEventWriter } from "./json_reporter.ts";
import { LINK_OPTIONS } from "./link_options.ts";
import { chooseReporter } from "./reporters.ts";
import { VERSION } from "./version.ts";
import { formatPid } from "../chips/database.ts";
import { DeviceError, FlashRecipeError, InputError } from "../errors.ts";
import { RecipeError } from "../recipe/errors.ts";
import type { RecipeStep } from "../recipe/load.ts";
import type { RunResult } from "../recipe/reporter.ts";
import { type RunnableRecipe, runRecipe } from "../recipe/runner.ts";
import type { CheckContext, RunFlags, StepContext, StepOutcome, StepType } from "../recipe/step.ts";
import { didYouMean } from "../recipe/suggest.ts";
import { enterBootStep } from "../recipe/steps/enter_boot.ts";
import { jumpStep } from "../recipe/steps/jump.ts";
import { leaveBootStep } from "../recipe/steps/leave_boot.ts";
import type { PartInfo } from "../chips/types.ts";
import type { MemoryImage } from "../image/memory_image.ts";
import { assertPlannable } from "../flash/program.ts";
import { assertNotReadProtected } from "../target/protection.ts";
import type { Target } from "../target/target.ts";
import { type BoardWiring, WIRING_PRESETS } from "../transport/board_wiring.ts";
import { isSimulatedDfu, simulatedPartName } from "../sim/part_names.ts";

/** `--json` and `--quiet`, for every command that touches a device. */
export const OUTPUT_OPTIONS: readonly OptionSpec[] = [
  { name: "json", type: "boolean", description: "print JSON Lines events on stdout (docs/events.md)" },
  { name: "quiet", short: "q", type: "boolean", description: "print only errors and the result line" },
];

/** `--wiring`, `--before`, `--after`: DTR/RTS around a one-shot, as recipes' `enter-boot`/`leave-boot` do. */
export const WIRING_OPTIONS: readonly OptionSpec[] = [
  {
    name: "wiring",
    type: "string",
    valueName: "PRESET",
    description: `how DTR/RTS reach NRST/BOOT0: ${Object.keys(WIRING_PRESETS).join(", ")} (docs/recipes.md)`,
  },
  {
    name: "before",
    type: "string",
    valueName: "ACTION",
    description: "bootloader: reset into the bootloader first (default with --wiring); none: it is already there",
  },
  {
    name: "after",
    type: "string",
    valueName: "ACTION",
    description: "reset: reset into the application (needs --wiring); go: start it by the bootloader's Go; none",
  },
];

/** `--wait`: how long a USB DFU bootloader may take to appear (dfu-util's `-w`). */
export const WAIT_OPTION: OptionSpec = {
  name: "wait",
  type: "string",
  valueName: "TIME",
  description: "USB DFU: wait up to TIME (10s, 500ms, 1m; a bare number is seconds) for the bootloader to appear",
};

/** Every option of a one-shot that touches a device: link, wiring, output. */
export const ONE_SHOT_OPTIONS: readonly OptionSpec[] = [
  ...LINK_OPTIONS,
  WAIT_OPTION,
  ...WIRING_OPTIONS,
  ...OUTPUT_OPTIONS,
];

/** Parses `--wait`: `10s`, `500ms`, `1m`, or a bare number of seconds; `undefined` when not given. */
export function parseWait(args: ParsedArgs): number | undefined {
  const text = args.options.wait as string | undefined;
  if (text === undefined) return undefined;
  const bare = /^\d+(\.\d+)?$/.test(text) ? `${text}s` : text;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/.exec(bare);
  if (!match) throw new InputError("E_USAGE", `--wait takes a time such as 10s, 500ms or 1m, not '${text}'`);
  const ms = Math.round(Number(match[1]) * (match[2] === "ms" ? 1 : match[2] === "s" ? 1000 : 60_000));
  if (ms > 3_600_000) throw new InputError("E_USAGE", "--wait is at most an hour");
  return ms;
}

/**
 * Adds to a USB "no such device" error the advice to wait for a bootloader still starting, when no `--wait` was
 * given; other errors are returned as they are.
 */
export function adviseWait(error: unknown, waitMs: number | undefined): unknown {
  if (waitMs !== undefined || !(error instanceof FlashRecipeError) || error.code !== "E_USB_NOT_FOUND") return error;
  return new DeviceError(error.code, error.message, {
    hint: `${error.hint ?? ""}; if the board is still starting its DFU bootloader, add --wait 10s`,
    cause: error,
  });
}

/** What to do before connecting. */
export type BeforeAction = "bootloader" | "none";

/** What to do after the job. */
export type AfterAction = "reset" | "go" | "none";

/** A one-shot's command line, checked. */
export interface OneShot {
  /** The command's name, e.g. `erase`. */
  command: string;
  /** `--port`. */
  port?: string;
  /** `--simulate`. */
  simulate?: string;
  /** `--usb`. */
  usb?: string;
  /** `--baud`, default 115200. */
  baud: number;
  /** `--wait`, ms: how long the USB DFU device may take to appear. */
  waitMs?: number;
  /** `--wiring`, resolved. */
  wiring?: BoardWiring;
  /** The preset's name, for messages. */
  wiringName?: string;
  /** `--before`. */
  before: BeforeAction;
  /** `--after`. */
  after: AfterAction;
  /** `--json`. */
  json: boolean;
  /** `--quiet`. */
  quiet: boolean;
  /** Command-line confirmations. */
  flags: RunFlags;
}

/** Reads and checks a one-shot's link, wiring and output options; `after` is the command's default `--after`. */
export function parseOneShot(args: ParsedArgs, command: string, defaults: { after?: AfterAction } = {}): OneShot {
  const port = args.options.port as string | undefined;
  const simulate = args.options.simulate as string | undefined;
  const usb = args.options.usb as string | undefined;
  const choices = [port, simulate, simulate === undefined ? usb : undefined].filter((c) => c !== undefined);
  if (choices.length !== 1) {
    throw new InputError("E_USAGE", `${command} needs exactly one of --port PATH, --usb VID:PID and --simulate CHIP`, {
      hint: "`flashrecipe ports` lists the serial ports present, `flashrecipe usb` the USB devices",
    });
  }
  if (simulate !== undefined && !(usb !== undefined && isSimulatedDfu(simulate))) simulatedPartName(simulate);
  const baudText = args.options.baud as string | undefined;
  const baud = baudText === undefined ? 115200 : parseNumber(baudText, "--baud");
  const wiringName = args.options.wiring as string | undefined;
  let wiring: BoardWiring | undefined;
  if (wiringName !== undefined) {
    const preset = WIRING_PRESETS[wiringName];
    if (!preset) {
      const names = Object.keys(WIRING_PRESETS);
      throw new InputError("E_USAGE", `unknown wiring preset '${wiringName}'${didYouMean(wiringName, names)}`, {
        hint: `presets: ${names.join(", ")}`,
      });
    }
    if (usb !== undefined) {
      throw new InputError("E_USAGE", "--wiring drives DTR/RTS of a serial port; a USB DFU device has none", {
        hint: "leave out --wiring with --usb",
      });
    }
    const { description: _, ...lines } = preset;
    wiring = lines;
  }
  if (args.options.wait !== undefined && usb === undefined) {
    throw new InputError("E_USAGE", "--wait is for a USB DFU bootloader (--usb VID:PID)", {
      hint: "a serial bootloader answers the sync at once or not at all; leave out --wait",
    });
  }
  const before = choice(args, "before", ["bootloader", "none"], wiring ? "bootloader" : "none");
  const after = choice(
    args,
    "after",
    ["reset", "go", "none"],
    defaults.after === "reset" && !wiring ? "none" : defaults.after ?? "none",
  );
  if ((before === "bootloader" || after === "reset") && !wiring) {
    throw new InputError(
      "E_USAGE",
      `--${before === "bootloader" ? "before bootloader" : "after reset"} needs the board's wiring`,
      { hint: `add --wiring PRESET (${Object.keys(WIRING_PRESETS).join(", ")})` },
    );
  }
  return {
    command,
    port,
    simulate,
    usb,
    baud,
    waitMs: parseWait(args),
    wiring,
    wiringName,
    before,
    after,
    json: args.options.json === true,
    quiet: args.options.quiet === true,
    flags: { confirmPermanent: false, yes: false },
  };
}

/** esptool's spellings of `--before`/`--after`, for those who type them out of habit. */
const ESPTOOL_ACTIONS: Readonly<Record<string, string>> = {
  default_reset: "bootloader",
  no_reset: "none",
  hard_reset: "reset",
};

function choice<T extends string>(args: ParsedArgs, name: string, values: readonly T[], fallback: T): T {
  const given = args.options[name] as string | undefined;
  if (given === undefined) return fallback;
  const text = Object.hasOwn(ESPTOOL_ACTIONS, given) ? ESPTOOL_ACTIONS[given] : given;
  if (!(values as readonly string[]).includes(text)) {
    throw new InputError(
      "E_USAGE",
      `--${name} must be one of ${values.join(", ")}, not '${text}'${didYouMean(text, values)}`,
    );
  }
  return text as T;
}

/** The command line that does `job` on the same board, e.g. `flashrecipe unprotect read --port /dev/ttyUSB0`. */
export function commandLineFor(shot: OneShot, job: string): string {
  const parts = ["flashrecipe", job];
  if (shot.port !== undefined) parts.push("--port", shot.port);
  if (shot.usb !== undefined) parts.push("--usb", shot.usb);
  if (shot.simulate !== undefined) parts.push("--simulate", shot.simulate);
  if (shot.baud !== 115200) parts.push("--baud", String(shot.baud));
  if (shot.wiringName !== undefined) parts.push("--wiring", shot.wiringName);
  return parts.join(" ");
}

/** How to unlock a read-protected chip from where the user is, for `E_READ_PROTECTED`. */
export function unlockAdvice(shot: OneShot): string {
  return `unlock it with \`${commandLineFor(shot, "unprotect read")}\``;
}

/** One stage of a one-shot: what the user sees as one step. */
export interface OneShotStage {
  /** Step type: what the progress counts and the JSON events say, e.g. `erase`. */
  type: string;
  /** Label shown to the user; default the type. */
  label?: string;
  /** Runs the stage. */
  run(context: StepContext): Promise<StepOutcome>;
}

/**
 * A recipe step as a one-shot stage: the step's own check runs first against the chip just identified (so a page
 * that does not exist is refused before anything is erased), then the step itself.
 */
export function recipeStage(
  type: StepType,
  params: unknown,
  options: { label?: string; images?: ReadonlyMap<string, MemoryImage> } = {},
): OneShotStage {
  const bound = type.bind(params);
  return {
    type: type.name,
    label: options.label,
    async run(context) {
      const target = context.target;
      if (target) await checkOnChip(bound.check, context, target, options.images ?? new Map());
      return await bound.run(context);
    },
  };
}

async function checkOnChip(
  check: (context: CheckContext) => Promise<void>,
  context: StepContext,
  target: Target,
  images: ReadonlyMap<string, MemoryImage>,
): Promise<void> {
  const where = { file: "command line" };
  try {
    await check({
      part: context.part,
      chip: target.identity.chip,
      wiring: context.wiring,
      flags: context.flags,
      resolvePath: (path) => path,
      locate: () => where,
      // The command loaded its files before touching the board; a stage only looks them up.
      loadImage: (file) => {
        const image = images.get(file);
        return image ? Promise.resolve(image) : Promise.reject(new Error(`'${file}' was not loaded before the run`));
      },
      planWrite: () => {},
      plannedWrites: () => [],
      // No one-shot draws serial numbers.
      useCounter: () => {},
    });
  } catch (error) {
    // The command line, not a recipe, said it: the same message without a file position.
    if (error instanceof RecipeError) {
      throw new InputError(error.code === "E_RECIPE" ? "E_USAGE" : error.code, error.message, { hint: error.hint });
    }
    throw error;
  }
}

/** What {@linkcode runOneShot} runs. */
export interface OneShotPlan {
  /** The run's title, e.g. `erase all`. */
  title: string;
  /** The stages after the chip is identified (or, without `connect`, after `--before`). */
  stages: OneShotStage[];
  /** Whether the job needs the bootloader (default true); `reset` through the lines alone does not. */
  connect?: boolean;
  /**
   * Whether the job needs readable, erasable flash (default false): a read-protected chip then stops the run as
   * soon as it is identified, with the exact command that unlocks it.
   */
  needsUnlocked?: boolean;
  /** Images the stages write (for `erase: needed`). */
  planned?: MemoryImage[];
  /**
   * Whether the job erases or writes flash (default false): then the chip's page layout must be known and the
   * planned images must fit its flash (lib/flash/program.ts), checked as soon as it is identified.
   */
  changesFlash?: boolean;
}

/** How a one-shot went. */
export interface OneShotResult {
  /** Exit code. */
  code: number;
  /** What the runner reports. */
  result: RunResult;
  /** The event stream, with `--json`: a command may add its own events (e.g. `info`'s option bytes). */
  events?: JsonEventWriter;
}

/** Identifies the chip: sync, Get, Get ID — `connect` without a recipe's expected chip. */
function identifyStage(shot: OneShot, plan: OneShotPlan): OneShotStage {
  return {
    type: "connect",
    async run(context) {
      // AN3155 §2: the tool sends the 0x7F sync up to this many times (docs/recipes.md, `connect`).
      let target: Target;
      try {
        target = await context.connect({ baud: shot.baud, retries: 5, waitMs: shot.usb ? shot.waitMs : undefined });
      } catch (error) {
        throw adviseWait(error, shot.waitMs);
      }
      const { identity } = target;
      const id = identity.pid === undefined ? "" : ` (${formatPid(identity.pid)})`;
      const version = identity.bootloaderVersion ? `, bootloader ${identity.bootloaderVersion}` : "";
      // Nothing is erased on a chip whose layout is unknown or with an image that does not fit it, and a locked
      // chip is answered with the command that unlocks it, before any of the job's stages runs.
      if (plan.changesFlash) assertPlannable(target, plan.planned ?? []);
      if (plan.needsUnlocked) assertNotReadProtected(target, unlockAdvice(shot));
      const locked = identity.readProtected ? ", READ-PROTECTED" : "";
      return { summary: `${identity.chip.name}${id}${version}, ${identity.flashSize / 1024} KiB flash${locked}` };
    },
  };
}

/**
 * Runs a one-shot: `--before` (reset into the bootloader), identify the chip, the plan's stages, `--after` (reset
 * into the application, or Go); reported as `run` reports a recipe. The link is always released.
 */
export async function runOneShot(console: Console, shot: OneShot, plan: OneShotPlan): Promise<OneShotResult> {
  const events = shot.json ? new JsonEventWriter(console) : undefined;
  const reporter = chooseReporter(console, { json: events, quiet: shot.quiet, version: VERSION, compact: true });
  const connector = createConnector({
    port: shot.port,
    simulate: shot.simulate,
    transport: shot.usb !== undefined ? "dfu" : "usart",
    usb: shot.usb,
    wiring: shot.wiring,
    warn: (message) => reporter.warning ? reporter.warning(message) : console.err(`warning: ${message}`),
  });
  const stages: OneShotStage[] = [];
  if (shot.before === "bootloader") stages.push(recipeStage(enterBootStep, {}));
  if (plan.connect ?? true) stages.push(identifyStage(shot, plan));
  stages.push(...plan.stages);
  if (shot.after === "reset") stages.push(recipeStage(leaveBootStep, {}));
  if (shot.after === "go") stages.push(recipeStage(jumpStep, {}, { label: "go" }));
  let identified: PartInfo | undefined;
  const where = { file: "command line" };
  const steps: RecipeStep[] = stages.map((stage, index) => ({
    index,
    type: stage.type,
    label: stage.label ?? stage.type,
    location: where,
    step: {
      check: () => Promise.resolve(),
      run: async (context) => {
        const outcome = await stage.run(context);
        if (context.target) identified = partOf(context.target);
        return outcome;
      },
    },
    retry: { attempts: 0, delayMs: 0 },
  }));
  const recipe: RunnableRecipe = {
    header: { name: plan.title, target: { baud: shot.baud } },
    steps,
    onFailure: [],
    // Known once the chip has answered; no stage reads it before (the identify stage checks no expected chip).
    get part(): PartInfo {
      return identified ?? { part: "unidentified", pid: -1, flashSize: 0 };
    },
    wiring: shot.wiring,
    planned: plan.planned ?? [],
    resolvePath: (path) => path,
  };
  try {
    const result = await runRecipe(recipe, { board: connector, reporter, flags: shot.flags });
    return { code: result.ok ? 0 : result.error?.exitCode ?? 1, result, events };
  } finally {
    await connector.close();
  }
}

function partOf(target: Target): PartInfo {
  const { chip, pid, flashSize } = target.identity;
  return { part: chip.name, pid: pid ?? chip.pid, flashSize };
}
