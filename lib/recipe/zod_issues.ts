/**
 * Turns zod validation issues into one-line recipe errors with positions and suggestions.
 *
 * @module
 */

import type { z } from "zod";
import { RecipeError } from "./errors.ts";
import { didYouMean } from "./suggest.ts";
import type { DocumentPath, YamlSource } from "./yaml_source.ts";

/** Describes a path for messages, e.g. `steps[2].write.address`. */
export function describePath(path: DocumentPath): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** Options of {@linkcode issuesToErrors}. */
export interface IssueContext {
  /** Where the validated value sits in the document. */
  base: DocumentPath;
  /** Keys allowed in each object, for "did you mean" (by path string relative to base). */
  knownKeys(path: DocumentPath): readonly string[];
  /** Replaces a union failure's message, e.g. with the step's accepted forms. */
  unionHint?: string;
  /** The value that was validated, so a misspelt word (`erase: neded`) gets a suggestion. */
  value?: unknown;
}

/** The words a failed issue would have accepted: enum values and string literals, also inside unions. */
function acceptedWords(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "invalid_value") return issue.values.filter((v): v is string => typeof v === "string");
  if (issue.code === "invalid_union") return issue.errors.flat().flatMap(acceptedWords);
  return [];
}

/** The value at `path` inside `root`, or `undefined`. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let at = root;
  for (const key of path) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

/** ` 'neded' (did you mean 'needed'?)` when the value is a word close to one the issue accepts, else "". */
function wordSuggestion(issue: z.core.$ZodIssue, context: IssueContext): string {
  const value = valueAt(context.value, issue.path);
  if (typeof value !== "string") return "";
  const hint = didYouMean(value, [...new Set(acceptedWords(issue))]);
  return hint ? ` '${value}'${hint}` : "";
}

/** Converts the issues of a failed parse into positioned errors. */
export function issuesToErrors(source: YamlSource, issues: readonly z.core.$ZodIssue[], context: IssueContext) {
  const errors: RecipeError[] = [];
  for (const issue of issues) {
    const path = [...context.base, ...(issue.path as (string | number)[])];
    const where = describePath(path);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const known = context.knownKeys(issue.path as (string | number)[]);
        errors.push(
          new RecipeError(
            `unknown key '${key}'${where ? ` in ${where}` : ""}${didYouMean(key, known)}`,
            source.locate([...path, key], { key: true }),
            known.length ? `allowed keys: ${known.join(", ")}` : undefined,
          ),
        );
      }
      continue;
    }
    if (issue.code === "invalid_union" && context.unionHint) {
      errors.push(
        new RecipeError(
          `invalid ${where || "value"}${wordSuggestion(issue, context)}`,
          source.locate(path),
          `expected ${context.unionHint}`,
        ),
      );
      continue;
    }
    const words = acceptedWords(issue);
    if (issue.code === "invalid_value" && words.length > 0) {
      const value = valueAt(context.value, issue.path);
      const given = typeof value === "string" ? `, not '${value}'` : "";
      errors.push(
        new RecipeError(
          `${where} must be one of ${words.join(", ")}${given}${
            wordSuggestion(issue, context).replace(/^ '[^']*'/, "")
          }`,
          source.locate(path),
          context.unionHint ? `expected ${context.unionHint}` : undefined,
        ),
      );
      continue;
    }
    const expected = issue.code === "invalid_type" ? issue.expected : undefined;
    const isMissing = issue.code === "invalid_type" && /received undefined/.test(issue.message);
    const message = isMissing
      ? `missing '${String(path[path.length - 1])}'${path.length > 1 ? ` in ${describePath(path.slice(0, -1))}` : ""}`
      : expected
      ? `${where} must be ${article(expected)}`
      : `${where}: ${issue.message}`;
    errors.push(
      new RecipeError(message, source.locate(path), context.unionHint ? `expected ${context.unionHint}` : undefined),
    );
  }
  return errors;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
