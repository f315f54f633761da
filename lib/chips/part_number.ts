/**
 * Full STM32 ordering codes as printed on the package, e.g. `STM32F103C8T6`: the part (`stm32f103c8`: line, pin
 * count, flash size) followed by the package letter and the temperature-range digit, sometimes more options
 * (`TR` tape and reel, `P` a dedicated pinout). The tool knows parts; the rest is stripped (the "Ordering
 * information" section of every STM32 datasheet gives the scheme).
 *
 * @module
 */

/** Longest package + temperature + options tail stripped, in characters (e.g. `t6tr`, `i6p`). */
const MAX_TAIL = 6;

/**
 * The name among `known` that `name` means (any case): itself, or `name` without its package/temperature tail
 * (a letter, a digit, then letters or digits). `undefined` when neither is known.
 */
export function resolvePartName(name: string, known: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  if (known.includes(wanted)) return wanted;
  for (let tail = 2; tail <= MAX_TAIL && tail < wanted.length; tail++) {
    const base = wanted.slice(0, -tail);
    if (/^[a-z]\d[a-z0-9]*$/.test(wanted.slice(-tail)) && known.includes(base)) return base;
  }
  return undefined;
}

/** `name` without a package/temperature tail, when it has what looks like one (for suggestions): `stm32f103c6t6` → `stm32f103c6`. */
export function withoutOrderingTail(name: string): string {
  const match = /^(stm32[a-z]{1,2}\d[0-9a-z]{1,2}[a-z][0-9a-z])[a-z]\d[a-z0-9]{0,4}$/.exec(name.toLowerCase());
  return match ? match[1] : name.toLowerCase();
}
