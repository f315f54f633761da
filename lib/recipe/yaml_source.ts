/**
 * A YAML file parsed with its source positions kept, so every later error can name `file:line:col`.
 *
 * @module
 */

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
