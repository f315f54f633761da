/**
 * A YAML file parsed with its source positions kept, so every later error can name `file:line:col`.
 *
 * Why `yaml` maps to `./node_modules/yaml/browser/index.js` (deno.json) rather than `npm:yaml`: under Deno's `node`
 * export condition `npm:yaml` is the package's CommonJS build, and the first CommonJS module of a process starts Deno's
 * Node-compatible `require` machinery (~25 ms of `flashrecipe run`'s start-up). The package ships the same code as ES
 * modules under `browser/`, which its `exports` map hides from Deno, so `package.json` installs `yaml` (`npm ci`) and
 * the import names that file. Being a static local import, `deno compile` embeds it. The types come from the npm
 * package of the same version (`@ts-types`, checked by `yaml_source_test.ts`). One visible difference: the ES build
 * reports "Keys with collection values will be stringified ..." with `console.warn`, not Node's `process.emitWarning`.
 *
 * @module
 */

// @ts-types="npm:yaml@2.9.1"
import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { SourceLocation } from "../errors.ts";
import { RecipeError } from "./errors.ts";

/** A path into the parsed document: map keys and sequence indices. */
export type DocumentPath = readonly (string | number)[];

/** A parsed YAML document with positions. */
export class YamlSource {
  /** The file's path as the user named it. */
  readonly file: string;
  /** The parsed document. */
  readonly document: Document;
  readonly #lines: LineCounter;

  private constructor(file: string, document: Document, lines: LineCounter) {
    this.file = file;
    this.document = document;
    this.#lines = lines;
  }

  /** Parses `text`; a syntax error becomes a {@linkcode RecipeError} at its position. */
  static parse(text: string, file: string): YamlSource {
    const lines = new LineCounter();
    const document = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    const problem = document.errors[0];
    if (problem) {
      const pos = problem.linePos?.[0];
      const what = problem.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      throw new RecipeError(
        `YAML syntax error: ${what}`,
        { file, line: pos?.line, column: pos?.col },
        "fix the YAML syntax (indentation, quotes, a missing ':' or '-')",
        "E_RECIPE_SYNTAX",
      );
    }
    return new YamlSource(file, document, lines);
  }

  /** The plain JavaScript value of the document. */
  toJS(): unknown {
    return this.document.toJS({ maxAliasCount: 100 });
  }

  /**
   * Where the value at `path` is (or its key, with `key: true`). A path that does not exist resolves to the deepest
   * node that does, so "missing key" errors point at the map that lacks it.
   */
  locate(path: DocumentPath, options: { key?: boolean } = {}): SourceLocation {
    let node: Node | null | undefined = this.document.contents as Node | null;
    let keyNode: Node | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) =>
          isPair(item) && isScalar(item.key) && String(item.key.value) === segment
        );
        if (!pair) break;
        keyNode = pair.key as Node;
        node = pair.value as Node | null;
        if (node === null) {
          node = keyNode;
        }
      } else if (isSeq(node) && typeof segment === "number" && node.items[segment]) {
        keyNode = undefined;
        node = node.items[segment] as Node;
      } else {
        break;
      }
    }
    const target = options.key && keyNode ? keyNode : node;
    const offset = target?.range?.[0];
    if (offset === undefined) return { file: this.file };
    const pos = this.#lines.linePos(offset);
    return { file: this.file, line: pos.line, column: pos.col };
  }
}
