/**
 * `schema`: print the recipe JSON Schema, for editors (yaml-language-server) and other tools.
 *
 * @module
 */

import type { CommandSpec } from "../command.ts";
import { recipeJsonSchema } from "../../recipe/schema.ts";

/** The `schema` command. */
export const schemaCommand: CommandSpec = {
  name: "schema",
  summary: "print the recipe JSON Schema (for editors with yaml-language-server)",
  usage: "schema [--output FILE]",
  options: [{ name: "output", type: "string", valueName: "FILE", description: "write to a file instead of stdout" }],
  examples: [
    [
      "schema --output recipe.schema.json",
      "then start recipes with: # yaml-language-server: $schema=recipe.schema.json",
    ],
  ],
  async run(args, console) {
    const text = JSON.stringify(recipeJsonSchema(), null, 2);
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
