/**
 * `schema`: print the recipe JSON Schema, or with `--include` the schema of included step files, for editors
 * (yaml-language-server) and other tools.
 *
 * @module
 */

import type { CommandSpec } from "../command.ts";
import { includeJsonSchema, recipeJsonSchema } from "../../recipe/json_schema.ts";

/** The `schema` command. */
export const schemaCommand: CommandSpec = {
  name: "schema",
  summary: "print the recipe JSON Schema (for editors with yaml-language-server)",
  usage: "schema [--include] [--output FILE]",
  options: [
    { name: "output", type: "string", valueName: "FILE", description: "write to a file instead of stdout" },
    { name: "include", type: "boolean", description: "the schema of a file '- include:' names (a list of steps)" },
  ],
  examples: [
    [
      "schema --output recipe.schema.json",
      "then start recipes with: # yaml-language-server: $schema=recipe.schema.json",
    ],
    [
      "schema --include --output recipe-include.schema.json",
      "and included step files with: # yaml-language-server: $schema=recipe-include.schema.json",
    ],
  ],
  async run(args, console) {
    const schema = args.options.include ? includeJsonSchema() : recipeJsonSchema();
    const text = JSON.stringify(schema, null, 2);
    const output = args.options.output as string | undefined;
    if (output) {
      await Deno.writeTextFile(output, text + "\n");
      console.out(`wrote ${output}`);
    } else {
      console.out(text);
    }
    return 0;
  },
};
