/**
 * Error classes shared by every layer. Each error carries a stable `code` (listed in `docs/errors.md`), a
 * one-line message that says what happened, and a `hint` that says what to check or do next.
 *
 * Errors fall in two kinds, which decide the process exit code:
 * - {@linkcode InputError}: bad usage, a bad recipe or a bad file; nothing was sent to a device (exit 2).
 * - {@linkcode DeviceError}: a device did not do what was asked (exit 1).
 *
 * @module
 */

/** A place in a text file, 1-based, for messages like `recipe.yaml:12:5: ...`. */
export interface SourceLocation {
  /** Path of the file as the user named it. */
  file: string;
  /** 1-based line number; omitted when the whole file is meant. */
  line?: number;
  /** 1-based column number. */
  column?: number;
}

/** Formats a location as `file:line:col`, leaving out what is unknown. */
export function formatLocation(location: SourceLocation): string {
  let text = location.file;
  if (location.line !== undefined) {
    text += `:${location.line}`;
    if (location.column !== undefined) text += `:${location.column}`;
  }
  return text;
}

/** Options common to every {@linkcode FlashRecipeError}. */
export interface FlashRecipeErrorOptions {
  /** What the user should check or do; printed after the message. */
  hint?: string;
  /** Where in an input file the problem is. */
  location?: SourceLocation;
  /** The lower-level error this one explains. */
  cause?: unknown;
}

/** Base class of every error the tool reports to a user. */
export abstract class FlashRecipeError extends Error {
  /** Stable machine-readable code, e.g. `E_NO_RESPONSE`. */
  readonly code: string;
  /** What to check or do next. */
  readonly hint?: string;
  /** Where in an input file the problem is, when it comes from a file. */
  readonly location?: SourceLocation;
  /** Process exit code for this kind of error. */
  abstract readonly exitCode: 1 | 2;

  constructor(code: string, message: string, options: FlashRecipeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
  }

  /** The one line shown to a user: location, message and hint. */
  userMessage(): string {
    const where = this.location ? `${formatLocation(this.location)}: ` : "";
    const hint = this.hint ? ` (${this.hint})` : "";
    return `${where}${this.message}${hint}`;
  }
}

/** Bad usage, recipe or file: detected before anything is sent to a device. Exit code 2. */
export class InputError extends FlashRecipeError {
  readonly exitCode = 2 as const;
}

/** A device or port misbehaved or refused a request. Exit code 1. */
export class DeviceError extends FlashRecipeError {
  readonly exitCode = 1 as const;
}

/**
 * The same error as raised after a device was sent something: exit 1 whatever its kind, with the same code,
 * message, hint and location. Exit 2 promises that nothing reached a device, and after contact that no longer holds.
 */
export function afterDeviceContact(error: FlashRecipeError): FlashRecipeError {
  if (error.exitCode === 1) return error;
  return new DeviceError(error.code, error.message, { hint: error.hint, location: error.location, cause: error });
}
