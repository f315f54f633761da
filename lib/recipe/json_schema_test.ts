import assert from "node:assert/strict";
// @ts-types="npm:yaml@2.9.1"
import { parse } from "yaml";
import { Ajv2020 } from "ajv/dist/2020.js";
import { includeJsonSchema, type JsonSchemaNode, recipeJsonSchema, takesNoParameters } from "./json_schema.ts";
import { STEP_TYPES } from "./steps/registry.ts";
import { partByName, PARTS } from "../chips/database.ts";

const ajv = new Ajv2020({ strict: false, allErrors: true });
const validateRecipe = ajv.compile(recipeJsonSchema());
const validateInclude = ajv.compile(includeJsonSchema());

function recipe(steps: unknown[], chip = "stm32f103c8"): unknown {
  return { name: "x", target: { chip }, steps };
}

Deno.test("a bare step is valid exactly when the step's own schema accepts no parameters", () => {
  const bare = STEP_TYPES.filter(takesNoParameters).map((s) => s.name);
  // The loader reads `- name` and `- name:` as `{}`; the steps that refuse that are the ones needing parameters.
  for (const step of STEP_TYPES) {
    const accepts = step.schema.safeParse({}).success;
    assert.equal(validateRecipe(recipe([step.name])), accepts, `- ${step.name}`);
    assert.equal(validateRecipe(recipe([{ [step.name]: null }])), accepts, `- ${step.name}:`);
    assert.equal(validateInclude([step.name]), accepts, `include: - ${step.name}`);
  }
  assert.ok(bare.includes("verify") && !bare.includes("write"));
  assert.ok(bare.length > 0 && bare.length < STEP_TYPES.length);
});

Deno.test("one step per item; an include carries only when", () => {
  assert.equal(validateRecipe(recipe([{ verify: {}, name: "check", retry: 2, timeout: "5s" }])), true);
  assert.equal(validateRecipe(recipe([{ verify: {}, jump: {} }])), false);
  assert.equal(validateRecipe(recipe([{ name: "nothing" }])), false);
  assert.equal(validateRecipe(recipe([{ include: "a.yaml", when: "${x} == 1" }])), true);
  assert.equal(validateRecipe(recipe([{ include: "a.yaml", name: "n" }])), false);
  assert.equal(validateRecipe(recipe([{ include: "a.yaml", verify: {} }])), false);
  assert.equal(validateRecipe(recipe([{ wrte: { file: "a.hex" } }])), false);
  assert.equal(validateRecipe(recipe(["wrte"])), false);
});

Deno.test("fields the loader fills in from ${name} accept a reference; plain numbers stay checked", () => {
  const ok = [
    { connect: { baud: "${baud}" } },
    { erase: "${mode}" },
    { delay: "${pause}" },
    { jump: { address: "${app}" } },
    { verify: { method: "${how}" } },
    { write: { file: "${firmware}", sha256: "${hash}" } },
  ];
  for (const step of ok) assert.equal(validateRecipe(recipe([step])), true, JSON.stringify(step));
  assert.equal(validateRecipe(recipe([{ connect: { baud: 12 } }])), false);
  assert.equal(validateRecipe(recipe([{ erase: "everything" }])), false);
  assert.equal(validateRecipe(recipe([{ delay: "5 parsecs" }])), false);
  assert.equal(validateRecipe(recipe(["connect"], "${chip}")), true, "chip from a variable");
});

/** Every property node of a schema, with its path. */
function properties(node: unknown, path: string, out: Array<[string, JsonSchemaNode]>): void {
  if (Array.isArray(node)) {
    node.forEach((n, i) => properties(n, `${path}[${i}]`, out));
    return;
  }
  if (node === null || typeof node !== "object") return;
  const object = node as JsonSchemaNode;
  for (const [key, value] of Object.entries(object)) {
    if (key === "properties" && value && typeof value === "object") {
      for (const [name, child] of Object.entries(value as Record<string, JsonSchemaNode>)) {
        out.push([`${path}.${name}`, child]);
        properties(child, `${path}.${name}`, out);
      }
    } else {
      properties(value, `${path}.${key}`, out);
    }
  }
}

Deno.test("a field's description is on the field itself, never only inside its anyOf (editors read it there)", () => {
  const found: Array<[string, JsonSchemaNode]> = [];
  properties(recipeJsonSchema(), "", found);
  assert.ok(found.length > 50);
  for (const [path, node] of found) {
    if (!Array.isArray(node.anyOf)) continue;
    const inner = (node.anyOf as JsonSchemaNode[]).some((branch) => typeof branch.description === "string");
    if (inner) assert.equal(typeof node.description, "string", `${path}: description only inside anyOf`);
  }
  const branches = ((recipeJsonSchema().$defs as JsonSchemaNode).step as { anyOf: JsonSchemaNode[] }).anyOf;
  const steps = branches.find((branch) => branch.type === "object")!;
  for (const step of STEP_TYPES) {
    const property = (steps.properties as Record<string, JsonSchemaNode>)[step.name];
    assert.equal(property.description, step.summary, step.name);
    assert.equal(property.title, step.name);
  }
});

Deno.test("target.chip accepts what the loader accepts: database parts in any case, not other names", () => {
  const names = [
    ...PARTS.map((p) => p.part),
    "STM32F103C8",
    "stm32f103c8t6",
    "STM32F405RGT6",
    "stm32f103c9",
    "stm32",
    "stm32f103c8 ",
    "nrf52840",
    "stm32f103c8t6tr",
  ];
  for (const name of names) {
    // The ordering-code tail (t6) is accepted by the schema; the loader's own resolver decides for the rest.
    const loader = partByName(name) !== undefined || /^stm32f(103c8t6|405rgt6|103c8t6tr)$/i.test(name);
    assert.equal(validateRecipe(recipe(["connect"], name)), loader, name);
  }
});

Deno.test("every example recipe and include file validates against its schema", async () => {
  const root = new URL("../../recipes/", import.meta.url);
  for await (const entry of Deno.readDir(root)) {
    if (!entry.name.endsWith(".yaml")) continue;
    const document = parse(await Deno.readTextFile(new URL(entry.name, root)));
    assert.ok(validateRecipe(document), `${entry.name}: ${JSON.stringify(validateRecipe.errors)}`);
  }
  for await (const entry of Deno.readDir(new URL("include/", root))) {
    const document = parse(await Deno.readTextFile(new URL(`include/${entry.name}`, root)));
    assert.ok(validateInclude(document), `${entry.name}: ${JSON.stringify(validateInclude.errors)}`);
  }
  assert.equal(validateInclude({ steps: ["enter-boot", { connect: {} }] }), true);
  assert.equal(validateInclude(["write"]), false);
  assert.equal(validateInclude({ name: "not a step list" }), false);
});
