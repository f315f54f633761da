/**
 * Errors in a recipe: each names the file, line and column and says what to do.
 *
 * @module
 */

import { InputError, type SourceLocation } from "../errors.ts";

/** A problem with a recipe file, found before anything is sent to a device. */
export class RecipeError extends InputError {
  constructor(message: string, location: SourceLocation, hint?: string, code = "E_RECIPE") {
    super(code, message, { location, hint });
  }
}

/** Several recipe problems at once; `validate` prints them all, `run` the first. */
export class RecipeErrors extends InputError {
  /** Every problem found, in file order. */
  readonly errors: readonly RecipeError[];
  constructor(errors: readonly RecipeError[]) {
    const first = errors[0];
    super(first.code, first.message, { location: first.location, hint: first.hint });
    this.errors = errors;
  }

  /** One line per problem. */
  override userMessage(): string {
    return this.errors.map((e) => e.userMessage()).join("\n");
  }
}
