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
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
// @ts-types="npm:yaml@2.9.1"
import { CST, Lexer } from "yaml";
import type { SourceLocation } from "../errors.ts";
import { RecipeError } from "./errors.ts";

/**
 * Bounds on a recipe document, each an `E_RECIPE_SYNTAX` error at the place it is crossed. Real recipes stay far
 * below them: a few levels of nesting, a handful of anchors used a few dozen times.
 */
export const YAML_LIMITS = {
  /** Characters of one document (the file reader caps bytes at 4 MiB as well). */
  characters: 4 * 1024 * 1024,
  /** Levels of nested lists and mappings. */
  depth: 64,
  /** Anchors (`&name`) in one document. */
  anchors: 1_000,
  /** Alias uses (`*name`) in one document (yaml resolves each alias by a scan of the anchors and aliases before it). */
  aliases: 5_000,
  /** Values (scalars, lists, mappings) the document holds once every alias is expanded. */
  expandedValues: 1_000_000,
  /**
   * Values as written (scalars and keys, lists, mappings) in a recipe and all its includes together, counted on
   * yaml's token stream before a document is built: yaml's document model takes about 1 KB a value, so a 4 MiB
   * file of `1,1,1,...` took 2 GB and 10 s. A recipe at the step limit (10000 steps) writes a few values a step.
   */
  values: 100_000,
} as const;

/**
 * Token types that start a value in yaml's lexer: a scalar (or key; a block scalar's body comes as a `scalar`
 * after its header), a flow collection, a block list item. A block mapping has no token of its own.
 */
const VALUE_TOKENS: ReadonlySet<string> = new Set([
  "scalar",
  "single-quoted-scalar",
  "double-quoted-scalar",
  "flow-map-start",
  "flow-seq-start",
  "seq-item-ind",
]);

/** Lexer tokens that mark a state and stand for no source text (yaml's CST control characters). */
const ZERO_WIDTH_TOKENS: ReadonlySet<string> = new Set(["doc-mode", "flow-error-end", "scalar"]);

/** Values left to parse: one budget is shared by a recipe and every file it includes. */
export interface ValueBudget {
  /** Values still allowed, {@linkcode YAML_LIMITS}.values at the start. */
  remaining: number;
}

/** Tags a recipe may write explicitly: YAML 1.2's core types. Others (`!!binary`, `!!js/function`, `!x`) are errors. */
const CORE_TAGS: ReadonlySet<string> = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((name) => `tag:yaml.org,2002:${name}`),
);

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

  /**
   * Parses `text`; a syntax error becomes a {@linkcode RecipeError} (`E_RECIPE_SYNTAX`) at its position, and so does
   * a document that breaks the {@linkcode YAML_LIMITS} or uses a tag other than the plain YAML types.
   */
  static parse(text: string, file: string, budget: ValueBudget = { remaining: YAML_LIMITS.values }): YamlSource {
    const lines = new LineCounter();
    if (text.length > YAML_LIMITS.characters) {
      throw new RecipeError(
        `the document has ${text.length} characters, more than the ${YAML_LIMITS.characters} a recipe may have`,
        { file },
        "split it with 'include:'",
        "E_RECIPE_SYNTAX",
      );
    }
    countValues(text, file, budget);
    // Duplicate keys are found by #checkStructure with a set per mapping: yaml's own check (`uniqueKeys`) compares
    // each key with every earlier one, which took 42 s for a mapping of 40000 keys.
    const document = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: false });
    const problem = document.errors[0];
    if (problem) {
      const pos = problem.linePos?.[0];
      // yaml turns its own stack overflow on deep nesting into this code; say what it means.
      const what = problem.code === "RESOURCE_EXHAUSTION"
        ? "the document nests too deeply"
        : problem.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      throw new RecipeError(
        `YAML syntax error: ${what}`,
        { file, line: pos?.line, column: pos?.col },
        problem.code === "RESOURCE_EXHAUSTION"
          ? `a recipe nests at most ${YAML_LIMITS.depth} levels`
          : "fix the YAML syntax (indentation, quotes, a missing ':' or '-')",
        "E_RECIPE_SYNTAX",
      );
    }
    const source = new YamlSource(file, document, lines);
    source.#checkStructure();
    return source;
  }

  /** The plain JavaScript value of the document. */
  toJS(): unknown {
    // #checkStructure bounded what aliases expand to; yaml's own count (100 alias uses) refuses real recipes.
    return this.document.toJS({ maxAliasCount: -1 });
  }

  /**
   * One pass over the parsed document, in document order, enforcing {@linkcode YAML_LIMITS} and the plain types:
   * every alias must follow its anchor and lie outside it (`x: &a [*a]` would be a cycle), what aliases expand to
   * is counted (a "billion laughs" document is refused before it is expanded), nesting is bounded, keys are plain
   * values and tags are the core ones. The walk's own recursion is bounded by the depth limit.
   */
  #checkStructure(): void {
    const anchors = new Map<string, Node>();
    const sizes = new Map<Node, number>();
    const open = new Set<Node>();
    let aliasCount = 0;
    let expanded = 0;
    const fail = (node: Node | undefined, message: string, hint: string): never => {
      throw new RecipeError(
        `YAML: ${message}`,
        this.#position(node?.range?.[0]),
        hint,
        "E_RECIPE_SYNTAX",
      );
    };
    const visit = (node: Node | null | undefined, depth: number): number => {
      if (node === null || node === undefined) return 1;
      if (depth > YAML_LIMITS.depth) {
        fail(node, `the document nests more than ${YAML_LIMITS.depth} levels deep`, "a recipe needs a few levels");
      }
      if (isAlias(node)) {
        if (++aliasCount > YAML_LIMITS.aliases) {
          fail(node, `more than ${YAML_LIMITS.aliases} aliases`, "write the values out, or use fewer anchors");
        }
        const source = anchors.get(node.source);
        if (source === undefined) {
          fail(node, `alias *${node.source} has no anchor &${node.source} before it`, "define the anchor first");
        }
        if (open.has(source!)) {
          fail(node, `alias *${node.source} lies inside its own anchor`, "an alias cannot refer to itself");
        }
        const size = sizes.get(source!) ?? 1;
        expanded += size;
        if (expanded > YAML_LIMITS.expandedValues) {
          fail(
            node,
            `aliases expand the document to more than ${YAML_LIMITS.expandedValues} values`,
            "a recipe this large is a mistake or an attack; write the values out",
          );
        }
        return size;
      }
      if (node.anchor) {
        if (anchors.size >= YAML_LIMITS.anchors && !anchors.has(node.anchor)) {
          fail(node, `more than ${YAML_LIMITS.anchors} anchors`, "write the values out, or use fewer anchors");
        }
        anchors.set(node.anchor, node);
      }
      const tag = node.tag;
      if (tag !== undefined && !CORE_TAGS.has(tag)) {
        fail(node, `tag ${tag.replace(/^tag:yaml\.org,2002:/, "!!")} is not allowed`, "recipes use plain YAML values");
      }
      let size = 1;
      expanded++;
      if (isMap(node) || isSeq(node)) {
        open.add(node);
        const keys = isMap(node) ? new Set<unknown>() : undefined;
        for (const item of node.items) {
          if (isPair(item)) {
            const key = item.key as Node | null;
            if (key !== null && !isScalar(key)) {
              fail(key, "a key must be a plain value, not a list, mapping or alias", "quote the key");
            }
            const keyValue = key === null ? null : (key as { value: unknown }).value;
            if (keys?.has(keyValue)) {
              throw new RecipeError(
                "YAML syntax error: Map keys must be unique",
                this.#position(key?.range?.[0]),
                "each key may appear once in a mapping",
                "E_RECIPE_SYNTAX",
              );
            }
            keys?.add(keyValue);
            size += visit(key, depth + 1) + visit(item.value as Node | null, depth + 1);
          } else {
            size += visit(item as Node, depth + 1);
          }
        }
        open.delete(node);
      }
      sizes.set(node, size);
      return size;
    };
    visit(this.document.contents as Node | null, 0);
  }

  #position(offset: number | undefined): SourceLocation {
    // An empty document has no node to point at: its start is where something is missing.
    if (offset === undefined) return { file: this.file, line: 1, column: 1 };
    const pos = this.#lines.linePos(offset);
    return { file: this.file, line: pos.line, column: pos.col };
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
    return this.#position(target?.range?.[0]);
  }
}

/**
 * Takes the values `text` writes from `budget`, stopping at the first one past it: an `E_RECIPE_SYNTAX` error at
 * that value's line and column. Linear, and bounded by the budget rather than by the file's size.
 */
function countValues(text: string, file: string, budget: ValueBudget): void {
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (type !== null && VALUE_TOKENS.has(type) && --budget.remaining < 0) {
      // The scalar marker precedes its text, so `offset` is where the value starts in every case.
      let line = 1;
      for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
      const column = offset - text.lastIndexOf("\n", offset - 1);
      throw new RecipeError(
        `YAML: more than ${YAML_LIMITS.values} values in the recipe and its includes`,
        { file, line, column },
        "a recipe this large is a mistake; split the work into several recipes",
        "E_RECIPE_SYNTAX",
      );
    }
    if (type === null || !ZERO_WIDTH_TOKENS.has(type)) offset += token.length;
  }
}
