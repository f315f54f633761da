/**
 * Regenerates docs/recipes.md, docs/recipe.schema.json and docs/recipe-include.schema.json from the schemas
 * (`deno task docs`). A test fails when the committed files differ from what this writes.
 *
 * @module
 */

import { recipeReference } from "../lib/recipe/docs.ts";
import { includeJsonSchema, recipeJsonSchema, SCHEMA_FILES } from "../lib/recipe/json_schema.ts";

const root = new URL("../", import.meta.url);
await Deno.writeTextFile(new URL("docs/recipes.md", root), recipeReference() + "\n");
await Deno.writeTextFile(new URL(SCHEMA_FILES.recipe, root), JSON.stringify(recipeJsonSchema(), null, 2) + "\n");
await Deno.writeTextFile(new URL(SCHEMA_FILES.include, root), JSON.stringify(includeJsonSchema(), null, 2) + "\n");
console.log(`wrote docs/recipes.md, ${SCHEMA_FILES.recipe} and ${SCHEMA_FILES.include}`);
