/**
 * Helpers for the image layer's tests.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ImageError, type ImageErrorCode } from "./errors.ts";

/** Runs `fn`, asserts it throws an {@linkcode ImageError} with `code` whose user message matches `pattern`. */
export function assertImageError(fn: () => unknown, code: ImageErrorCode, pattern?: RegExp): ImageError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ImageError, `expected ImageError ${code}, got ${error}`);
    assert.equal(error.code, code, error.userMessage());
    if (pattern) assert.match(error.userMessage(), pattern);
    // Every image error is one line a user can read.
    assert.ok(!error.userMessage().includes("\n"), error.userMessage());
    return error;
  }
  assert.fail(`expected ImageError ${code}, nothing was thrown`);
}

/** Async variant of {@linkcode assertImageError}. */
export async function assertImageErrorAsync(
  fn: () => Promise<unknown>,
  code: ImageErrorCode,
  pattern?: RegExp,
): Promise<ImageError> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof ImageError, `expected ImageError ${code}, got ${error}`);
    assert.equal(error.code, code, error.userMessage());
    if (pattern) assert.match(error.userMessage(), pattern);
    return error;
  }
  assert.fail(`expected ImageError ${code}, nothing was thrown`);
}

/** ASCII text as bytes. */
export function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

/** Bytes as ASCII text. */
export function ascii(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
