/**
 * Loads a recipe: YAML with positions, `include`d step lists, `${}` references, schema validation of the header
 * and of every step, and the pre-flight checks of every step (files parsed, ranges inside the chip's flash) — all
 * before any device is touched. Every problem becomes a one-line error naming `file:line:col`.
 *
 * @module
 */

import { dirname, isAbsolute, join, resolve } from "./paths.ts";
import { withAddedVerifies } from "./added_verify.ts";
import { addedVerify, verifyStep } from "./steps/verify.ts";
import { checkStepOrder, findConflictingWrites, type OrderedStep, type PlannedWrite } from "./step_order.ts";
import { chipByPid, partByName, PARTS } from "../chips/database.ts";
import { withoutOrderingTail } from "../chips/part_number.ts";
import type { ChipInfo, PartInfo } from "../chips/types.ts";
import { formatLocation, InputError, type SourceLocation } from "../errors.ts";
import { ImageError } from "../image/errors.ts";
import { loadImageFile, type LoadImageOptions } from "../image/load.ts";
import type { MemoryImage } from "../image/memory_image.ts";
import { type BoardWiring, WIRING_PRESETS } from "../transport/board_wiring.ts";
import { type Condition, ConditionSyntaxError, parseCondition } from "./condition.ts";
import { RecipeError, RecipeErrors } from "./errors.ts";
import { interpolate, type UndefinedReference } from "./interpolate.ts";
import {
  COMMON_STEP_KEYS,
  commonStepKeys,
  includeSchema,
  RECIPE_VERSION,
  type RecipeHeader,
  recipeHeaderSchema,
} from "./schema.ts";
import type { BoundStep, CheckContext, RunFlags, StepFlow } from "./step.ts";
import { stepNames, stepType } from "./steps/registry.ts";
import { didYouMean } from "./suggest.ts";
import { type DocumentPath, type ValueBudget, YAML_LIMITS, YamlSource } from "./yaml_source.ts";
import { issuesToErrors } from "./zod_issues.ts";
import { durationMs } from "./params.ts";
import { z } from "zod";
import { fileErrorReason, GuardedReadError, readGuardedText } from "../files/guarded_read.ts";

/** How often and how patiently a step is retried. */
export interface RetryPolicy {
  /** Extra attempts after the first. */
  attempts: number;
  /** Wait between attempts, ms. */
  delayMs: number;
}

/** A step ready to run. */
export interface RecipeStep {
  /** 0-based position in the flattened step list. */
  index: number;
  /** Step type name, e.g. `write`. */
  type: string;
  /** Label shown to the user (the step's `name:` or its type). */
  label: string;
  /** Where the step is (in the recipe or an included file). */
  location: SourceLocation;
  /** The step with its parameters. */
  step: BoundStep;
  /** Run only when this holds. */
  when?: { text: string; condition: Condition };
  /** Retry policy. */
  retry: RetryPolicy;
  /** Step timeout, ms. */
  timeoutMs?: number;
  /** The loader added it: a `verify` for writes no verify step covers (lib/recipe/added_verify.ts). */
  added?: boolean;
}

/** A validated recipe with every file it names loaded. */
export interface Recipe {
  /** The recipe file as the user named it. */
  file: string;
  /** The header (name, target, vars). */
  header: RecipeHeader;
  /** The steps in order, includes expanded. */
  steps: RecipeStep[];
  /** Steps run when a step fails. */
  onFailure: RecipeStep[];
  /** The part the recipe is for. */
  part: PartInfo;
  /** Its chip database entry. */
  chip: ChipInfo;
  /** The board wiring, presets resolved. */
  wiring?: BoardWiring;
  /** Images the recipe writes, in order. */
  planned: MemoryImage[];
  /** The serial-number counters the recipe draws from (so a run knows it needs a production store). */
  counters: string[];
  /** Resolves a path written in the recipe. */
  resolvePath(path: string): string;
}

/** Options of {@linkcode loadRecipe}. */
export interface LoadRecipeOptions {
  /** `--set NAME=VALUE` values; they override the recipe's `vars`. */
  set?: Readonly<Record<string, string>>;
  /** Environment lookup for `${env.NAME}`; defaults to `Deno.env.get`. */
  env?: (name: string) => string | undefined;
  /** Command-line confirmations. */
  flags?: Partial<RunFlags>;
}

/** A step item found in a file, before binding. */
interface StepItem {
  source: YamlSource;
  path: DocumentPath;
  raw: unknown;
  /** `when:` of the include that brought it in. */
  inherited?: string;
}

type Lookup = (name: string, whole?: boolean) => string | number | boolean | undefined;

/** A `--set` value written as a number: decimal digits or 0x hex. */
const SET_NUMBER = /^(0x[0-9a-f]+|\d+)$/i;

/** Most `include` levels: a chain deeper than this is almost certainly a mistake (or hostile). */
export const MAX_INCLUDE_DEPTH = 16;
/** Most files included by one recipe, counting every include item. */
export const MAX_INCLUDES = 256;
/** Most steps in one recipe with its includes expanded (steps and on-failure together). */
export const MAX_STEPS = 10_000;

/** An environment variable's name as `${env.NAME}` may give it. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `path` as written in `fromFile` (relative to its folder, or absolute as given). */
function resolveFrom(fromFile: string, path: string): string {
  return isAbsolute(path) ? path : join(dirname(fromFile), path);
}

/** Reads, validates and checks a recipe. Throws {@linkcode RecipeErrors} listing every problem found. */
export async function loadRecipe(file: string, options: LoadRecipeOptions = {}): Promise<Recipe> {
  const flags: RunFlags = { confirmPermanent: false, yes: false, ...options.flags };
  // One budget of YAML values for the recipe and all its includes: each parsed document stays in memory (for
  // positions) until the run ends.
  const values: ValueBudget = { remaining: YAML_LIMITS.values };
  const source = await readSource(file, values);
  const raw = source.toJS();
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new RecipeErrors([
      new RecipeError("a recipe must be a mapping with name, target and steps", source.locate([])),
    ]);
  }
  const errors: RecipeError[] = [];

  // References first, so that validation sees the final values.
  const rawVars = (raw as Record<string, unknown>).vars;
  const vars = rawVars !== null && typeof rawVars === "object" && !Array.isArray(rawVars)
    ? rawVars as Record<string, unknown>
    : {};
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const setValues = options.set ?? {};
  // Every name the recipe refers to, so that a `--set` of a name it never uses is an error, not silently ignored.
  const referenced = new Set<string>();
  // `--set` names whose number, used as a whole value, is beyond what a double holds exactly.
  const inexactSets = new Set<string>();
  // Only the recipe's own keys: `${toString}` or `${constructor}` name no variable.
  const lookup: Lookup = (name, whole) => {
    referenced.add(name);
    if (name.startsWith("env.")) {
      const envName = name.slice(4);
      return ENV_NAME.test(envName) ? env(envName) : undefined;
    }
    const set = Object.hasOwn(setValues, name) ? setValues[name] : undefined;
    if (typeof set === "string") {
      // Inside text the value stays as written (`board 007`); as a whole value it is a number, and only when
      // that number is exact: 99999999999999999999 as a double is 100000000000000000000, another address.
      if (whole !== true || !SET_NUMBER.test(set)) return set;
      const number = Number(set);
      if (!Number.isSafeInteger(number)) inexactSets.add(name);
      return number;
    }
    const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : undefined;
  };
  const knownNames = [...Object.keys(vars), ...Object.keys(setValues)];
  // A value under `vars:` is used as written: a reference in it would reach the board as the text `${env.X}`.
  for (const [name, value] of Object.entries(vars)) {
    if (typeof value !== "string") continue;
    for (const match of value.matchAll(/\$\$\{|\$\{([^}]*)\}/g)) {
      if (match[1] === undefined) continue;
      errors.push(
        new RecipeError(
          `vars.${name} holds the reference '${match[0]}', but values under 'vars:' are used as written`,
          source.locate(["vars", name]),
          "write the value itself, pass it with --set NAME=VALUE, or write the reference in the step that uses it",
          "E_RECIPE_VAR",
        ),
      );
      break;
    }
  }
  const { vars: _vars, steps: rawSteps, "on-failure": rawOnFailure, ...rest } = raw as Record<string, unknown>;
  const resolved = {
    ...(resolveReferences(source, rest, [], lookup, knownNames, errors) as Record<string, unknown>),
    vars: rawVars ?? {},
    steps: rawSteps,
    "on-failure": rawOnFailure ?? [],
  };

  const parsed = recipeHeaderSchema.safeParse(resolved);
  if (!parsed.success) {
    errors.push(...issuesToErrors(source, parsed.error.issues, { base: [], knownKeys: knownHeaderKeys }));
    throw new RecipeErrors(sortByPosition(errors));
  }
  const header = parsed.data;
  if (header.version > RECIPE_VERSION) {
    errors.push(
      new RecipeError(
        `recipe version ${header.version} is newer than this flashrecipe understands (${RECIPE_VERSION})`,
        source.locate(["version"]),
        "update flashrecipe",
        "E_RECIPE_VERSION",
      ),
    );
  }
  const part = partByName(header.target.chip);
  const chip = part && chipByPid(part.pid);
  if (!part || !chip) {
    errors.push(
      new RecipeError(
        `unknown chip '${header.target.chip}'${
          didYouMean(withoutOrderingTail(header.target.chip), PARTS.map((p) => p.part))
        }`,
        source.locate(["target", "chip"]),
        "name the part, e.g. stm32f103c8 or stm32f103c8t6 as printed on the package; `flashrecipe chips` lists them",
        "E_RECIPE_CHIP",
      ),
    );
    throw new RecipeErrors(sortByPosition(errors));
  }
  const wiring = resolveWiring(header.target.wiring);

  const budget: IncludeBudget = { values, includes: 0, steps: 0, lookup, known: knownNames };
  const items = await expandIncludes(source, header.steps, ["steps"], [resolve(file)], errors, budget);
  const failureItems = await expandIncludes(
    source,
    header["on-failure"],
    ["on-failure"],
    [resolve(file)],
    errors,
    budget,
  );
  const ownSteps = bindSteps(items, lookup, knownNames, errors, chip);
  // A write that no verify step covers gets one (lib/recipe/added_verify.ts); the on-failure steps end a failed run.
  const steps = withVerifies(ownSteps, chip);
  const onFailure = bindSteps(failureItems, lookup, knownNames, errors, chip);
  if (inexactSets.size > 0) {
    // Alone: the schema's own complaint about the rounded number would only confuse.
    throw new RecipeErrors([...inexactSets].map((name) =>
      new RecipeError(
        `--set ${name}=${
          setValues[name]
        }: the number is larger than ${Number.MAX_SAFE_INTEGER} and cannot be held exactly`,
        { file },
        "give a number the recipe can use (an address is at most 0xFFFFFFFF)",
        "E_USAGE",
      )
    ));
  }
  errors.push(...unusedAssignments(file, setValues, vars, referenced));
  // What each step needs and ends, walked over the whole recipe: `write` after `jump`, `verify` with nothing
  // written. The on-failure steps may find a connection open, and images written, or not.
  const transport = header.target.transport;
  // The recipe's own steps: an added verify sits where its write's connection is still open and nothing has hidden
  // the flash since, so it is in order whenever its write is (and an error is the write's to report).
  errors.push(...checkStepOrder(ownSteps.map(ordered), { transport, connected: "no", written: "no" }));
  errors.push(...checkStepOrder(onFailure.map(ordered), { transport, connected: "yes", written: "maybe" }));
  if (errors.length > 0) throw new RecipeErrors(sortByPosition(errors));

  // Pre-flight checks: every file parsed, every range inside the chip, in recipe order.
  const images = new Map<string, MemoryImage>();
  const planned: MemoryImage[] = [];
  const plannedWrites: PlannedWrite[] = [];
  const counters = new Set<string>();
  const key = (path: string, o: LoadImageOptions) => `${path}\u0000${o.format ?? ""}\u0000${o.baseAddress ?? ""}`;
  const recipeDir = dirname(file);
  const resolvePath = (path: string) => (isAbsolute(path) ? path : join(recipeDir, path));
  const mainSteps = new Set(steps);
  for (const entry of [...steps, ...onFailure]) {
    const isMainStep = mainSteps.has(entry);
    const item = entry.item;
    const stepPath: DocumentPath = [...item.path, entry.type];
    const fileDir = dirname(item.source.file);
    const resolveHere = (path: string) => (isAbsolute(path) ? path : join(fileDir, path));
    const context: CheckContext = {
      part,
      chip,
      wiring,
      flags,
      resolvePath: resolveHere,
      locate: (path = [], locateOptions) => item.source.locate([...stepPath, ...path], locateOptions),
      async loadImage(path, imageOptions) {
        const resolvedPath = resolveHere(path);
        const cacheKey = key(resolvedPath, imageOptions);
        const cached = images.get(cacheKey);
        if (cached) return cached;
        try {
          const image = await loadImageFile(resolvedPath, imageOptions);
          images.set(cacheKey, image);
          return image;
        } catch (error) {
          if (!(error instanceof ImageError)) throw error;
          // The image is wrong for this step, or the step is wrong for the image: either way the recipe line
          // that names it is where to look, with the firmware file's own position when the parser knows one.
          if (error.code === "E_FILE") {
            // Say which file was tried: a relative path is the recipe's folder's, which may not be what was meant.
            const tried = path === resolvedPath ? "" : `; tried ${resolvedPath}`;
            const message = `${error.message.replace("the image file", `'${path}'`)}${tried}`;
            const hint = isAbsolute(path)
              ? error.hint
              : `${error.hint}; a path in a recipe is relative to the recipe's folder, a --set value from the ` +
                "current folder";
            throw new RecipeError(message, item.source.locate([...stepPath, "file"]), hint, "E_FILE");
          }
          const inFile = error.location?.line === undefined
            ? `'${path}'`
            : formatLocation({ ...error.location, file: path });
          const key = error.code === "E_IMAGE_WRAP" && imageOptions.baseAddress !== undefined
            ? "address"
            : error.code === "E_IMAGE_FORMAT" && imageOptions.format !== undefined
            ? "format"
            : "file";
          throw new RecipeError(
            `${inFile}: ${error.message}`,
            item.source.locate([...stepPath, key]),
            error.hint,
            error.code,
          );
        }
      },
      planWrite(image) {
        planned.push(image);
        if (!isMainStep) return;
        const fileParam = (entry.params as { file?: unknown }).file;
        plannedWrites.push({
          image,
          location: item.source.locate([...stepPath, "file"]),
          file: typeof fileParam === "string" ? fileParam : entry.type,
          when: entry.recipeStep.when?.text,
        });
      },
      plannedWrites: () => planned,
      useCounter: (name) => void counters.add(name),
    };
    try {
      await entry.recipeStep.step.check(context);
    } catch (error) {
      if (error instanceof RecipeError) errors.push(error);
      else if (error instanceof InputError) {
        errors.push(
          new RecipeError(error.message, error.location ?? entry.recipeStep.location, error.hint, error.code),
        );
      } else if (isFileSystemError(error)) {
        // A file the step names (a counter, a checksum's firmware) cannot be used: the step's line says which.
        errors.push(
          new RecipeError(
            `'${entry.type}' cannot use a file it names: ${fileErrorReason(error)}`,
            entry.recipeStep.location,
            "check the paths in this step (relative to the recipe's folder) and their permissions",
            "E_FILE",
          ),
        );
      } else throw error;
    }
  }
  errors.push(...findConflictingWrites(plannedWrites));
  if (errors.length > 0) throw new RecipeErrors(errors);

  return {
    file,
    header,
    steps: steps.map((s) => s.recipeStep),
    onFailure: onFailure.map((s) => s.recipeStep),
    part,
    chip,
    wiring,
    planned,
    counters: [...counters],
    resolvePath,
  };
}

async function readSource(
  file: string,
  values: ValueBudget,
  at?: { source: YamlSource; path: DocumentPath },
): Promise<YamlSource> {
  let text: string;
  try {
    text = await readGuardedText(file, at ? "include" : "recipe");
  } catch (error) {
    if (!(error instanceof GuardedReadError)) throw error;
    if (at) {
      throw new RecipeError(
        error.message,
        at.source.locate(at.path),
        error.missing ? "check the path (relative to the including file)" : error.hint,
        "E_FILE",
      );
    }
    throw new InputError("E_FILE", error.message, {
      hint: error.missing ? "check the path; `flashrecipe validate FILE` checks a recipe without a board" : error.hint,
      cause: error,
    });
  }
  return YamlSource.parse(text, file, values);
}

function resolveReferences(
  source: YamlSource,
  value: unknown,
  path: DocumentPath,
  lookup: Lookup,
  known: readonly string[],
  errors: RecipeError[],
): unknown {
  const missing: UndefinedReference[] = [];
  const out = interpolate(value, lookup, missing, [...path]);
  for (const ref of missing) {
    if (ref.name.startsWith("env.") && !ENV_NAME.test(ref.name.slice(4))) {
      errors.push(
        new RecipeError(
          `'\${${ref.name}}' names no environment variable`,
          source.locate(ref.path),
          "write ${env.NAME} with NAME made of letters, digits and '_', e.g. ${env.STATION_ID}",
          "E_RECIPE_VAR",
        ),
      );
      continue;
    }
    errors.push(
      new RecipeError(
        `undefined variable '${ref.name}'${didYouMean(ref.name, known)}`,
        source.locate(ref.path),
        "define it under 'vars:', pass --set NAME=VALUE, or use ${env.NAME} for an environment variable",
        "E_RECIPE_VAR",
      ),
    );
  }
  return out;
}

/** How much of the include budget a recipe has used, and how an include's `when:` references are filled in. */
interface IncludeBudget {
  /** YAML values left for the included files. */
  values: ValueBudget;
  /** Files included so far. */
  includes: number;
  /** Steps found so far, includes expanded. */
  steps: number;
  /** Variable lookup. */
  lookup: Lookup;
  /** Variable names, for suggestions. */
  known: readonly string[];
}

/**
 * Replaces `- include: FILE` items by the steps of FILE, recursively; a cycle is an error, and so is an include
 * chain deeper than {@linkcode MAX_INCLUDE_DEPTH}, more than {@linkcode MAX_INCLUDES} includes or more than
 * {@linkcode MAX_STEPS} steps in all — each at the position of the item that goes over.
 */
async function expandIncludes(
  source: YamlSource,
  items: readonly unknown[],
  base: DocumentPath,
  stack: string[],
  errors: RecipeError[],
  budget: IncludeBudget,
  inherited?: string,
  out: StepItem[] = [],
): Promise<StepItem[]> {
  for (let index = 0; index < items.length; index++) {
    const raw = items[index];
    const path = [...base, index];
    const isInclude = raw !== null && typeof raw === "object" && !Array.isArray(raw) && "include" in raw;
    if (!isInclude) {
      if (++budget.steps > MAX_STEPS) {
        errors.push(
          new RecipeError(
            `more than ${MAX_STEPS} steps, includes expanded`,
            source.locate(path),
            "split the work into several recipes",
            "E_RECIPE_LIMIT",
          ),
        );
        return out;
      }
      out.push({ source, path, raw, inherited });
      continue;
    }
    const parsed = includeSchema.safeParse(raw);
    if (!parsed.success) {
      errors.push(...issuesToErrors(source, parsed.error.issues, { base: path, knownKeys: () => ["include", "when"] }));
      continue;
    }
    const includePath = resolveFrom(source.file, parsed.data.include);
    const target = resolve(includePath);
    const at = source.locate([...path, "include"]);
    if (stack.includes(target)) {
      errors.push(
        new RecipeError(
          `include cycle: ${[...stack.slice(stack.indexOf(target)), target].map(shortName).join(" -> ")}`,
          at,
          "an included file must not include itself, directly or through others",
          "E_RECIPE_INCLUDE",
        ),
      );
      continue;
    }
    if (stack.length > MAX_INCLUDE_DEPTH) {
      errors.push(
        new RecipeError(
          `includes nest more than ${MAX_INCLUDE_DEPTH} deep`,
          at,
          "include the files from fewer levels",
          "E_RECIPE_LIMIT",
        ),
      );
      continue;
    }
    if (++budget.includes > MAX_INCLUDES) {
      errors.push(
        new RecipeError(
          `more than ${MAX_INCLUDES} includes`,
          at,
          "include fewer, larger files",
          "E_RECIPE_LIMIT",
        ),
      );
      return out;
    }
    let included: YamlSource;
    try {
      included = await readSource(includePath, budget.values, { source, path: [...path, "include"] });
    } catch (error) {
      if (error instanceof RecipeError) {
        errors.push(error);
        continue;
      }
      throw error;
    }
    const content = included.toJS();
    const list = Array.isArray(content)
      ? { items: content, base: [] as DocumentPath }
      : content !== null && typeof content === "object" && Array.isArray((content as { steps?: unknown }).steps)
      ? { items: (content as { steps: unknown[] }).steps, base: ["steps"] as DocumentPath }
      : undefined;
    if (!list) {
      errors.push(
        new RecipeError(
          "an included file must hold a list of steps (or a mapping with 'steps:')",
          included.locate([]),
          undefined,
          "E_RECIPE_INCLUDE",
        ),
      );
      continue;
    }
    // The include's own condition, its references filled in like a step's.
    const ownWhen = parsed.data.when === undefined
      ? undefined
      : String(resolveReferences(source, parsed.data.when, [...path, "when"], budget.lookup, budget.known, errors));
    const when = [inherited, ownWhen].filter(Boolean).map((w) => `(${w})`).join(" and ") || undefined;
    // Appended in place (never `push(...steps)`, whose argument count an included file could make overflow).
    await expandIncludes(included, list.items, list.base, [...stack, target], errors, budget, when, out);
    if (budget.steps > MAX_STEPS || budget.includes > MAX_INCLUDES) return out;
  }
  return out;
}

interface BoundItem {
  item: StepItem;
  type: string;
  /** The step's validated parameters. */
  params: unknown;
  /** What it needs and ends. */
  flow: StepFlow;
  recipeStep: RecipeStep;
}

/** `steps` with the verifies lib/recipe/added_verify.ts places, every step's index its position. */
function withVerifies(steps: readonly BoundItem[], chip: ChipInfo): BoundItem[] {
  const out = withAddedVerifies(
    steps,
    (entry) => ({ flow: entry.flow, conditional: entry.recipeStep.when !== undefined }),
    (write): BoundItem => ({
      item: write.item,
      type: "verify",
      params: {},
      flow: verifyStep.flow({}, chip),
      recipeStep: {
        index: 0,
        type: "verify",
        label: "verify (added)",
        location: write.recipeStep.location,
        step: addedVerify(write.recipeStep.location.line),
        retry: { attempts: 0, delayMs: 0 },
        added: true,
      },
    }),
  );
  out.forEach((entry, index) => entry.recipeStep.index = index);
  return out;
}

function ordered(entry: BoundItem): OrderedStep {
  return {
    type: entry.type,
    flow: entry.flow,
    location: entry.recipeStep.location,
    when: entry.recipeStep.when?.text,
  };
}

/** `--set` names the recipe neither declares under `vars:` nor refers to: a misspelling would be silently ignored. */
function unusedAssignments(
  file: string,
  set: Readonly<Record<string, string>>,
  vars: Record<string, unknown>,
  referenced: ReadonlySet<string>,
): RecipeError[] {
  const used = [...new Set([...Object.keys(vars), ...referenced])].filter((name) => !name.startsWith("env."));
  return Object.keys(set).filter((name) => !Object.hasOwn(vars, name) && !referenced.has(name)).map((name) =>
    new RecipeError(
      `--set ${name}: the recipe uses no variable '${name}'${didYouMean(name, used)}`,
      { file },
      used.length > 0 ? `its variables are: ${used.join(", ")}` : "this recipe uses no variables",
      "E_USAGE",
    )
  );
}

const commonSchema = z.strictObject(commonStepKeys);

/**
 * A step with `null` parameters and, beside it in the same item, keys that are that step's parameters: the
 * parameters were meant to be indented under it (`- write:` then `file:` at the same column). Returns the step and
 * the first such key.
 */
function misindentedParameters(stepKeys: readonly [string, unknown][]): [string, string] | undefined {
  if (stepKeys.length < 2) return undefined;
  for (const [name, params] of stepKeys) {
    const type = stepType(name);
    if (!type || (params !== null && params !== undefined)) continue;
    const keys = schemaKeys(type.schema);
    const stray = stepKeys.find(([key]) => key !== name && keys.includes(key));
    if (stray) return [name, stray[0]];
  }
  return undefined;
}

/** Parameters that hold numbers, which a recipe may also write as text: `address: "0x08000000"`. */
const NUMERIC_KEYS: ReadonlySet<string> = new Set(["address", "length", "offset", "baud"]);

/**
 * `value` with the numeric parameters written as text (`"0x08000000"`, `"4096"`) turned into numbers, as
 * `--set a=0x08000000` is; anything else is left for the schema to judge.
 */
function numbersFromText(value: unknown, key?: string): unknown {
  if (typeof value === "string") {
    return key !== undefined && NUMERIC_KEYS.has(key) && /^\s*(0x[0-9a-f]+|\d+)\s*$/i.test(value)
      ? Number(value.trim())
      : value;
  }
  if (Array.isArray(value)) return value.map((item) => numbersFromText(item));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, numbersFromText(item, k)]));
  }
  return value;
}

/** Validates each step item against its step type; collects errors. */
function bindSteps(
  items: readonly StepItem[],
  lookup: Lookup,
  known: readonly string[],
  errors: RecipeError[],
  chip: ChipInfo,
): BoundItem[] {
  const bound: BoundItem[] = [];
  items.forEach((item, index) => {
    const { source, path } = item;
    const location = source.locate(path);
    const resolved = resolveReferences(source, item.raw, path, lookup, known, errors);
    const normalised = typeof resolved === "string" ? { [resolved]: {} } : resolved;
    if (normalised === null || typeof normalised !== "object" || Array.isArray(normalised)) {
      errors.push(
        new RecipeError(`a step must be a step name or a mapping`, location, `e.g. '- write: { file: app.hex }'`),
      );
      return;
    }
    const entries = Object.entries(normalised as Record<string, unknown>);
    const stepKeys = entries.filter(([k]) => !COMMON_STEP_KEYS.includes(k));
    const misplaced = misindentedParameters(stepKeys);
    if (misplaced) {
      const [step, key] = misplaced;
      errors.push(
        new RecipeError(
          `'${key}' is a parameter of '${step}' but sits beside it: indent it under '${step}:'`,
          source.locate([...path, key], { key: true }),
          `write '- ${step}:' and below it, two spaces further in, '${key}: ...' (or '- ${step}: { ${key}: ... }')`,
        ),
      );
      return;
    }
    if (stepKeys.length !== 1) {
      const unknown = stepKeys.find(([k]) => !stepType(k));
      if (unknown) {
        errors.push(unknownStep(source, [...path, unknown[0]], unknown[0]));
      } else {
        errors.push(
          new RecipeError(
            stepKeys.length === 0
              ? "step has no action"
              : `one step per list item, found ${stepKeys.map(([k]) => k).join(", ")}`,
            location,
            "write each step as its own '- name: params' item",
          ),
        );
      }
      return;
    }
    const [name, rawParams] = stepKeys[0];
    const type = stepType(name);
    const keyPath = typeof item.raw === "string" ? path : [...path, name];
    const keyLocation = source.locate(keyPath, { key: true });
    if (!type) {
      errors.push(unknownStep(source, keyPath, name));
      return;
    }
    const common = commonSchema.safeParse(Object.fromEntries(entries.filter(([k]) => COMMON_STEP_KEYS.includes(k))));
    if (!common.success) {
      errors.push(...issuesToErrors(source, common.error.issues, { base: path, knownKeys: () => COMMON_STEP_KEYS }));
      return;
    }
    const params = numbersFromText(rawParams ?? {});
    const parsed = type.schema.safeParse(params);
    if (!parsed.success) {
      errors.push(...issuesToErrors(source, parsed.error.issues, {
        base: [...path, name],
        knownKeys: () => schemaKeys(type.schema),
        unionHint: type.usage,
        value: params,
      }));
      return;
    }
    const whenText = [item.inherited, common.data.when].filter(Boolean).map((w) => `(${w})`).join(" and ");
    let when: RecipeStep["when"];
    if (whenText) {
      try {
        when = { text: common.data.when ?? item.inherited ?? "", condition: parseCondition(whenText) };
      } catch (error) {
        if (!(error instanceof ConditionSyntaxError)) throw error;
        const at = source.locate([...path, "when"]);
        errors.push(
          error.limit
            ? new RecipeError(
              `'when' is too large: ${error.message}`,
              at,
              "split the condition: set a variable with --set, or use separate steps",
              "E_RECIPE_LIMIT",
            )
            : new RecipeError(
              `'when' does not parse: ${error.message}`,
              at,
              "write comparisons such as \"${board} == 'rev2' and ${count} >= 3\"",
              "E_RECIPE_WHEN",
            ),
        );
        return;
      }
    }
    const retry = common.data.retry;
    bound.push({
      item,
      type: name,
      params: parsed.data,
      flow: type.flow(parsed.data, chip),
      recipeStep: {
        index,
        type: name,
        label: common.data.name ?? name,
        location: keyLocation,
        step: type.bind(params),
        when,
        retry: typeof retry === "number"
          ? { attempts: retry, delayMs: 0 }
          : { attempts: retry?.attempts ?? 0, delayMs: retry?.delay === undefined ? 0 : durationMs(retry.delay) },
        timeoutMs: common.data.timeout === undefined ? undefined : durationMs(common.data.timeout),
      },
    });
  });
  return bound;
}

function unknownStep(source: YamlSource, path: DocumentPath, name: string): RecipeError {
  return new RecipeError(
    `unknown step '${name}'${didYouMean(name, [...stepNames(), "include"])}`,
    source.locate(path, { key: true }),
    `steps are: ${stepNames().join(", ")}, and include`,
    "E_RECIPE_STEP",
  );
}

function resolveWiring(wiring: RecipeHeader["target"]["wiring"]): BoardWiring | undefined {
  if (!wiring) return undefined;
  if ("preset" in wiring) {
    const { description: _description, ...preset } = WIRING_PRESETS[wiring.preset];
    return preset;
  }
  return wiring;
}

function knownHeaderKeys(path: DocumentPath): readonly string[] {
  if (path.length === 0) return Object.keys(recipeHeaderSchema.shape);
  if (path[0] === "target") return Object.keys(recipeHeaderSchema.shape.target.shape);
  return [];
}

/** Keys of an object schema (or of the object members of a union), for suggestions. */
function schemaKeys(schema: unknown): string[] {
  const def = (schema as { def?: { shape?: Record<string, unknown>; options?: unknown[] } }).def;
  if (def?.shape) return Object.keys(def.shape);
  if (def?.options) return def.options.flatMap((o) => schemaKeys(o));
  return [];
}

function sortByPosition(errors: RecipeError[]): RecipeError[] {
  return [...errors].sort((a, b) =>
    a.location?.file === b.location?.file ? (a.location?.line ?? 0) - (b.location?.line ?? 0) : 0
  );
}

function shortName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Whether `error` is one of Deno's file-system errors (not found, permission denied, a folder, ...). */
function isFileSystemError(error: unknown): error is Error {
  return Object.values(Deno.errors).some((kind) => error instanceof kind);
}
