/**
 * `${name}` references in recipe strings, filled from `--set`, the recipe's `vars`, and `${env.NAME}` from the
 * environment. Nothing is evaluated: a reference is a name, never code.
 *
 * @module
 */

/** A reference that has no value. */
export interface UndefinedReference {
  /** Path of the string holding it. */
  path: (string | number)[];
  /** The name referenced. */
  name: string;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;

/**
 * Replaces references in every string of `value` (recursively). A string that is exactly one reference to a
 * number or boolean becomes that value, so `address: ${base}` stays a number; `lookup` is told which case it
 * serves (`whole`), so that a value inside text can stay the text it was given. `$${` writes a literal `${`.
 */
export function interpolate(
  value: unknown,
  lookup: (name: string, whole: boolean) => string | number | boolean | undefined,
  missing: UndefinedReference[],
  path: (string | number)[] = [],
): unknown {
  if (typeof value === "string") {
    const whole = /^\$\{([^}]*)\}$/.exec(value);
    if (whole) {
      const found = lookup(whole[1].trim(), true);
      if (found === undefined) missing.push({ path, name: whole[1].trim() });
      return found ?? value;
    }
    return value.replace(REFERENCE, (text, name: string | undefined) => {
      if (name === undefined) return "${"; // `$${` is a literal `${`.
      const found = lookup(name.trim(), false);
      if (found === undefined) {
        missing.push({ path, name: name.trim() });
        return text;
      }
      return String(found);
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, lookup, missing, [...path, i]));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolate(item, lookup, missing, [...path, key])]),
    );
  }
  return value;
}
