/**
 * Regenerates docs/recipes.md and docs/recipe.schema.json from the schemas (`deno task docs`).
 * A test fails when the committed files differ from what this writes.
 *
 * @module
 */

import { recipeReference } from "../lib/recipe/docs.ts";
import { recipeJsonSchema } from "../lib/recipe/schema.ts";

const docs = new URL("../docs/", import.meta.url);
await Deno.writeTextFile(new URL("recipes.md", docs), recipeReference() + "\n");
await Deno.writeTextFile(new URL("recipe.schema.json", docs), JSON.stringify(recipeJsonSchema(), null, 2) + "\n");
console.log("wrote docs/recipes.md and docs/recipe.schema.json");
