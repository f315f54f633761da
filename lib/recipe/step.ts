/**
 * What a recipe step is: a name, a zod schema for its parameters, a check that runs before anything touches a
 * device, and the action itself, which talks to the chip only through the {@linkcode Target} interface.
 *
 * @module
 */

import type { z } from "zod";
import type { SourceLocation } from "../errors.ts";
import type { ChipInfo, PartInfo } from "../chips/types.ts";
import type { MemoryImage } from "../image/memory_image.ts";
import type { ImageFormat } from "../image/load.ts";
import type { FlashLedger } from "../flash/ledger.ts";
import type { Target } from "../target/target.ts";
import type { ByteStream, SerialLink } from "../transport/byte_stream.ts";
import type { BoardWiring } from "../transport/board_wiring.ts";
import type { DocumentPath } from "./yaml_source.ts";
import type { ProgressUnit } from "./reporter.ts";

/** Command-line confirmations that steps may require. */
export interface RunFlags {
  /** `--confirm-permanent`: allows irreversible changes the recipe asks for (RDP level 2). */
  confirmPermanent: boolean;
  /** `--yes`: answers every `prompt` with yes. */
  yes: boolean;
}

/** What the pre-flight check of a step may use. Nothing here reaches a device. */
export interface CheckContext {
  /** The part the recipe expects. */
  part: PartInfo;
  /** Its chip database entry. */
  chip: ChipInfo;
  /** How the board's NRST/BOOT0 are wired to the adapter, when the recipe says. */
  wiring?: BoardWiring;
  /** Command-line confirmations. */
  flags: RunFlags;
  /** Resolves a path written in the recipe (relative to the recipe's folder). */
  resolvePath(path: string): string;
  /** Where a parameter of this step is in the recipe, for errors (path relative to the step's parameters). */
  locate(path?: DocumentPath, options?: { key?: boolean }): SourceLocation;
  /** Loads (once) and returns an image; errors name the recipe position of `at`. */
  loadImage(file: string, options: { format?: ImageFormat; baseAddress?: number }): Promise<MemoryImage>;
  /** Records an image this recipe writes, so `erase: needed` and `verify` know about it. */
  planWrite(image: MemoryImage): void;
  /** Images planned for writing by earlier steps. */
  plannedWrites(): readonly MemoryImage[];
  /** Declares that the recipe draws serial numbers from counter `name` (a run then needs a production store). */
  useCounter(name: string): void;
}

/** A serial number a counter issued to a board. */
export interface IssuedCounterSerial {
  /** The number. */
  value: number;
  /** True when the board already held this number (it was flashed before). */
  reissued: boolean;
}

/**
 * Issues serial numbers from named counters, bound to the board's unique ID (the production store does this; see
 * lib/production/store.ts).
 */
export type SerialIssuer = (request: { name: string; start: number; boardUid?: string }) => Promise<
  IssuedCounterSerial
>;

/** The board at the far end of the link, before and after its bootloader is reached. */
export interface BoardAccess {
  /** Opens (once) and returns the serial link, for driving DTR/RTS before connecting. */
  link(baud: number): Promise<SerialLink>;
  /** Syncs with the bootloader on the link and identifies the chip. */
  connect(request: ConnectRequest): Promise<Target>;
  /** Opens another serial port than the link, e.g. the application's USB CDC port (USB connectors). */
  openSerialPort?(request: SerialPortRequest): Promise<ByteStream>;
  /** Waits until a USB device matching `selector` is attached (`present`) or gone; returns what was seen. */
  waitUsb?(selector: string, present: boolean, timeoutMs: number): Promise<string>;
}

/** A serial port a step opens itself: by path, or by the USB identity of its adapter. */
export interface SerialPortRequest {
  /** Device path, e.g. `/dev/ttyACM0` or `COM5`. */
  path?: string;
  /** USB vendor id to match when no path is given. */
  vid?: number;
  /** USB product id to match when no path is given. */
  pid?: number;
  /** USB serial number to match. */
  serial?: string;
  /** Baud rate (a CDC ACM port ignores it). */
  baud: number;
}

/** What a running step may use. */
export interface StepContext {
  /** The part the recipe expects. */
  part: PartInfo;
  /** The connected target; `undefined` before `connect`. */
  target?: Target;
  /**
   * What this connection's steps found and did to the flash, page by page (lib/flash/ledger.ts): `erase: needed`
   * records what it compared and left alone, `write` and `verify` plan from it. A new one with every connect.
   */
  flash?: FlashLedger;
  /** The board's link, for line control. */
  board: BoardAccess;
  /** How the board's NRST/BOOT0 are wired, when the recipe says. */
  wiring?: BoardWiring;
  /** Serial baud rate from the recipe's target. */
  baud: number;
  /** Connects to the board (opens the link and syncs) and makes it the current target. */
  connect(options: ConnectRequest): Promise<Target>;
  /** Forgets the current target (after a jump or reset the bootloader is gone). */
  disconnect(): Promise<void>;
  /** Resolves a path written in the recipe. */
  resolvePath(path: string): string;
  /** Asks the technician a yes/no question (`--yes` answers yes). */
  ask(question: string): Promise<boolean>;
  /** Records the serial number issued to this board, for logs. */
  recordSerialNumber(value: string): void;
  /**
   * Issues the next number of counter `name` to the connected board, or the number it already has; committed to
   * the production store before this resolves.
   */
  issueSerial(counter: { name: string; start: number }): Promise<IssuedCounterSerial>;
  /** Waits `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** Command-line confirmations. */
  flags: RunFlags;
  /** Images written so far in this run, for `verify`. */
  written: MemoryImage[];
  /** Every image in {@linkcode StepContext.written} was just checked (a `verify` step succeeded). */
  noteVerified(): void;
  /** Images the recipe writes (planned at check time), for `erase: needed`. */
  planned: readonly MemoryImage[];
  /**
   * Whether every `write` step of the recipe runs unconditionally and a `verify` step follows the last of them, so
   * that what the writes program is read back (or CRC-checked) anyway.
   */
  writesVerified: boolean;
  /** Progress of the current step; `unit` when it is not the step type's usual one (lib/recipe/reporter.ts). */
  progress(done: number, total: number, unit?: ProgressUnit): void;
  /** A line of information for the user. */
  info(message: string): void;
}

/** What `connect` asks of the link. */
export interface ConnectRequest {
  /** Baud rate of the serial link. */
  baud: number;
  /** Sync attempts. */
  retries: number;
  /** USB: device selector overriding the run's (`--usb`, `target.usb`). */
  usb?: string;
  /** USB: wait up to this long for the device to appear first (e.g. after a jump to system memory). */
  waitMs?: number;
}

/** What a step reports when done. */
export interface StepOutcome {
  /** One line for the user, e.g. `wrote 1234 bytes at 0x08000000`. */
  summary: string;
  /** Bytes moved over the link, for the summary table. */
  bytes?: number;
  /** Transient link faults the step recovered from (pages rewritten, reads retried). */
  retries?: number;
}

/** A step type as the registry holds it, with its parameter type erased. */
export interface StepType {
  /** Name used in recipes, e.g. `write`. */
  readonly name: string;
  /** One line describing the step, for `--help` and the generated docs. */
  readonly summary: string;
  /** The accepted parameter forms, for error messages, e.g. `all | needed | { pages: [...] }`. */
  readonly usage: string;
  /** Schema of the step's parameters. */
  readonly schema: z.ZodType;
  /** What the step needs and what it ends, for its validated parameters, on `chip`. */
  flow(params: unknown, chip: ChipInfo): StepFlow;
  /** Binds validated parameters into a runnable step. */
  bind(params: unknown): BoundStep;
}

/**
 * What a step needs before it runs and what it changes for the steps after it. The loader walks the whole recipe
 * with these facts before the run (lib/recipe/step_order.ts), so that, say, a `write` after a `jump` is a recipe
 * error at the write's position instead of a failure after the flash was erased.
 */
export interface StepFlow {
  /** It talks to the chip: a connection must be open (a `connect` before it, and nothing since that ended it). */
  needsTarget: boolean;
  /** It checks what earlier steps of the run wrote (`verify`): a `write` must come before it. */
  needsWritten?: boolean;
  /** It reads, erases or programs flash, which the bootloader refuses while read protection is on. */
  accessesFlash?: boolean;
  /** It programs an image into flash. */
  writes?: boolean;
  /**
   * It programs an image and leaves it unchecked on purpose (`write: { ..., verify: false }`): no verify is added
   * for it (lib/recipe/added_verify.ts), and a run whose images no verify checked ends UNVERIFIED, never PASS.
   */
  unverified?: boolean;
  /** It checks every image written so far in the run (`verify`). */
  verifies?: boolean;
  /** It opens a connection to the bootloader itself (`connect`, `jump-to-system-memory`). */
  connects?: boolean;
  /** It ends the connection: the bootloader is gone afterwards (`jump`, `leave-boot`, `reset`). */
  endsConnection?: boolean;
  /** It turns read protection on (`true`) or off (`false`); the chip resets and the link re-syncs. */
  readProtection?: boolean;
  /** It works only over this transport (the recipe's `target.transport`), e.g. `wait-usb` over `dfu`. */
  transport?: "usart" | "dfu";
}

/** A step with its parameters. */
export interface BoundStep {
  /** Validates files and ranges before any device is touched. */
  check(context: CheckContext): Promise<void>;
  /** Runs the step. */
  run(context: StepContext): Promise<StepOutcome>;
}

/** What a bound step keeps from its check for its run (e.g. the image it validated). */
export interface StepMemo {
  /** The image a `write` step loaded and checked. */
  image?: MemoryImage;
  /** Whether the step ran before in this run (a `retry:` attempt resumes instead of starting over). */
  attempted?: boolean;
}

/** Definition of a step with typed parameters. */
export interface StepDefinition<S extends z.ZodType> {
  /** Name used in recipes. */
  name: string;
  /** One line describing the step. */
  summary: string;
  /** The accepted parameter forms, for error messages. */
  usage: string;
  /** Schema of the parameters. */
  schema: S;
  /** What the step needs and ends; default: it needs a connected chip and ends nothing. */
  flow?: Partial<StepFlow> | ((params: z.output<S>, chip: ChipInfo) => Partial<StepFlow>);
  /** Pre-flight check (optional). */
  check?(params: z.output<S>, context: CheckContext, memo: StepMemo): Promise<void> | void;
  /** The action. */
  run(params: z.output<S>, context: StepContext, memo: StepMemo): Promise<StepOutcome>;
}

/** Turns a typed definition into a {@linkcode StepType}. */
export function defineStep<S extends z.ZodType>(definition: StepDefinition<S>): StepType {
  return {
    name: definition.name,
    summary: definition.summary,
    usage: definition.usage,
    schema: definition.schema,
    flow(params: unknown, chip: ChipInfo): StepFlow {
      const flow = typeof definition.flow === "function"
        ? definition.flow(params as z.output<S>, chip)
        : definition.flow;
      return { needsTarget: true, ...flow };
    },
    bind(raw: unknown): BoundStep {
      const params = definition.schema.parse(raw);
      const memo: StepMemo = {};
      return {
        check: async (context) => {
          await definition.check?.(params, context, memo);
        },
        run: (context) => definition.run(params, context, memo),
      };
    },
  };
}
