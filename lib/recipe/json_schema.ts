/**
 * The JSON Schemas editors use for recipes (`docs/recipe.schema.json`) and for the files `- include:` names
 * (`docs/recipe-include.schema.json`), built from the same zod schemas that validate recipes and shaped for what
 * yaml-language-server does with them:
 *
 * - a bare step name (`- verify`) is valid only for steps whose parameters may all be left out, which is read from
 *   each step's own schema (it accepts `{}`), never from a list kept by hand;
 * - each step is one property of one step-item object, so completion offers it once, with its summary; the "exactly
 *   one step per item" rule is a `oneOf` of `required` lists that carry no properties (a `required` next to
 *   `properties` makes the server add a second, "parent" completion labelled `object(...)` for every step);
 * - wherever the loader fills in a `${name}` reference before validating (numbers, booleans, fixed words, patterned
 *   text such as durations), the field also accepts one, and the field's description sits on that `anyOf` wrapper,
 *   where completion and hover look for it;
 * - `target.chip` offers the chip database's parts.
 *
 * @module
 */

import { z } from "zod";
import { PARTS } from "../chips/database.ts";
import { commonStepKeys, includeSchema, recipeHeaderSchema } from "./schema.ts";
import { STEP_TYPES } from "./steps/registry.ts";
import type { StepType } from "./step.ts";

/** A JSON Schema node, loosely typed: these functions only move keywords around. */
export type JsonSchemaNode = Record<string, unknown>;

/** Where the generated schemas are published in this repository (relative to the repository root). */
export const SCHEMA_FILES = {
  recipe: "docs/recipe.schema.json",
  include: "docs/recipe-include.schema.json",
} as const;

/** Keywords that describe a field rather than constrain it: they move to a `${name}` wrapper. */
const ANNOTATIONS = ["title", "description", "markdownDescription", "default", "examples"];

/** A whole-value `${name}` reference, which the loader replaces before validating. */
const REFERENCE: JsonSchemaNode = { type: "string", pattern: "^\\$\\{[^}]+\\}$" };

function isReference(node: JsonSchemaNode): boolean {
  return node.type === "string" && node.pattern === REFERENCE.pattern;
}

function toJson(schema: z.ZodType): JsonSchemaNode {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchemaNode;
  delete json.$schema;
  return json;
}

/** Whether a node only ever matches a scalar (no object, no array), looking through `anyOf`. */
function isScalar(node: JsonSchemaNode): boolean {
  if (Array.isArray(node.anyOf)) return (node.anyOf as JsonSchemaNode[]).every(isScalar);
  const type = node.type;
  return type === "string" || type === "number" || type === "integer" || type === "boolean" || type === "null" ||
    (type === undefined && (node.enum !== undefined || node.const !== undefined));
}

/** Whether a `${name}` reference, which is text, would fail this scalar node. */
function refusesReference(node: JsonSchemaNode): boolean {
  if (Array.isArray(node.anyOf)) return (node.anyOf as JsonSchemaNode[]).every(refusesReference);
  return node.type !== "string" || node.enum !== undefined || node.const !== undefined || node.pattern !== undefined;
}

/**
 * Lets every field the loader resolves references in also be a `${name}` reference, with the field's annotations on
 * the wrapper (yaml-language-server reads descriptions from the outermost schema of a property).
 */
export function allowReferences(node: JsonSchemaNode): JsonSchemaNode {
  if (isScalar(node)) {
    if (!refusesReference(node)) return node;
    const inner = { ...node };
    const wrapper: JsonSchemaNode = {};
    for (const key of ANNOTATIONS) {
      if (key in inner) {
        wrapper[key] = inner[key];
        delete inner[key];
      }
    }
    const branches = Array.isArray(inner.anyOf) && Object.keys(inner).length === 1
      ? inner.anyOf as JsonSchemaNode[]
      : [inner];
    return { ...wrapper, anyOf: [...branches, REFERENCE] };
  }
  const out: JsonSchemaNode = { ...node };
  if (node.properties) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties as Record<string, JsonSchemaNode>).map(([k, v]) => [k, allowReferences(v)]),
    );
  }
  if (node.items && typeof node.items === "object") out.items = allowReferences(node.items as JsonSchemaNode);
  if (node.additionalProperties && typeof node.additionalProperties === "object") {
    out.additionalProperties = allowReferences(node.additionalProperties as JsonSchemaNode);
  }
  if (Array.isArray(node.anyOf)) out.anyOf = (node.anyOf as JsonSchemaNode[]).map(allowReferences);
  return out;
}

/** Whether a step may be written without parameters (`- verify`, `- verify:`): its schema accepts `{}`. */
export function takesNoParameters(step: StepType): boolean {
  return step.schema.safeParse({}).success;
}

/** The Markdown shown on hover and in completion for a step: its summary and the forms it takes. */
function stepMarkdown(step: StepType, parameters: JsonSchemaNode): string {
  const lines = [`**${step.name}**: ${step.summary}.`, "", "```yaml", `- ${step.usage}`, "```"];
  if (typeof parameters.description === "string") lines.push("", parameters.description);
  if (takesNoParameters(step)) lines.push("", "Every parameter is optional: `- " + step.name + "` alone is a step.");
  return lines.join("\n");
}

/**
 * Gives every object with required keys a title naming them. yaml-language-server offers such an object as one more
 * completion that inserts all its required keys, labelled with the title (without one: `object(<schema title>)`).
 */
function titleRequiredObjects(node: JsonSchemaNode, name: string): JsonSchemaNode {
  const out: JsonSchemaNode = { ...node };
  if (Array.isArray(node.required) && node.required.length > 0 && node.title === undefined) {
    out.title = `${name}: ${(node.required as string[]).join(", ")}`;
  }
  if (node.properties) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties as Record<string, JsonSchemaNode>).map((
        [k, v],
      ) => [k, titleRequiredObjects(v, k)]),
    );
  }
  if (node.items && typeof node.items === "object") {
    out.items = titleRequiredObjects(node.items as JsonSchemaNode, name);
  }
  if (Array.isArray(node.anyOf)) out.anyOf = (node.anyOf as JsonSchemaNode[]).map((n) => titleRequiredObjects(n, name));
  return out;
}

/** The schema of a step's property in a step item: its parameters, titled and described by the step. */
function stepProperty(step: StepType): JsonSchemaNode {
  const parameters = titleRequiredObjects(allowReferences(toJson(step.schema)), step.name);
  const inner = { ...parameters };
  for (const key of ANNOTATIONS) if (key !== "title") delete inner[key];
  const forms = Array.isArray(inner.anyOf) && Object.keys(inner).length === 1
    ? inner.anyOf as JsonSchemaNode[]
    : [inner];
  // `- verify:` is YAML for { verify: null }; the loader reads it as no parameters.
  const branches = takesNoParameters(step) ? [{ type: "null" }, ...forms] : forms;
  return {
    title: step.name,
    description: step.summary,
    markdownDescription: stepMarkdown(step, parameters),
    anyOf: flattenWords(branches),
  };
}

/**
 * A step's parameter forms with its fixed words (`erase: all | needed`) as one enum whose words carry their
 * descriptions, and one `${name}` branch. Hover on the step's name shows the first description it finds among the
 * schemas the value matches; a word's own described wrapper would win over the step's summary.
 */
function flattenWords(branches: readonly JsonSchemaNode[]): JsonSchemaNode[] {
  const words: string[] = [];
  const descriptions: string[] = [];
  const others: JsonSchemaNode[] = [];
  let reference = false;
  for (const branch of branches) {
    const members = Array.isArray(branch.anyOf) && (branch.anyOf as JsonSchemaNode[]).some(isReference)
      ? branch.anyOf as JsonSchemaNode[]
      : [branch];
    const shared = typeof branch.description === "string" ? branch.description : "";
    for (const member of members) {
      if (isReference(member)) {
        reference = true;
      } else if (typeof member.const === "string") {
        words.push(member.const);
        descriptions.push(String(member.description ?? shared));
      } else if (Array.isArray(member.enum) && member.enum.every((word) => typeof word === "string")) {
        for (const word of member.enum as string[]) {
          words.push(word);
          descriptions.push(shared);
        }
      } else {
        others.push(
          members.length > 1 && shared && member.description === undefined
            ? { ...member, description: shared }
            : member,
        );
      }
    }
  }
  const enumeration: JsonSchemaNode[] = words.length === 0
    ? []
    : [{ type: "string", enum: words, ...(descriptions.some(Boolean) ? { enumDescriptions: descriptions } : {}) }];
  return [...enumeration, ...others, ...(reference ? [REFERENCE] : [])];
}

/** Keys every step item may carry, and `include`, as JSON Schema properties. */
function commonProperties(): Record<string, JsonSchemaNode> {
  const common = toJson(z.strictObject(commonStepKeys)).properties as Record<string, JsonSchemaNode>;
  const include = toJson(includeSchema).properties as Record<string, JsonSchemaNode>;
  return {
    ...Object.fromEntries(Object.entries(common).map(([k, v]) => [k, allowReferences(v)])),
    include: include.include,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** One item of a step list: a bare step name, `{ <step>: params, name?, when?, retry?, timeout? }` or an include. */
export function stepItemJsonSchema(): JsonSchemaNode {
  const bare = STEP_TYPES.filter(takesNoParameters).map((s) => s.name);
  const needing = STEP_TYPES.filter((s) => !takesNoParameters(s)).map((s) => s.name);
  const properties: Record<string, JsonSchemaNode> = {};
  for (const step of STEP_TYPES) properties[step.name] = stepProperty(step);
  Object.assign(properties, commonProperties());
  const stepOnly = ["name", "retry", "timeout"];
  const patternErrorMessage = `a step without parameters is one of ${bare.join(", ")}; ` +
    `${needing.join(", ")} need parameters, e.g. '- write: { file: app.hex }'`;
  return {
    description: "a step: `- name` for a step without parameters, `- name: parameters`, or `- include: FILE`",
    anyOf: [
      // One pattern per step, not an enum: an enum would be offered in completion beside the step properties
      // below; a branch per step lets hover on a bare name show that step's summary.
      ...STEP_TYPES.filter(takesNoParameters).map((step) => ({
        type: "string",
        title: step.name,
        description: step.summary,
        pattern: `^${escapeRegExp(step.name)}$`,
        patternErrorMessage,
      })),
      {
        type: "object",
        title: "step",
        properties,
        additionalProperties: false,
        // Exactly one step name, or an include (which carries only `when`).
        oneOf: [
          ...STEP_TYPES.map((step) => ({ required: [step.name] })),
          { required: ["include"], not: { anyOf: stepOnly.map((key) => ({ required: [key] })) } },
        ],
      },
    ],
  };
}

/**
 * `target.chip`: a part from the chip database (offered in completion), in any case, optionally followed by the
 * ordering code's package and temperature letters as printed on the package (`stm32f103c8t6`).
 */
export function chipJsonSchema(description: string): JsonSchemaNode {
  const names = PARTS.map((part) => part.part);
  const anyCase = (name: string) =>
    [...name].map((c) => /[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : escapeRegExp(c)).join("");
  return {
    description,
    anyOf: [
      { type: "string", enum: names },
      {
        type: "string",
        pattern: `^(${names.map(anyCase).join("|")})([a-zA-Z][0-9][a-zA-Z0-9]{0,4})?$`,
        patternErrorMessage: "not a chip flashrecipe knows; `flashrecipe chips` lists them",
      },
      REFERENCE,
    ],
  };
}

function header(): JsonSchemaNode {
  const json = allowReferences(toJson(recipeHeaderSchema));
  const properties = { ...json.properties as Record<string, JsonSchemaNode> };
  const target = properties.target as JsonSchemaNode;
  const targetProperties = { ...target.properties as Record<string, JsonSchemaNode> };
  targetProperties.chip = chipJsonSchema(String(targetProperties.chip.description ?? "the part the recipe is for"));
  properties.target = { ...target, properties: targetProperties };
  properties.vars = toJson(recipeHeaderSchema.shape.vars); // vars hold values; references are not resolved there
  const list = (node: JsonSchemaNode) => {
    const { items: _items, ...rest } = node;
    return { ...rest, items: { $ref: "#/$defs/step" } };
  };
  properties.steps = list(properties.steps);
  properties["on-failure"] = list(properties["on-failure"]);
  return { ...json, properties };
}

/** The recipe JSON Schema (draft 2020-12) for yaml-language-server and other editors. */
export function recipeJsonSchema(): JsonSchemaNode {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://flashrecipe.invalid/recipe.schema.json",
    title: "flashrecipe recipe",
    ...header(),
    $defs: { step: stepItemJsonSchema() },
  };
}

/** The JSON Schema of a file `- include:` names: a list of steps, or a mapping with `steps:`. */
export function includeJsonSchema(): JsonSchemaNode {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://flashrecipe.invalid/recipe-include.schema.json",
    title: "flashrecipe steps (an included file)",
    anyOf: [
      { type: "array", items: { $ref: "#/$defs/step" } },
      {
        type: "object",
        properties: { steps: { type: "array", items: { $ref: "#/$defs/step" }, description: "the steps" } },
        required: ["steps"],
      },
    ],
    $defs: { step: stepItemJsonSchema() },
  };
}
