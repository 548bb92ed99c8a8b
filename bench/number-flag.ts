/**
 * A numeric flag of an `ackflow bench` command: the value given, or the profile's when the
 * flag is absent, refused with the flag's name, its range and what came when out of range,
 * so that no flag can make a benchmark's load unbounded.
 */
export function numberFlag(
  name: string,
  given: string | undefined,
  fallback: number,
  [least, most]: readonly [number, number],
  kind: 'any' | 'whole' = 'any',
): number {
  const value = given === undefined ? fallback : Number(given);
  const fits = kind === 'whole' ? Number.isInteger(value) : Number.isFinite(value);
  if (!fits || value < least || value > most) {
    const what = kind === 'whole' ? 'a whole number' : 'a number';
    throw new RangeError(`--${name} must be ${what} from ${least} to ${most}; got ${given}`);
  }
  return value;
}
