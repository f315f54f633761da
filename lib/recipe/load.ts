/**
 * Loads a recipe: YAML with positions, `${}` references, schema validation of the header and of every step, and
 * the pre-flight checks of every step (files parsed, ranges inside the chip's flash) — all before any device is
 * touched. Every problem becomes a one-line error naming `file:line:col`.
 *
 * @module
 */

import { dirname, isAbsolute, join } from "node:path";
import { partByName, PARTS } from "../chips/database.ts";
import type { ChipInfo, PartInfo } from "../chips/types.ts";
import { chipByPid } from "../chips/database.ts";
import { InputError, type SourceLocation } from "../errors.ts";
import { ImageError } from "../image/errors.ts";
import { type ImageFormat, loadImageFile } from "../image/load.ts";
import type { MemoryImage } from "../image/memory_image.ts";
import { RecipeError, RecipeErrors } from "./errors.ts";
import { interpolate, type UndefinedReference } from "./interpolate.ts";
import { COMMON_STEP_KEYS, RECIPE_VERSION, type RecipeHeader, recipeHeaderSchema } from "./schema.ts";
import type { BoundStep, CheckContext } from "./step.ts";
import { stepNames, stepType } from "./steps/registry.ts";
import { didYouMean } from "./suggest.ts";
import type { DocumentPath } from "./yaml_source.ts";
import { YamlSource } from "./yaml_source.ts";
import { issuesToErrors } from "./zod_issues.ts";

/** A step ready to run. */
export interface RecipeStep {
  /** 0-based position in the recipe. */
  index: number;
  /** Step type name, e.g. `write`. */
  type: string;
  /** Label shown to the user (the step's `name:` or its type). */
  label: string;
  /** Where the step is in the recipe. */
  location: SourceLocation;
  /** The step with its parameters. */
  step: BoundStep;
}

/** A validated recipe with every file it names loaded. */
export interface Recipe {
  /** The recipe file as the user named it. */
  file: string;
  /** The header (name, target, vars). */
  header: RecipeHeader;
  /** The steps in order. */
  steps: RecipeStep[];
  /** The part the recipe is for. */
  part: PartInfo;
  /** Its chip database entry. */
  chip: ChipInfo;
  /** Images the recipe writes, in order. */
  planned: MemoryImage[];
  /** Returns an image loaded during validation. */
  image(file: string, options: { format?: ImageFormat; baseAddress?: number }): MemoryImage;
}

/** Options of {@linkcode loadRecipe}. */
export interface LoadRecipeOptions {
  /** `--set NAME=VALUE` values; they override the recipe's `vars`. */
  set?: Readonly<Record<string, string>>;
  /** Environment lookup for `${env.NAME}`; defaults to `Deno.env.get`. */
  env?: (name: string) => string | undefined;
}

/** Reads, validates and checks a recipe. Throws {@linkcode RecipeErrors} listing every problem found. */
export async function loadRecipe(file: string, options: LoadRecipeOptions = {}): Promise<Recipe> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    throw new InputError("E_FILE", `cannot read recipe '${file}': ${reason(error)}`, {
      hint: "check the path; `flashrecipe validate FILE` checks a recipe without a board",
      cause: error,
    });
  }
  const source = YamlSource.parse(text, file);
  const raw = source.toJS();
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new RecipeErrors([
      new RecipeError("a recipe must be a mapping with name, target and steps", source.locate([]), undefined),
    ]);
  }
  const errors: RecipeError[] = [];

  // References first, so that validation sees the final values.
  const rawVars = (raw as Record<string, unknown>).vars;
  const vars = rawVars !== null && typeof rawVars === "object" && !Array.isArray(rawVars)
    ? rawVars as Record<string, unknown>
    : {};
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const lookup = (name: string): string | number | boolean | undefined => {
    if (name.startsWith("env.")) return env(name.slice(4));
    const set = options.set?.[name];
    if (set !== undefined) return /^(0x[0-9a-f]+|\d+)$/i.test(set) ? Number(set) : set;
    const value = vars[name];
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : undefined;
  };
  const missing: UndefinedReference[] = [];
  const { vars: _vars, ...rest } = raw as Record<string, unknown>;
  const resolved = { ...(interpolate(rest, lookup, missing) as Record<string, unknown>), vars: rawVars ?? {} };
  for (const ref of missing) {
    const known = [...Object.keys(vars), ...Object.keys(options.set ?? {})];
    errors.push(
      new RecipeError(
        `undefined variable '${ref.name}'${didYouMean(ref.name, known)}`,
        source.locate(ref.path),
        "define it under 'vars:', pass --set NAME=VALUE, or use ${env.NAME} for an environment variable",
        "E_RECIPE_VAR",
      ),
    );
  }

  const parsed = recipeHeaderSchema.safeParse(resolved);
  if (!parsed.success) {
    errors.push(...issuesToErrors(source, parsed.error.issues, {
      base: [],
      knownKeys: (path) => knownHeaderKeys(path),
    }));
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
        `unknown chip '${header.target.chip}'${didYouMean(header.target.chip, PARTS.map((p) => p.part))}`,
        source.locate(["target", "chip"]),
        "name the part as printed on the package, e.g. stm32f103c8",
        "E_RECIPE_CHIP",
      ),
    );
    throw new RecipeErrors(sortByPosition(errors));
  }

  const steps = bindSteps(source, header.steps, errors);
  if (errors.length > 0) throw new RecipeErrors(sortByPosition(errors));

  // Pre-flight checks: every file parsed, every range inside the chip, in recipe order.
  const baseDir = dirname(file);
  const images = new Map<string, MemoryImage>();
  const planned: MemoryImage[] = [];
  const key = (path: string, o: { format?: ImageFormat; baseAddress?: number }) =>
    `${path}\u0000${o.format ?? ""}\u0000${o.baseAddress ?? ""}`;
  const resolvePath = (path: string) => (isAbsolute(path) ? path : join(baseDir, path));
  for (const entry of steps) {
    const stepPath: DocumentPath = ["steps", entry.index, entry.type];
    const context: CheckContext = {
      part,
      chip,
      resolvePath,
      locate: (path = []) => source.locate([...stepPath, ...path]),
      async loadImage(path, imageOptions) {
        const resolvedPath = resolvePath(path);
        const cacheKey = key(resolvedPath, imageOptions);
        const cached = images.get(cacheKey);
        if (cached) return cached;
        try {
          const image = await loadImageFile(resolvedPath, imageOptions);
          images.set(cacheKey, image);
          return image;
        } catch (error) {
          // A file that cannot be read is the recipe's mistake: point at the recipe line.
          if (error instanceof ImageError && error.code === "E_FILE") {
            const message = error.message.replace("the image file", `'${path}'`);
            throw new RecipeError(message, source.locate([...stepPath, "file"]), error.hint, "E_FILE");
          }
          throw error;
        }
      },
      planWrite: (image) => planned.push(image),
      plannedWrites: () => planned,
    };
    try {
      await entry.step.check(context);
    } catch (error) {
      if (error instanceof RecipeError) errors.push(error);
      else if (error instanceof InputError) {
        errors.push(new RecipeError(error.message, error.location ?? entry.location, error.hint, error.code));
      } else throw error;
    }
  }
  if (errors.length > 0) throw new RecipeErrors(errors);

  return {
    file,
    header,
    steps,
    part,
    chip,
    planned,
    image(path, imageOptions) {
      const image = images.get(key(resolvePath(path), imageOptions));
      if (!image) throw new Error(`image ${path} was not loaded during validation`);
      return image;
    },
  };
}

/** Validates each step item against its step type; collects errors. */
function bindSteps(source: YamlSource, items: readonly unknown[], errors: RecipeError[]): RecipeStep[] {
  const steps: RecipeStep[] = [];
  let connected = false;
  items.forEach((item, index) => {
    const path: DocumentPath = ["steps", index];
    const location = source.locate(path);
    const normalised = typeof item === "string" ? { [item]: {} } : item;
    if (normalised === null || typeof normalised !== "object" || Array.isArray(normalised)) {
      errors.push(
        new RecipeError(
          `step ${index + 1} must be a step name or a mapping`,
          location,
          `e.g. '- write: { file: app.hex }'`,
        ),
      );
      return;
    }
    const entries = Object.entries(normalised as Record<string, unknown>);
    const stepKeys = entries.filter(([k]) => !COMMON_STEP_KEYS.includes(k));
    if (stepKeys.length !== 1) {
      const unknown = stepKeys.find(([k]) => !stepType(k));
      if (unknown) {
        errors.push(
          new RecipeError(
            `unknown step '${unknown[0]}'${didYouMean(unknown[0], stepNames())}`,
            source.locate([...path, unknown[0]], { key: true }),
            `steps are: ${stepNames().join(", ")}`,
            "E_RECIPE_STEP",
          ),
        );
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
    const keyLocation = source.locate([...path, name], { key: true });
    if (!type) {
      errors.push(
        new RecipeError(
          `unknown step '${name}'${didYouMean(name, stepNames())}`,
          keyLocation,
          `steps are: ${stepNames().join(", ")}`,
          "E_RECIPE_STEP",
        ),
      );
      return;
    }
    const label = (normalised as Record<string, unknown>).name;
    if (label !== undefined && typeof label !== "string") {
      errors.push(new RecipeError("a step's 'name' must be text", source.locate([...path, "name"])));
    }
    const params = rawParams ?? {};
    const parsed = type.schema.safeParse(params);
    if (!parsed.success) {
      errors.push(...issuesToErrors(source, parsed.error.issues, {
        base: [...path, name],
        knownKeys: () => schemaKeys(type.schema),
        unionHint: type.usage,
      }));
      return;
    }
    if (type.needsTarget && !connected) {
      errors.push(new RecipeError(`'${name}' needs a connected chip`, keyLocation, "add a 'connect' step before it"));
    }
    if (name === "connect") connected = true;
    steps.push({
      index,
      type: name,
      label: typeof label === "string" ? label : name,
      location: keyLocation,
      step: type.bind(params),
    });
  });
  return steps;
}

function knownHeaderKeys(path: DocumentPath): readonly string[] {
  if (path.length === 0) return Object.keys(recipeHeaderSchema.shape);
  if (path[0] === "target") return Object.keys(recipeHeaderSchema.shape.target.shape);
  return [];
}

/** Keys of an object schema (or of the object members of a union), for suggestions. */
function schemaKeys(schema: unknown): string[] {
  const def = (schema as { def?: { shape?: Record<string, unknown>; options?: unknown[]; type?: string } }).def;
  if (def?.shape) return Object.keys(def.shape);
  if (def?.options) return def.options.flatMap((o) => schemaKeys(o));
  return [];
}

function sortByPosition(errors: RecipeError[]): RecipeError[] {
  return [...errors].sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0));
}

function reason(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  return error instanceof Error ? error.message : String(error);
}
