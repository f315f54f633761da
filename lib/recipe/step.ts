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
import type { ProgressCallback, Target } from "../target/target.ts";
import type { DocumentPath } from "./yaml_source.ts";

/** What the pre-flight check of a step may use. Nothing here reaches a device. */
export interface CheckContext {
  /** The part the recipe expects. */
  part: PartInfo;
  /** Its chip database entry. */
  chip: ChipInfo;
  /** Resolves a path written in the recipe (relative to the recipe's folder). */
  resolvePath(path: string): string;
  /** Where a parameter of this step is in the recipe, for errors (path relative to the step's parameters). */
  locate(path?: DocumentPath): SourceLocation;
  /** Loads (once) and returns an image; errors name the recipe position of `at`. */
  loadImage(file: string, options: { format?: ImageFormat; baseAddress?: number }): Promise<MemoryImage>;
  /** Records an image this recipe writes, so `erase: needed` and `verify` know about it. */
  planWrite(image: MemoryImage): void;
  /** Images planned for writing by earlier steps. */
  plannedWrites(): readonly MemoryImage[];
}

/** What a running step may use. */
export interface StepContext {
  /** The part the recipe expects. */
  part: PartInfo;
  /** The connected target; `undefined` before `connect`. */
  target?: Target;
  /** Connects to the board (opens the link and syncs). */
  connect(options: ConnectRequest): Promise<Target>;
  /** Images loaded during the check, by resolved path + options. */
  image(file: string, options: { format?: ImageFormat; baseAddress?: number }): MemoryImage;
  /** Images written so far in this run, for `verify`. */
  written: MemoryImage[];
  /** Images the recipe writes (planned at check time), for `erase: needed`. */
  planned: readonly MemoryImage[];
  /** Progress of the current step. */
  progress: ProgressCallback;
  /** A line of information for the user. */
  info(message: string): void;
}

/** What `connect` asks of the link. */
export interface ConnectRequest {
  /** Baud rate of the serial link. */
  baud: number;
  /** Sync attempts. */
  retries: number;
}

/** What a step reports when done. */
export interface StepOutcome {
  /** One line for the user, e.g. `wrote 1234 bytes at 0x08000000`. */
  summary: string;
  /** Bytes moved over the link, for the summary table. */
  bytes?: number;
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
  /** Whether the step needs a connected chip (so must come after `connect`). */
  readonly needsTarget: boolean;
  /** Binds validated parameters into a runnable step. */
  bind(params: unknown): BoundStep;
}

/** A step with its parameters. */
export interface BoundStep {
  /** Validates files and ranges before any device is touched. */
  check(context: CheckContext): Promise<void>;
  /** Runs the step. */
  run(context: StepContext): Promise<StepOutcome>;
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
  /** Whether the step needs a connected chip; default true. */
  needsTarget?: boolean;
  /** Pre-flight check (optional). */
  check?(params: z.output<S>, context: CheckContext): Promise<void> | void;
  /** The action. */
  run(params: z.output<S>, context: StepContext): Promise<StepOutcome>;
}

/** Turns a typed definition into a {@linkcode StepType}. */
export function defineStep<S extends z.ZodType>(definition: StepDefinition<S>): StepType {
  return {
    name: definition.name,
    summary: definition.summary,
    usage: definition.usage,
    schema: definition.schema,
    needsTarget: definition.needsTarget ?? true,
    bind(raw: unknown): BoundStep {
      const params = definition.schema.parse(raw);
      return {
        check: async (context) => {
          await definition.check?.(params, context);
        },
        run: (context) => definition.run(params, context),
      };
    },
  };
}
